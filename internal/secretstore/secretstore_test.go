package secretstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func newStore(t *testing.T) (*File, []byte) {
	t.Helper()
	dir := t.TempDir()
	key, created, err := LoadOrCreateKey(filepath.Join(dir, "state", "secrets.key"))
	if err != nil || !created {
		t.Fatalf("LoadOrCreateKey: %v created=%v", err, created)
	}
	f, err := OpenFile(filepath.Join(dir, "state", "secrets.enc"), key)
	if err != nil {
		t.Fatal(err)
	}
	return f, key
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	f, key := newStore(t)
	if _, err := f.Get(ctx, "a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get on a missing store: %v, want ErrNotFound", err)
	}
	if err := f.Set("pg-admin", "postgres://admin:s3cr3t@db/x"); err != nil {
		t.Fatal(err)
	}
	if err := f.Set("api.key", "first"); err != nil {
		t.Fatal(err)
	}
	if err := f.Set("api.key", "second"); err != nil {
		t.Fatal(err)
	}
	if v, err := f.Get(ctx, "api.key"); err != nil || v != "second" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	names, err := f.List()
	if err != nil || strings.Join(names, ",") != "api.key,pg-admin" {
		t.Fatalf("List = %v, %v", names, err)
	}
	// The file is private and holds neither names nor values in clear.
	st, err := os.Stat(f.Path())
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("store mode %v, %v", st.Mode(), err)
	}
	raw, _ := os.ReadFile(f.Path())
	for _, s := range []string{"s3cr3t", "pg-admin", "second"} {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("store file contains %q in clear", s)
		}
	}
	if err := f.Delete("api.key"); err != nil {
		t.Fatal(err)
	}
	if err := f.Delete("api.key"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Delete: %v", err)
	}
	// A second handle with the same key reads what the first wrote.
	g, _ := OpenFile(f.Path(), key)
	if v, err := g.Get(ctx, "pg-admin"); err != nil || v != "postgres://admin:s3cr3t@db/x" {
		t.Fatalf("Get through another handle = %q, %v", v, err)
	}
	// No temporary files are left behind.
	ents, _ := os.ReadDir(filepath.Dir(f.Path()))
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left over: %s", e.Name())
		}
	}
}

func TestWrongKeyAndTampering(t *testing.T) {
	ctx := context.Background()
	f, key := newStore(t)
	if err := f.Set("x", "value"); err != nil {
		t.Fatal(err)
	}
	other := bytes.Clone(key)
	other[0] ^= 1
	g, _ := OpenFile(f.Path(), other)
	if _, err := g.Get(ctx, "x"); err == nil || !strings.Contains(err.Error(), "wrong key") {
		t.Fatalf("wrong key: %v", err)
	}
	raw, _ := os.ReadFile(f.Path())
	for _, mutate := range []func([]byte) []byte{
		func(b []byte) []byte { b[len(b)-1] ^= 1; return b },     // tag
		func(b []byte) []byte { b[len(magic)+2] ^= 1; return b }, // nonce
		func(b []byte) []byte { b[0] = 'X'; return b },           // magic
		func(b []byte) []byte { return b[:len(b)-5] },            // truncated
		func(b []byte) []byte { return nil },                     // empty
	} {
		if err := os.WriteFile(f.Path(), mutate(bytes.Clone(raw)), 0o600); err != nil {
			t.Fatal(err)
		}
		if v, err := f.Get(ctx, "x"); err == nil {
			t.Errorf("tampered store read: %q", v)
		}
		// A writer must not overwrite a store it cannot read.
		if err := f.Set("y", "z"); err == nil {
			t.Error("Set over an unreadable store succeeded")
		}
	}
}

func TestConcurrentWriters(t *testing.T) {
	f, key := newStore(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g, _ := OpenFile(f.Path(), key) // as another process would
			for j := range 5 {
				if err := g.Set(fmt.Sprintf("s%d-%d", i, j), "v"); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	names, err := f.List()
	if err != nil || len(names) != 40 {
		t.Fatalf("after concurrent writes: %d names, %v", len(names), err)
	}
}

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k")
	k1, created, err := LoadOrCreateKey(path)
	if err != nil || !created {
		t.Fatal(err)
	}
	k2, created, err := LoadOrCreateKey(path)
	if err != nil || created || !bytes.Equal(k1, k2) {
		t.Fatalf("second load: created=%v err=%v same=%v", created, err, bytes.Equal(k1, k2))
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key mode %v", st.Mode())
	}
	os.Chmod(path, 0o644)
	if _, err := LoadKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable key: %v", err)
	}
	os.Chmod(path, 0o600)
	os.WriteFile(path, []byte("c2hvcnQ=\n"), 0o600)
	if _, err := LoadKey(path); err == nil {
		t.Fatal("short key accepted")
	}
	if _, err := LoadKey(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("missing key loaded")
	}
	env := map[string]string{KeyEnv: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}
	if k, err := KeyFromEnv(func(s string) string { return env[s] }); err != nil || len(k) != KeySize {
		t.Fatalf("KeyFromEnv: %v", err)
	}
	if _, err := KeyFromEnv(func(string) string { return "" }); err == nil {
		t.Fatal("unset key variable accepted")
	}
}

func TestNamesAndResolve(t *testing.T) {
	ctx := context.Background()
	f, _ := newStore(t)
	for _, bad := range []string{"", "-x", "a b", "a/b", "../x", strings.Repeat("a", 129), "é"} {
		if err := f.Set(bad, "v"); err == nil {
			t.Errorf("Set(%q) accepted", bad)
		}
	}
	if err := f.Set("tok", "hunter2"); err != nil {
		t.Fatal(err)
	}
	if err := f.Set("big", strings.Repeat("x", MaxValue+1)); err == nil {
		t.Error("oversized value accepted")
	}
	got, err := ResolveMap(ctx, f, map[string]string{"A": "secret://tok", "B": "plain", "C": ""})
	if err != nil || got["A"] != "hunter2" || got["B"] != "plain" || got["C"] != "" {
		t.Fatalf("ResolveMap = %v, %v", got, err)
	}
	_, err = ResolveMap(ctx, f, map[string]string{"A": "secret://nope"})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("missing secret: %v", err)
	}
	if _, err := Resolve(ctx, nil, "secret://tok"); err == nil {
		t.Fatal("resolved without a backend")
	}
	if _, err := Resolve(ctx, f, "secret://../x"); err == nil {
		t.Fatal("bad reference name accepted")
	}
	e := Env{Getenv: func(s string) string {
		if s == "MCPWARDEN_SECRET_PG_ADMIN" {
			return "dsn"
		}
		return ""
	}}
	if v, err := Resolve(ctx, e, "secret://pg-admin"); err != nil || v != "dsn" {
		t.Fatalf("env backend: %q %v", v, err)
	}
	if _, err := e.Get(ctx, "other"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("env backend missing: %v", err)
	}
}

// FuzzRead: whatever the file holds, reading it fails cleanly.
func FuzzRead(f *testing.F) {
	dir := f.TempDir()
	key := bytes.Repeat([]byte{7}, KeySize)
	s, _ := OpenFile(filepath.Join(dir, "s"), key)
	_ = s.Set("a", "b")
	good, _ := os.ReadFile(s.Path())
	f.Add(good)
	f.Add([]byte(magic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "s")
		os.WriteFile(p, data, 0o600)
		g, _ := OpenFile(p, key)
		_, _ = g.List()
	})
}
