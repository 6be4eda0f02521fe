package audit

import (
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// Verify never panics on a bundle, whatever it holds, and never accepts a
// checkpoint the key did not sign.
func FuzzVerifyBundle(f *testing.F) {
	_, vkey, _ := note.GenerateKey(rand.Reader, DefaultKeyName)
	f.Add([]byte(`{"format":"mcpwarden-audit-bundle/1","origin":"o","records":1}` + "\n" +
		`{"record":{"v":1,"seq":0,"prev":"0000000000000000000000000000000000000000000000000000000000000000","id":"a","time":"t","method":"m","decision":"allow"}}` + "\n"))
	f.Add([]byte(`{"format":"mcpwarden-audit-bundle/1"}` + "\n" + `{"checkpoint":"o\n1\nAAAA\n\n— k AAAA\n"}` + "\n" + `{"cut":"x","frontier":"AAAA"}` + "\n"))
	v, err := note.NewVerifier(vkey)
	if err != nil {
		f.Fatal(err)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "b.jsonl")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		b, err := OpenBundle(path)
		if err != nil {
			return
		}
		rep, err := Verify(context.Background(), b, []note.Verifier{v})
		if err != nil {
			return
		}
		if rep.Checkpoints > 0 || rep.Signed > 0 {
			t.Fatalf("checkpoints verified with a key nobody signed with: %+v", rep)
		}
	})
}
