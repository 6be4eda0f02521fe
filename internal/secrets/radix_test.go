package secrets

import (
	"bytes"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

// base36Bytes must read a run as math/big does: the radix view decodes
// with it, and a byte off is a secret missed.
func TestBase36Bytes(t *testing.T) {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	r := rand.New(rand.NewPCG(36, 36))
	runs := []string{"0", "z", "000000000000000000000000", "zzzzzzzzzzzzzzzzzzzzzzzz", "00000000001", strings.Repeat("z", maxRadix), strings.Repeat("0", maxRadix-1) + "1"}
	for range 3000 {
		var b strings.Builder
		for range 1 + r.IntN(maxRadix) {
			b.WriteByte(digits[r.IntN(len(digits))])
		}
		runs = append(runs, b.String(), strings.ToUpper(b.String()), "000"+b.String())
	}
	for _, run := range runs {
		checkBase36(t, run)
	}
}

func checkBase36(t *testing.T, run string) {
	t.Helper()
	n, ok := new(big.Int).SetString(strings.ToLower(run), 36)
	if !ok {
		t.Fatalf("math/big refused %q", run)
	}
	if got, want := base36Bytes(run), n.Bytes(); !bytes.Equal(got, want) {
		t.Fatalf("base36Bytes(%q) = %x, want %x", run, got, want)
	}
}

func FuzzBase36Bytes(f *testing.F) {
	for _, s := range []string{"0", "zz", "1000000000777abcdefghijklmnopqrstuvwxyz0123456789", "SGVsbG8gV29ybGQ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		run := make([]byte, 0, len(s))
		for i := 0; i < len(s) && len(run) < maxRadix; i++ {
			if c := s[i]; isAlnum(c) {
				run = append(run, c)
			}
		}
		if len(run) > 0 {
			checkBase36(t, string(run))
		}
	})
}
