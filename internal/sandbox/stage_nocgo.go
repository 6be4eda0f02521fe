//go:build !cgo

package sandbox

// Without cgo there is no C stage (stage.c), hence no helper: Prepare
// refuses to start sandboxed servers.
const stageBuilt = false

func decodeProgram([]byte) ([]op, error) { return nil, errNoStage }
func unhexC(string) ([]byte, bool)       { return nil, false }
func stageNames() (string, string)       { return HelperArg, SpecEnv }
