package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSignVerifyLoad(t *testing.T) {
	skPEM, pkPEM, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	sk, err := ParsePrivateKey(skPEM)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := ParsePublicKey(pkPEM)
	if err != nil {
		t.Fatal(err)
	}
	_, otherPEM, _ := GenerateKey()
	other, _ := ParsePublicKey(otherPEM)

	dir := t.TempDir()
	path := filepath.Join(dir, "m.yaml")
	data := []byte("tools:\n  a: {risk: read}\n")
	write := func(p string, b []byte) {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(path, data)

	// Unsigned: fine unless required.
	if _, err := LoadWith(path, LoadOptions{Key: pk}); err != nil {
		t.Errorf("unsigned, not required: %v", err)
	}
	if _, err := LoadWith(path, LoadOptions{Key: pk, RequireSigned: true}); !errors.Is(err, ErrUnsigned) {
		t.Errorf("unsigned, required: %v", err)
	}
	if _, err := LoadWith(path, LoadOptions{RequireSigned: true}); err == nil {
		t.Error("required without a key: loaded")
	}

	write(SigPath(path), Sign(sk, data))
	if _, err := LoadWith(path, LoadOptions{Key: pk, RequireSigned: true}); err != nil {
		t.Errorf("signed: %v", err)
	}
	if _, err := LoadWith(path, LoadOptions{Key: other, RequireSigned: true}); !errors.Is(err, ErrBadSignature) {
		t.Errorf("other key: %v", err)
	}
	if _, err := LoadWith(path, LoadOptions{Key: other}); !errors.Is(err, ErrBadSignature) {
		t.Errorf("a bad signature must fail even when not required: %v", err)
	}
	// One byte changed after signing.
	write(path, []byte("tools:\n  b: {risk: read}\n"))
	if _, err := LoadWith(path, LoadOptions{Key: pk, RequireSigned: true}); !errors.Is(err, ErrBadSignature) {
		t.Errorf("tampered: %v", err)
	}
	write(SigPath(path), []byte("ed25519 !!!\n"))
	if _, err := LoadWith(path, LoadOptions{Key: pk}); !errors.Is(err, ErrBadSignature) {
		t.Errorf("garbage signature: %v", err)
	}
	if _, err := ParsePublicKey(skPEM); err == nil {
		t.Error("private key accepted as public")
	}
}
