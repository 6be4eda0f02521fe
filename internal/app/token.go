package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/authn"
	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/issuer"
	"github.com/mcpwarden/mcpwarden/internal/secretstore"
)

// LoadSigningKey reads the local issuer's current signing key from
// auth.signing_key: a secret of the secrets backend, or a key file that
// only its owner can read (a key others can read is refused, as ssh
// refuses one). After a rotation it is the new key.
func LoadSigningKey(ctx context.Context, cfg *config.Config) (*issuer.Key, error) {
	s, err := LoadSigningKeys(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return s.Current, nil
}

// LoadSigningKeys reads the local issuer's whole key set: the current
// key and the retired ones still within their overlap.
func LoadSigningKeys(ctx context.Context, cfg *config.Config) (*issuer.KeySet, error) {
	a := cfg.Auth
	if !a.IsLocal() {
		return nil, errors.New("token: auth.issuer is not local: this gateway does not issue tokens")
	}
	data, err := readSigningKey(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return issuer.ParseKeySet(data)
}

// followEvery is how often FollowSigningKey reads the key set again; a
// rotation keeps the old key verifying this much longer than the longest
// token, for the tokens such a signer makes before it sees the new key.
const followEvery = time.Minute

// FollowSigningKey returns the current signing key for a signer that runs
// as long as the gateway (the embedded authorization server): the key set
// is read again at most once a minute, so a rotation is followed without a
// reload. A failed read keeps the key held (and is returned only while no
// key was ever read).
func FollowSigningKey(cfg *config.Config) func(context.Context) (*issuer.Key, error) {
	return followSigningKey(cfg, time.Now)
}

func followSigningKey(cfg *config.Config, now func() time.Time) func(context.Context) (*issuer.Key, error) {
	var mu sync.Mutex
	var cur *issuer.Key
	var read time.Time
	return func(ctx context.Context) (*issuer.Key, error) {
		mu.Lock()
		defer mu.Unlock()
		if cur != nil && now().Sub(read) < followEvery {
			return cur, nil
		}
		k, err := LoadSigningKey(ctx, cfg)
		read = now()
		if err != nil {
			if cur != nil {
				return cur, nil
			}
			return nil, err
		}
		cur = k
		return cur, nil
	}
}

// signingKeySource is the validator's view of the key set: read again on
// an unknown kid and every minute, so a rotation or a withdrawal reaches
// a running gateway without a reload.
//
// The secrets backend is opened once and kept: with Vault, a fresh client
// per read would log in again every time (tokens with made-up key ids
// can cause a read a second).
func signingKeySource(cfg *config.Config) func(context.Context) ([]authn.SourcedKey, error) {
	var mu sync.Mutex
	var backend secretstore.Backend
	open := func() (secretstore.Backend, error) {
		mu.Lock()
		defer mu.Unlock()
		if backend == nil {
			b, err := OpenSecrets(cfg.Secrets)
			if err != nil {
				return nil, err
			}
			backend = b
		}
		return backend, nil
	}
	return func(ctx context.Context) ([]authn.SourcedKey, error) {
		data, err := readSigningKeyFrom(ctx, cfg, open)
		if err != nil {
			return nil, err
		}
		s, err := issuer.ParseKeySet(data)
		if err != nil {
			return nil, err
		}
		var out []authn.SourcedKey
		for _, k := range s.Verifying() {
			out = append(out, authn.SourcedKey{JSONWebKey: k.Key, NotAfter: k.NotAfter})
		}
		return out, nil
	}
}

func readSigningKey(ctx context.Context, cfg *config.Config) ([]byte, error) {
	return readSigningKeyFrom(ctx, cfg, func() (secretstore.Backend, error) { return OpenSecrets(cfg.Secrets) })
}

func readSigningKeyFrom(ctx context.Context, cfg *config.Config, open func() (secretstore.Backend, error)) ([]byte, error) {
	ref := cfg.Auth.SigningKey
	if name, ok := secretstore.Ref(ref); ok {
		b, err := open()
		if err != nil {
			return nil, fmt.Errorf("token: signing key %s: %w", ref, err)
		}
		v, err := b.Get(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("token: signing key %s: %w (make it with mcpwarden token keygen)", ref, err)
		}
		return []byte(v), nil
	}
	st, err := os.Stat(ref)
	if err != nil {
		return nil, fmt.Errorf("token: signing key: %w (make it with mcpwarden token keygen)", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("token: signing key %s is readable by others (mode %v): chmod 600 it", ref, st.Mode().Perm())
	}
	b, err := os.ReadFile(ref)
	if err != nil {
		return nil, fmt.Errorf("token: signing key: %w", err)
	}
	return b, nil
}

// GenerateSigningKey makes the local issuer's key where auth.signing_key
// says, refusing to replace one: every replica must share the key, so it
// is made once, on purpose, not on first use. It returns the kid.
func GenerateSigningKey(cfg *config.Config) (string, error) {
	a := cfg.Auth
	if !a.IsLocal() {
		return "", errors.New("token keygen: auth.issuer is not local")
	}
	data, err := issuer.Generate()
	if err != nil {
		return "", err
	}
	k, err := issuer.ParseKey(data)
	if err != nil {
		return "", err
	}
	if name, ok := secretstore.Ref(a.SigningKey); ok {
		f, _, err := OpenSecretFile(cfg.Secrets, true)
		if err != nil {
			return "", fmt.Errorf("token keygen: %w", err)
		}
		if _, err := f.Get(context.Background(), name); err == nil {
			return "", fmt.Errorf("token keygen: secret %q exists already; rotate it with mcpwarden token keygen --rotate", name)
		} else if !errors.Is(err, secretstore.ErrNotFound) {
			return "", fmt.Errorf("token keygen: %w", err)
		}
		if err := f.Set(name, string(data)); err != nil {
			return "", fmt.Errorf("token keygen: %w", err)
		}
		return k.KeyID(), nil
	}
	fh, err := os.OpenFile(a.SigningKey, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("token keygen: %s exists already; rotate it with mcpwarden token keygen --rotate", a.SigningKey)
	}
	if err != nil {
		return "", fmt.Errorf("token keygen: %w", err)
	}
	if _, err := fh.Write(data); err != nil {
		fh.Close()
		return "", fmt.Errorf("token keygen: %w", err)
	}
	if err := fh.Close(); err != nil {
		return "", fmt.Errorf("token keygen: %w", err)
	}
	return k.KeyID(), nil
}

// Rotation is what a key rotation did.
type Rotation struct {
	New, Old string    // kids
	OldUntil time.Time // the old key verifies until then
}

// RotateSigningKey makes a new signing key and keeps the current one,
// public only, verifying until every token it can have signed has expired
// (the longest token life plus the clock skew, plus followEvery for
// signers that follow the set); retired keys past that are dropped. Running gateways read the set again on the first token of the
// new key, so it is accepted everywhere at once.
func RotateSigningKey(ctx context.Context, cfg *config.Config, now time.Time) (*Rotation, error) {
	s, err := LoadSigningKeys(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("token keygen --rotate: %w", err)
	}
	data, err := issuer.Generate()
	if err != nil {
		return nil, err
	}
	next, err := issuer.ParseKey(data)
	if err != nil {
		return nil, err
	}
	old := s.Current.KeyID()
	if err := s.Rotate(next, now, issuer.MaxTTL+cfg.Auth.ClockSkew+followEvery); err != nil {
		return nil, fmt.Errorf("token keygen --rotate: %w", err)
	}
	if err := writeSigningKeys(cfg, s); err != nil {
		return nil, fmt.Errorf("token keygen --rotate: %w", err)
	}
	return &Rotation{New: next.KeyID(), Old: old, OldUntil: s.Previous[0].NotAfter}, nil
}

// WithdrawSigningKey removes a retired key from the set: the tokens it
// signed stop verifying (within a minute in running gateways, which read
// the set again; at once on reload).
func WithdrawSigningKey(ctx context.Context, cfg *config.Config, kid string) error {
	s, err := LoadSigningKeys(ctx, cfg)
	if err != nil {
		return fmt.Errorf("token keygen --withdraw: %w", err)
	}
	if err := s.Withdraw(kid); err != nil {
		return fmt.Errorf("token keygen --withdraw: %w", err)
	}
	if err := writeSigningKeys(cfg, s); err != nil {
		return fmt.Errorf("token keygen --withdraw: %w", err)
	}
	return nil
}

// writeSigningKeys replaces the stored key set: in the local secrets
// store, or the key file by a 0600 temporary file renamed over it, so a
// reader never sees half a key.
func writeSigningKeys(cfg *config.Config, s *issuer.KeySet) error {
	data, err := s.Marshal()
	if err != nil {
		return err
	}
	ref := cfg.Auth.SigningKey
	if name, ok := secretstore.Ref(ref); ok {
		f, _, err := OpenSecretFile(cfg.Secrets, false)
		if err != nil {
			return err
		}
		return f.Set(name, string(data))
	}
	tmp, err := os.CreateTemp(filepath.Dir(ref), "."+filepath.Base(ref)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename: nothing
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), ref)
}

// IssueRequest is what `mcpwarden token issue` asks for.
type IssueRequest struct {
	Scopes   []string
	TTL      time.Duration
	Subject  string
	Audience []string // further audiences; must be ones auth.audience lists
}

// IssueToken signs a token the configured gateway accepts: scopes must
// be ones the config defines (auth.scopes or auth.required_scopes).
func IssueToken(ctx context.Context, cfg *config.Config, r IssueRequest) (*issuer.Issued, error) {
	a := cfg.Auth
	if !a.IsLocal() {
		return nil, errors.New("token issue: auth.issuer is not local: this gateway only accepts tokens from " + issuerName(a))
	}
	if err := issuer.CheckTTL(r.TTL); err != nil {
		return nil, fmt.Errorf("token issue: %w", err)
	}
	if len(r.Scopes) == 0 {
		return nil, errors.New("token issue: --scope is required (a token grants only what its scopes name)")
	}
	for _, s := range r.Scopes {
		if _, ok := a.Scopes[s]; !ok && !slices.Contains(a.RequiredScopes, s) {
			return nil, fmt.Errorf("token issue: unknown scope %q: the config defines %s", s, strings.Join(definedScopes(a), ", "))
		}
	}
	for _, s := range a.RequiredScopes {
		if !slices.Contains(r.Scopes, s) {
			return nil, fmt.Errorf("token issue: scope %q is required by auth.required_scopes; without it the token is refused", s)
		}
	}
	aud := []string{a.Resource}
	for _, x := range r.Audience {
		if x != a.Resource && !slices.Contains(a.Audience, x) {
			return nil, fmt.Errorf("token issue: audience %q is neither auth.resource nor in auth.audience", x)
		}
		if !slices.Contains(aud, x) {
			aud = append(aud, x)
		}
	}
	if strings.TrimSpace(r.Subject) == "" {
		return nil, errors.New("token issue: empty subject")
	}
	iss, err := issuer.IssuerFor(a.Resource)
	if err != nil {
		return nil, err
	}
	k, err := LoadSigningKey(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return k.Issue(issuer.Request{Issuer: iss, Subject: r.Subject, Audience: aud, Scopes: r.Scopes, TTL: r.TTL})
}

func definedScopes(a *config.Auth) []string {
	out := slices.Clone(a.RequiredScopes)
	for s := range a.Scopes {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	if len(out) == 0 {
		return []string{"(none: add auth.scopes)"}
	}
	return out
}

func issuerName(a *config.Auth) string {
	if a == nil {
		return "(no auth section)"
	}
	return a.Issuer
}
