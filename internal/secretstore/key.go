package secretstore

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeyEnv is the variable a key is read from when the operator allows it
// (secrets.key_from_env, secret --key-from-env): for containers that get
// the key from their orchestrator instead of a file.
const KeyEnv = "MCPWARDEN_SECRETS_KEY"

// LoadKey reads a key file: the base64 of KeySize random bytes. A file
// that group or others may read is refused, as ssh refuses such keys.
func LoadKey(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("secret store key: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("secret store key: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("secret store key %s: not a regular file", path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("secret store key %s: mode %04o lets others read it; run chmod 600 %s", path, perm, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, 256))
	if err != nil {
		return nil, fmt.Errorf("secret store key: %w", err)
	}
	key, err := decodeKey(string(data))
	if err != nil {
		return nil, fmt.Errorf("secret store key %s: %w", path, err)
	}
	return key, nil
}

// LoadOrCreateKey reads the key file at path, making it (and its
// directory, 0700) with a fresh random key when it does not exist.
func LoadOrCreateKey(path string) (key []byte, created bool, err error) {
	key, err = LoadKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("secret store key: %w", err)
	}
	key = make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, false, fmt.Errorf("secret store key: %w", err)
	}
	// O_EXCL: two processes making the key at once must not both win.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		key, err = LoadKey(path)
		return key, false, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("secret store key: %w", err)
	}
	_, werr := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(path)
		return nil, false, fmt.Errorf("secret store key: %w", werr)
	}
	return key, true, nil
}

// KeyFromEnv reads the key from KeyEnv through getenv.
func KeyFromEnv(getenv func(string) string) ([]byte, error) {
	v := getenv(KeyEnv)
	if v == "" {
		return nil, fmt.Errorf("secret store key: %s is not set", KeyEnv)
	}
	key, err := decodeKey(v)
	if err != nil {
		return nil, fmt.Errorf("secret store key from %s: %w", KeyEnv, err)
	}
	return key, nil
}

func decodeKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(key) != KeySize {
		return nil, fmt.Errorf("expected the base64 of %d bytes", KeySize)
	}
	return key, nil
}
