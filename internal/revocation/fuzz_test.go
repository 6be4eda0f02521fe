package revocation

import (
	"bytes"
	"testing"
	"time"
)

// FuzzParseList: any file content parses without panicking, and what it
// yields is unexpired, non-empty ids without the separator.
func FuzzParseList(f *testing.F) {
	f.Add([]byte("abc 9999999999\n"))
	f.Add([]byte("old 1\ngarbage\n\n t 5\nx 9999999999999999999999\n"))
	f.Add([]byte("a b c 9999999999\r\n"))
	now := time.Unix(1_800_000_000, 0)
	f.Fuzz(func(t *testing.T, data []byte) {
		for jti, exp := range parseList(data, now) {
			if jti == "" || bytes.ContainsAny([]byte(jti), " \n") || !now.Before(exp) {
				t.Fatalf("entry %q %v", jti, exp)
			}
		}
	})
}
