package procstat

import (
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"
)

func TestReadSelfAndChildren(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc is Linux's")
	}
	before := Read(os.Getpid(), true)
	deadline := time.Now().Add(50 * time.Millisecond)
	for x := 0; time.Now().Before(deadline); x++ { // burn some CPU
		_ = x * x
	}
	after := Read(os.Getpid(), true)
	if !before.OK || !after.OK || after.User+after.Sys < before.User+before.Sys || after.Voluntary+after.Involuntary == 0 {
		t.Fatalf("own usage: before %+v, after %+v", before, after)
	}
	if u := Children(os.Getpid(), false); u.OK {
		t.Fatalf("children of a process without any: %+v", u)
	}
	cmd := exec.Command("sleep", "5")
	if err := cmd.Start(); err != nil {
		t.Skip(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if u := Children(os.Getpid(), true); !u.OK {
		t.Fatalf("a live child not found: %+v", u)
	}
	if u := Read(-1, false); u.OK {
		t.Fatal("a reading of no process")
	}
}
