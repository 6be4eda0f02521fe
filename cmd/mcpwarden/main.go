// Command mcpwarden is a security gateway for MCP servers.
package main

import (
	"os"

	"github.com/mcpwarden/mcpwarden/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
