package cli

import (
	"io"

	"github.com/mcpwarden/mcpwarden/internal/sandbox"
)

// sandboxExec runs the hidden helper that the gateway re-executes itself
// as inside a stdio server's sandbox (see internal/sandbox). It bypasses
// cobra: nothing on its command line is a flag of ours, and it must start
// fast.
func sandboxExec(args []string, stderr io.Writer) (int, bool) {
	if len(args) == 0 || args[0] != sandbox.HelperArg {
		return 0, false
	}
	return sandbox.Main(args[1:], stderr), true
}
