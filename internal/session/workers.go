package session

import "time"

// Requests run on reused goroutines: a fresh goroutine starts with a small
// stack and grows it on every request, which showed up as a tenth of the
// gateway's CPU under load. Idle workers exit after a while.
var work = make(chan task)

// task is work for a worker: a func, or a request (which needs no
// closure allocated to be handed over).
type task interface{ run() }

type funcTask func()

func (f funcTask) run() { f() }

const workerIdle = 10 * time.Second

// Spawn runs f on a reused goroutine. A request's goroutine runs the whole
// chain and the upstream call, tens of frames deep: a fresh goroutine
// grows its stack to that depth on every request, copying it each time
// (measured: a quarter of the instructions of an HTTP→HTTP call went to
// stack copying before the HTTP front used this).
func Spawn(f func()) { spawn(funcTask(f)) }

func spawn(f task) {
	select {
	case work <- f:
	default:
		go worker(f)
	}
}

func worker(f task) {
	f.run()
	t := time.NewTimer(workerIdle)
	defer t.Stop()
	for {
		select {
		case f := <-work:
			f.run()
			t.Reset(workerIdle)
		case <-t.C:
			return
		}
	}
}
