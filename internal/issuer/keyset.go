package issuer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// MaxPrevious bounds the retired keys a set keeps: each one is a key a
// token may be verified with, and a rotation drops the expired ones.
const MaxPrevious = 8

// KeySet is what auth.signing_key holds: the current signing key and the
// public halves of the keys it replaced, each accepted until the tokens it
// signed have expired. Only the current key is private; a retired key can
// verify but never sign again.
//
// Stored form: a single private JWK (a set with no previous keys, as
// `token keygen` writes it) or
//
//	{"current": PRIVATE_JWK, "previous": [{"key": PUBLIC_JWK, "not_after": UNIX}]}
type KeySet struct {
	Current  *Key
	Previous []Retired
}

// Retired is a replaced key: it verifies tokens until NotAfter.
type Retired struct {
	Key      jose.JSONWebKey // public only
	NotAfter time.Time
}

type storedSet struct {
	Current  json.RawMessage `json:"current"`
	Previous []storedRetired `json:"previous,omitempty"`
}

type storedRetired struct {
	Key      json.RawMessage `json:"key"`
	NotAfter int64           `json:"not_after"`
}

// ParseKeySet reads a stored key set, or a single private JWK.
func ParseKeySet(data []byte) (*KeySet, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, errors.New("issuer: signing key is not a JWK or key set (make one with mcpwarden token keygen)")
	}
	if _, ok := probe["current"]; !ok {
		k, err := ParseKey(data)
		if err != nil {
			return nil, err
		}
		return &KeySet{Current: k}, nil
	}
	var st storedSet
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return nil, fmt.Errorf("issuer: key set: %w", err)
	}
	cur, err := ParseKey(st.Current)
	if err != nil {
		return nil, fmt.Errorf("issuer: key set: current: %w", err)
	}
	if len(st.Previous) > MaxPrevious {
		return nil, fmt.Errorf("issuer: key set: %d previous keys, at most %d", len(st.Previous), MaxPrevious)
	}
	s := &KeySet{Current: cur}
	seen := []string{cur.KeyID()}
	for i, r := range st.Previous {
		pub, err := parseRetired(r.Key)
		if err != nil {
			return nil, fmt.Errorf("issuer: key set: previous[%d]: %w", i, err)
		}
		if slices.Contains(seen, pub.KeyID) {
			return nil, fmt.Errorf("issuer: key set: previous[%d]: kid %q appears twice", i, pub.KeyID)
		}
		if r.NotAfter <= 0 {
			return nil, fmt.Errorf("issuer: key set: previous[%d]: not_after is required", i)
		}
		seen = append(seen, pub.KeyID)
		s.Previous = append(s.Previous, Retired{Key: pub, NotAfter: time.Unix(r.NotAfter, 0)})
	}
	return s, nil
}

// parseRetired reads a retired key: public, for signatures, of a kind the
// issuer signs with, with a kid. A private key there is refused: a
// retired key must not be able to sign.
func parseRetired(raw json.RawMessage) (jose.JSONWebKey, error) {
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON(raw); err != nil {
		return k, errors.New("not a JWK")
	}
	if !k.IsPublic() {
		return k, errors.New("a retired key is kept public only (its private part must be gone)")
	}
	alg, err := signingAlg(&k)
	if err != nil {
		return k, err
	}
	k.Algorithm, k.Use = string(alg), "sig"
	return k, nil
}

// Marshal is the stored form: the current key private, the retired ones
// public.
func (s *KeySet) Marshal() ([]byte, error) {
	cur, err := s.Current.priv.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("issuer: key set: %w", err)
	}
	st := storedSet{Current: cur}
	for _, r := range s.Previous {
		pub, err := r.Key.Public().MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("issuer: key set: %w", err)
		}
		st.Previous = append(st.Previous, storedRetired{Key: pub, NotAfter: r.NotAfter.Unix()})
	}
	return json.Marshal(st)
}

// Rotate makes next the signing key. The current one is kept, public
// only, until now+overlap (the longest a token it signed can still be
// accepted: the token lifetime plus the validators' clock skew); retired
// keys already past their time are dropped.
func (s *KeySet) Rotate(next *Key, now time.Time, overlap time.Duration) error {
	if next.KeyID() == s.Current.KeyID() || slices.ContainsFunc(s.Previous, func(r Retired) bool { return r.Key.KeyID == next.KeyID() }) {
		return fmt.Errorf("issuer: rotate: kid %q is in the set already", next.KeyID())
	}
	prev := slices.DeleteFunc(slices.Clone(s.Previous), func(r Retired) bool { return !now.Before(r.NotAfter) })
	prev = append([]Retired{{Key: s.Current.Public(), NotAfter: time.Unix(now.Add(overlap).Unix()+1, 0)}}, prev...)
	if len(prev) > MaxPrevious {
		return fmt.Errorf("issuer: rotate: %d keys still within their overlap, at most %d: wait for the oldest to expire or withdraw it", len(prev), MaxPrevious)
	}
	s.Current, s.Previous = next, prev
	return nil
}

// Withdraw removes a retired key at once: tokens it signed stop
// verifying (a key believed compromised). The current key cannot be
// withdrawn; rotate first.
func (s *KeySet) Withdraw(kid string) error {
	if kid == s.Current.KeyID() {
		return fmt.Errorf("issuer: %q is the current signing key: rotate to a new key first, then withdraw it", kid)
	}
	i := slices.IndexFunc(s.Previous, func(r Retired) bool { return r.Key.KeyID == kid })
	if i < 0 {
		return fmt.Errorf("issuer: no retired key %q in the set", kid)
	}
	s.Previous = slices.Delete(s.Previous, i, i+1)
	return nil
}

// Verifying is every key of the set that verifies tokens: the current
// one's public half (no NotAfter), then the retired ones with theirs.
// Past its NotAfter a retired key verifies nothing; the validator checks
// that on each token.
func (s *KeySet) Verifying() []Retired {
	out := make([]Retired, 0, 1+len(s.Previous))
	out = append(out, Retired{Key: s.Current.Public()})
	return append(out, s.Previous...)
}
