package revocation

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// FuzzParseList: any file content parses without panicking, and what it
// yields is unexpired, non-empty ids without the separator; a subject
// key's record, and only it, carries a since.
func FuzzParseList(f *testing.F) {
	f.Add([]byte("abc 9999999999\n"))
	f.Add([]byte("old 1\ngarbage\n\n t 5\nx 9999999999999999999999\n"))
	f.Add([]byte("a b c 9999999999\r\n"))
	f.Add([]byte("sub:47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU 9999999999 1800000000\nsub:x 9999999999\nj 9999999999 5\n"))
	now := time.Unix(1_800_000_000, 0)
	f.Fuzz(func(t *testing.T, data []byte) {
		for id, e := range parseList(data, now) {
			if id == "" || bytes.ContainsAny([]byte(id), " \n") || !now.Before(e.exp) {
				t.Fatalf("entry %q %v", id, e)
			}
			if strings.HasPrefix(id, SubjectPrefix) == e.since.IsZero() {
				t.Fatalf("entry %q: since %v", id, e.since)
			}
		}
	})
}
