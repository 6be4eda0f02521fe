// Command byterelay is the floor the stdio relay is compared with: it
// spawns the command after "--" and copies bytes between its own stdin and
// stdout and the child's, with no parsing and no policy. It takes the
// place of bin/mcpwarden in bench/load (-mcpwarden PATH, scenario stdio),
// so the load tool measures what any relay process costs on the machine:
//
//	go build -o bin/byterelay ./bench/byterelay
//	go run ./bench/load -mcpwarden bin/byterelay -scenarios stdio -concurrency 1,8 -payload 64
package main

import (
	"io"
	"os"
	"os/exec"
	"slices"
)

func main() {
	i := slices.Index(os.Args, "--")
	if i < 0 || i == len(os.Args)-1 {
		os.Stderr.WriteString("usage: byterelay [ignored...] -- CMD [ARGS...]\n")
		os.Exit(2)
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
