package main

import (
	"fmt"
	"strings"
	"testing"
)

// perfScript makes the lines `perf script -F comm,tid,time,event,trace`
// prints for calls ping-ponged through a relay: each call at base+k*1000
// µs, with the relay's request path taking req µs and its answer path ans
// µs, a journal write in between, and the Go runtime's eventfd and
// EAGAIN reads that must not count.
func perfScript(calls int, req, ans float64) string {
	var b strings.Builder
	line := func(comm string, tid int, us float64, ev, trace string) {
		fmt.Fprintf(&b, "%16s %6d %12.6f: %s: %s\n", comm, tid, us/1e6+3000, ev, trace)
	}
	read := func(comm string, tid int, us float64, fd int, ret string) {
		line(comm, tid, us-1, " syscalls:sys_enter_read", fmt.Sprintf("fd: 0x%08x, buf: 0x1, count: 0x00040000", fd))
		line(comm, tid, us, "  syscalls:sys_exit_read", ret) // a read's time is its return's
	}
	write := func(comm string, tid int, us float64, fd, n int) {
		line(comm, tid, us, "syscalls:sys_enter_write", fmt.Sprintf("fd: 0x%08x, buf: 0x2, count: 0x%08x", fd, n))
	}
	for k := range calls {
		t := float64(k) * 1000
		read("mcpwarden", 10, t, 0x13, "0xa3")                 // the client's request
		read("mcpwarden", 10, t+1, 0x13, "0xfffffffffffffff5") // EAGAIN
		write("mcpwarden", 11, t+2, 7, 8)                      // netpollBreak
		write("mcpwarden", 11, t+req, 9, 0xa3)                 // to the server
		read("echoserver", 20, t+req+10, 0, "0xa3")            // the server reads
		write("echoserver", 21, t+req+100, 1, 0x8d)            // and answers
		read("perf", 30, t+req+101, 5, "0x1000")               // perf's own reads: not counted
		read("mcpwarden", 12, t+req+120, 0xb, "0x8d")          // the answer
		write("mcpwarden", 11, t+req+120+ans/2, 0x12, 0x297)   // the journal
		write("mcpwarden", 11, t+req+120+ans, 1, 0x8d)         // to the client
		write("mcpwarden", 11, t+req+120+ans+1, 2, 0x100)      // a log line: not counted
	}
	return b.String()
}

func TestBudget(t *testing.T) {
	evs, err := parse(strings.NewReader(perfScript(50, 15, 24)), "mcpwarden", "echoserver")
	if err != nil {
		t.Fatal(err)
	}
	r, err := budget(evs, 10)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(r.us[0]); n != 39 { // calls 10..48: the last has no next request
		t.Fatalf("%d calls counted", n)
	}
	want := [len(parts)]float64{15, 10, 90, 20, 24, 1000 - 15 - 10 - 90 - 20 - 24}
	for i, w := range want {
		for _, got := range r.us[i] {
			if d := got - w; d < -0.01 || d > 0.01 {
				t.Fatalf("%s: %.3f µs, want %.0f", parts[i], got, w)
			}
		}
	}
}

func TestBudgetNeedsBoth(t *testing.T) {
	evs, err := parse(strings.NewReader(perfScript(50, 15, 24)), "mcpwarden", "someotherserver")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := budget(evs, 10); err == nil {
		t.Fatal("a trace without the server's syscalls gave a budget")
	}
}

func TestParseRejectsGarbage(t *testing.T) {
	for _, in := range []string{
		"mcpwarden 10 3000.1: syscalls:sys_enter_read: count: 3\n",
		"mcpwarden 10 notatime: syscalls:sys_exit_read: 0x1\n",
		"mcpwarden 10 3000.1: syscalls:sys_exit_read: nope\n",
	} {
		if _, err := parse(strings.NewReader(in), "mcpwarden", "echoserver"); err == nil {
			t.Errorf("%q parsed", in)
		}
	}
}
