package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// DefaultKeyName names the signer in checkpoints.
const DefaultKeyName = "mcpwarden-audit"

// GenerateKey writes a new Ed25519 signing key to path (mode 0600) and
// its verifier key to path+".pub". It refuses to overwrite a key.
func GenerateKey(path, name string) (vkey string, err error) {
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", fmt.Errorf("audit: keygen: %w", err)
	}
	if _, err := os.Lstat(path); err == nil {
		return "", fmt.Errorf("audit: keygen: %s: %w", path, os.ErrExist)
	}
	// Written whole under a temporary name, then linked into place: two
	// processes making the default key at once never see half a key, and
	// the second finds the first's.
	f, err := os.CreateTemp(filepath.Dir(path), ".audit-key-*")
	if err != nil {
		return "", fmt.Errorf("audit: keygen: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("audit: keygen: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("audit: keygen: %w", err)
	}
	if err := os.WriteFile(tmp+".pub", []byte(vkey+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("audit: keygen: %w", err)
	}
	defer os.Remove(tmp + ".pub")
	if err := os.Link(tmp, path); err != nil {
		return "", fmt.Errorf("audit: keygen: %w", err)
	}
	if err := os.Rename(tmp+".pub", path+".pub"); err != nil {
		return "", fmt.Errorf("audit: keygen: %w", err)
	}
	return vkey, nil
}

// Key is a loaded signing key. Its String never shows the private part.
type Key struct {
	Signer note.Signer
	VKey   string // verifier key, safe to publish
}

func (k *Key) String() string { return "audit key " + k.VKey }

// LoadKey reads a signing key written by GenerateKey.
func LoadKey(path string) (*Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit: key: %w", err)
	}
	return ParseKey(b, path)
}

// ParseKey reads a signing key in the form GenerateKey writes (a note
// signing key), from source (a file name or secret://NAME, for messages).
func ParseKey(b []byte, source string) (*Key, error) {
	skey := strings.TrimSpace(string(b))
	signer, err := note.NewSigner(skey)
	if err != nil {
		// The error text of note does not include the key; keep it so.
		return nil, fmt.Errorf("audit: key %s: not a signing key", source)
	}
	vkey, err := verifierKey(skey)
	if err != nil {
		return nil, fmt.Errorf("audit: key %s: %w", source, err)
	}
	return &Key{Signer: signer, VKey: vkey}, nil
}

// LoadOrCreateKey loads path, generating the key first when it does not
// exist (mcpwarden run's zero-configuration default).
func LoadOrCreateKey(path string) (*Key, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if _, err := GenerateKey(path, DefaultKeyName); err != nil && !errors.Is(err, os.ErrExist) {
			return nil, err
		}
	}
	return LoadKey(path)
}

// verifierKey derives the verifier key from a note signing key
// (PRIVATE+KEY+name+hash+base64(alg||seed)).
func verifierKey(skey string) (string, error) {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 {
		return "", errors.New("malformed signing key")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", errors.New("malformed signing key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(parts[2], pub)
}

// ReadVerifierKey reads a public key file.
func ReadVerifierKey(path string) (note.Verifier, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit: public key: %w", err)
	}
	v, err := note.NewVerifier(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("audit: public key %s: %w", path, err)
	}
	return v, nil
}
