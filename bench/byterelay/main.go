// Command byterelay is the floor the relay is compared with: a process
// that copies bytes between a client and a server, with no parsing and no
// policy. It takes the place of bin/mcpwarden in bench/load (-mcpwarden
// PATH), so the load tool measures what any relay process costs on the
// machine.
//
// Scenario stdio: it spawns the command after "--" and copies between its
// own stdin and stdout and the child's:
//
//	go build -o bin/byterelay ./bench/byterelay
//	go run ./bench/load -mcpwarden bin/byterelay -scenarios stdio -concurrency 1,8 -payload 64
//
// Scenario http-http: called as "serve --listen ADDR -c FILE", it reads the
// upstream's url from FILE (the load tool writes "url: http://HOST:PORT/mcp")
// and copies each accepted TCP connection to a connection of its own to
// HOST:PORT, both ways. It answers no readiness probe, so:
//
//	go run ./bench/load -mcpwarden bin/byterelay -ready-path "" -scenarios http-http
package main

import (
	"bufio"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "serve" && !slices.Contains(os.Args, "--") {
		serveTCP(os.Args[2:])
		return
	}
	i := slices.Index(os.Args, "--")
	if i < 0 || i == len(os.Args)-1 {
		fail("usage: byterelay [ignored...] -- CMD [ARGS...] | byterelay serve --listen ADDR -c FILE")
	}
	cmd := exec.Command(os.Args[i+1], os.Args[i+2:]...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		panic(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		panic(err)
	}
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	go func() { io.Copy(in, os.Stdin); in.Close() }()
	io.Copy(os.Stdout, out)
	cmd.Wait()
}

// serveTCP relays connections accepted on --listen to the host of the url
// in the -c file.
func serveTCP(args []string) {
	var listen, file string
	for i := 0; i+1 < len(args); i++ {
		switch args[i] {
		case "--listen":
			listen = args[i+1]
		case "-c", "--config":
			file = args[i+1]
		}
	}
	if listen == "" || file == "" {
		fail("usage: byterelay serve --listen ADDR -c FILE")
	}
	upstream := upstreamHost(file)
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		fail(err.Error())
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			fail(err.Error())
		}
		go func() {
			defer c.Close()
			u, err := net.Dial("tcp", upstream)
			if err != nil {
				return
			}
			defer u.Close()
			go func() { io.Copy(u, c); u.(*net.TCPConn).CloseWrite() }()
			io.Copy(c, u)
		}()
	}
}

// upstreamHost returns HOST:PORT of the first "url:" line of file.
func upstreamHost(file string) string {
	f, err := os.Open(file)
	if err != nil {
		fail(err.Error())
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "url:"); ok {
			u, err := url.Parse(strings.TrimSpace(v))
			if err != nil || u.Host == "" {
				fail("byterelay: bad url in " + file)
			}
			return u.Host
		}
	}
	fail("byterelay: no url in " + file)
	return ""
}

func fail(msg string) {
	os.Stderr.WriteString(msg + "\n")
	os.Exit(2)
}
