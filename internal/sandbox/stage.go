//go:build cgo

package sandbox

// The helper's setup is stage.c, which runs before the Go runtime in
// every binary that links this package (see the comment at its top).
// This file only makes its decoder reachable from Go, for tests and
// fuzzing of the program format.

// #cgo CFLAGS: -Wall -Wextra -O2
// #include <stdlib.h>
// #include "stage.h"
import "C"

import (
	"errors"
	"unsafe"
)

// stageBuilt reports that the C stage is linked in and runs (glibc):
// without it there is no helper, and Prepare refuses to start sandboxed
// servers.
const stageBuilt = C.MW_STAGE_ACTIVE == 1

// decodeProgram reads a program with the C decoder: the operations, or
// the reason the helper would refuse it.
func decodeProgram(b []byte) ([]op, error) {
	buf := C.malloc(C.size_t(len(b) + 1))
	defer C.free(buf)
	copy(unsafe.Slice((*byte)(buf), len(b)), b)
	p, n := (*C.uint8_t)(buf), C.size_t(len(b))
	var msg *C.char
	if C.mw_check(p, n, &msg) < 0 {
		return nil, errors.New(C.GoString(msg))
	}
	var r C.struct_mw_reader
	C.mw_open(&r, p, n, &msg)
	var ops []op
	for {
		var o C.struct_mw_op
		if C.mw_next(&r, &o, &msg) != 1 {
			return ops, nil
		}
		x := op{code: opcode(o.code)}
		for i := range int(o.n) {
			x.f = append(x.f, C.GoBytes(unsafe.Pointer(o.f[i]), C.int(o.len[i])))
		}
		ops = append(ops, x)
	}
}

// unhexC is the C stage's hex decoder, with the helper's buffer size.
func unhexC(s string) ([]byte, bool) {
	cs := C.CString(s)
	defer C.free(unsafe.Pointer(cs))
	out := make([]byte, C.MW_MAX_PROGRAM)
	n := C.mw_unhex(cs, (*C.uint8_t)(unsafe.Pointer(&out[0])), C.size_t(len(out)))
	if n < 0 {
		return nil, false
	}
	return out[:n], true
}

// stageNames are the C stage's names for the helper argument and the
// program's variable, which must match HelperArg and SpecEnv.
func stageNames() (string, string) { return C.MW_HELPER_ARG, C.MW_SPEC_ENV }
