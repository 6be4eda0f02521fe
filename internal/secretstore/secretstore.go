// Package secretstore keeps the secrets the gateway itself needs (upstream
// API keys, database admin DSNs) out of its configuration: the config names
// them as secret://NAME and they are read at spawn or connect time.
//
// The local backend is one file per store, encrypted as a whole with
// AES-256-GCM (names are secret too), written to a temporary file and
// renamed into place under an exclusive flock, mode 0600. The key lives in
// its own 0600 file, made on first use, or comes from an environment
// variable when the operator explicitly allows it; never from the config.
package secretstore

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mcpwarden/mcpwarden/internal/lazyre"
	"golang.org/x/sys/unix"
)

// Scheme prefixes a secret reference in configuration values.
const Scheme = "secret://"

// Limits.
const (
	MaxValue    = 64 << 10 // bytes of one secret
	maxFile     = 16 << 20 // bytes of a store file
	KeySize     = 32       // AES-256
	magic       = "MCPWSEC1"
	nonceSize   = 12
	fileVersion = 1
)

// ErrNotFound is returned for a secret the backend does not hold.
var ErrNotFound = errors.New("secret not found")

var nameRe = lazyre.New(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// CheckName reports whether name may name a secret: 1-128 characters of
// letters, digits, '.', '_' and '-', starting with a letter or digit.
func CheckName(name string) error {
	if !nameRe.MatchString(name) {
		return fmt.Errorf("invalid secret name %q: use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit", name)
	}
	return nil
}

// Ref returns the secret name a configuration value refers to, when the
// whole value is a secret:// reference.
func Ref(value string) (name string, ok bool) {
	return strings.CutPrefix(value, Scheme)
}

// Backend reads secrets by name.
type Backend interface {
	Get(ctx context.Context, name string) (string, error)
}

// Resolve returns value itself, or the secret it refers to when it is a
// secret:// reference. Errors name the secret, never its value.
func Resolve(ctx context.Context, b Backend, value string) (string, error) {
	name, ok := Ref(value)
	if !ok {
		return value, nil
	}
	if err := CheckName(name); err != nil {
		return "", err
	}
	if b == nil {
		return "", fmt.Errorf("secret %q: no secrets backend configured", name)
	}
	v, err := b.Get(ctx, name)
	if err != nil {
		return "", fmt.Errorf("secret %q: %w", name, err)
	}
	return v, nil
}

// ResolveMap resolves every value of m into a new map.
func ResolveMap(ctx context.Context, b Backend, m map[string]string) (map[string]string, error) {
	if m == nil {
		return nil, nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		r, err := Resolve(ctx, b, v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = r
	}
	return out, nil
}

// File is the local encrypted store. Safe for concurrent use by several
// processes: writers serialise on a lock file, readers see whole files.
type File struct {
	path string
	aead cipher.AEAD
}

// OpenFile returns the store at path, encrypted with key (KeySize bytes).
// The file need not exist yet: it is created by the first Set.
func OpenFile(path string, key []byte) (*File, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret store: key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret store: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret store: %w", err)
	}
	return &File{path: path, aead: aead}, nil
}

// Path is the store's file.
func (f *File) Path() string { return f.path }

type contents struct {
	Version int               `json:"version"`
	Secrets map[string]string `json:"secrets"`
}

// read decrypts the whole store; a missing file is an empty store.
func (f *File) read() (map[string]string, error) {
	fh, err := os.Open(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("secret store: %w", err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxFile+1))
	if err != nil {
		return nil, fmt.Errorf("secret store: %w", err)
	}
	if len(data) > maxFile {
		return nil, fmt.Errorf("secret store %s: larger than %d bytes", f.path, maxFile)
	}
	if len(data) < len(magic)+nonceSize+f.aead.Overhead() || string(data[:len(magic)]) != magic {
		return nil, fmt.Errorf("secret store %s: not a mcpwarden secret store", f.path)
	}
	nonce := data[len(magic) : len(magic)+nonceSize]
	plain, err := f.aead.Open(nil, nonce, data[len(magic)+nonceSize:], []byte(magic))
	if err != nil {
		return nil, fmt.Errorf("secret store %s: cannot decrypt: wrong key or a damaged file", f.path)
	}
	var c contents
	if err := json.Unmarshal(plain, &c); err != nil || c.Version != fileVersion {
		return nil, fmt.Errorf("secret store %s: unreadable contents (version %d)", f.path, c.Version)
	}
	if c.Secrets == nil {
		c.Secrets = map[string]string{}
	}
	return c.Secrets, nil
}

// write encrypts m into a temporary file and renames it into place.
func (f *File) write(m map[string]string) error {
	plain, err := json.Marshal(contents{Version: fileVersion, Secrets: m})
	if err != nil {
		return fmt.Errorf("secret store: %w", err)
	}
	nonce := make([]byte, nonceSize)
	if _, err := rand.Read(nonce); err != nil {
		return fmt.Errorf("secret store: %w", err)
	}
	out := append([]byte(magic), nonce...)
	out = f.aead.Seal(out, nonce, plain, []byte(magic))
	clear(plain)
	tmp, err := os.CreateTemp(filepath.Dir(f.path), "."+filepath.Base(f.path)+".*")
	if err != nil {
		return fmt.Errorf("secret store: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("secret store: %w", err)
	}
	if _, err := tmp.Write(out); err != nil {
		tmp.Close()
		return fmt.Errorf("secret store: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("secret store: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("secret store: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		return fmt.Errorf("secret store: %w", err)
	}
	return nil
}

// update runs fn on the store's contents under the writers' lock and
// writes the result when fn reports a change.
func (f *File) update(fn func(m map[string]string) (changed bool, err error)) error {
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return fmt.Errorf("secret store: %w", err)
	}
	lock, err := os.OpenFile(f.path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("secret store: %w", err)
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		return fmt.Errorf("secret store: lock: %w", err)
	}
	m, err := f.read()
	if err != nil {
		return err
	}
	changed, err := fn(m)
	if err != nil || !changed {
		return err
	}
	return f.write(m)
}

// Get returns the secret called name.
func (f *File) Get(_ context.Context, name string) (string, error) {
	m, err := f.read()
	if err != nil {
		return "", err
	}
	v, ok := m[name]
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

// Set stores value under name, replacing any previous value.
func (f *File) Set(name, value string) error {
	if err := CheckName(name); err != nil {
		return err
	}
	if len(value) > MaxValue {
		return fmt.Errorf("secret %q: value is larger than %d bytes", name, MaxValue)
	}
	return f.update(func(m map[string]string) (bool, error) {
		m[name] = value
		return true, nil
	})
}

// Delete removes the secret called name; ErrNotFound if there is none.
func (f *File) Delete(name string) error {
	return f.update(func(m map[string]string) (bool, error) {
		if _, ok := m[name]; !ok {
			return false, ErrNotFound
		}
		delete(m, name)
		return true, nil
	})
}

// List returns the names of the stored secrets, sorted.
func (f *File) List() ([]string, error) {
	m, err := f.read()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names, nil
}

// Env reads secret NAME from the variable MCPWARDEN_SECRET_NAME (upper
// case, '.' and '-' as '_'). It is used only when the configuration
// chooses it explicitly: environments leak into child processes, crash
// reports and /proc.
type Env struct {
	Getenv func(string) string // os.Getenv when nil
}

// EnvName is the variable Env reads for a secret.
func EnvName(name string) string {
	return "MCPWARDEN_SECRET_" + strings.Map(func(r rune) rune {
		switch {
		case r == '.' || r == '-':
			return '_'
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, name)
}

// Get returns the secret's variable; an unset or empty one is ErrNotFound.
func (e Env) Get(_ context.Context, name string) (string, error) {
	get := e.Getenv
	if get == nil {
		get = os.Getenv
	}
	v := get(EnvName(name))
	if v == "" {
		return "", fmt.Errorf("%w (environment variable %s is not set)", ErrNotFound, EnvName(name))
	}
	return v, nil
}
