package config

import (
	"errors"
	"testing"
)

// FuzzParse checks that Parse never panics and always returns either a
// valid Config or a non-empty Problems with sane positions. Seeds are in
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data)
		if (c == nil) == (err == nil) {
			t.Fatalf("Parse returned config %v and error %v", c, err)
		}
		if err != nil {
			var ps Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("error is %T %v, want non-empty Problems", err, err)
			}
			lines := lineCount(data)
			for _, p := range ps {
				if p.File != "fuzz.yaml" || p.Msg == "" || p.Line < 0 || p.Col < 0 || p.Line > lines {
					t.Fatalf("bad problem %+v (input has %d lines)", p, lines)
				}
			}
			if err.Error() == "" {
				t.Fatal("empty error text")
			}
			return
		}
		ps := c.Validate()
		if c.Servers == nil {
			// Only the missing servers may be wrong.
			if len(ps) != 1 || ps[0].Path != "servers" {
				t.Fatalf("Parse accepted a config without servers that Validate rejects: %v", ps)
			}
		} else if len(ps) != 0 {
			t.Fatalf("Parse accepted a config that Validate rejects: %v", ps)
		}
		for _, s := range c.Servers {
			if s.Transport == "" || s.StartTimeout <= 0 || (s.Command == nil) == (s.URL == "") {
				t.Fatalf("server not defaulted/validated: %+v", s)
			}
			if got, ok := c.Server(s.Name); !ok || got.Name != s.Name {
				t.Fatalf("Server(%q) not found", s.Name)
			}
		}
	})
}
