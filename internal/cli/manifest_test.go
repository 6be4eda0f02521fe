package cli

import (
	"strings"
	"testing"
)

// The stderr quoted in an error keeps whole lines only, with secrets
// masked: a line cut by the size limit could hold a piece of a key.
func TestTailWriter(t *testing.T) {
	w := &tailWriter{max: 64}
	token := "ghp_" + strings.Repeat("aB3dE5fG7h", 3) + "123456"
	w.Write([]byte("first line that is long enough to be cut away " + token[:20]))
	w.Write([]byte(token[20:] + "\nusing " + token + "\nfatal: boom\n"))
	q := w.quote()
	// The first line kept is the piece "3456" of the first token line:
	// dropped, so the quote starts at a whole line.
	if !strings.HasPrefix(q, "\nthe server wrote to stderr:\nusing [REDACTED:") || strings.Contains(q, token[30:]) || !strings.HasSuffix(q, "fatal: boom") {
		t.Fatalf("quote %q", q)
	}
	if (&tailWriter{max: 64}).quote() != "" {
		t.Fatal("an empty stderr is quoted")
	}
}
