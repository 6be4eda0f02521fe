package manifest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// A manifest's signature lives beside it in MANIFEST.sig: one line,
// "ed25519 " and the base64 Ed25519 signature of the manifest file's
// exact bytes.

// SigPath is where the signature of the manifest at path is kept.
func SigPath(path string) string { return path + ".sig" }

// ErrUnsigned means a signature was required and there is none.
var ErrUnsigned = errors.New("manifest is not signed")

// ErrBadSignature means the signature does not match the manifest and key.
var ErrBadSignature = errors.New("manifest signature does not verify")

// GenerateKey returns a new key pair as PEM: PKCS#8 private, PKIX public.
func GenerateKey() (priv, pub []byte, err error) {
	pk, sk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	skb, err := x509.MarshalPKCS8PrivateKey(sk)
	if err != nil {
		return nil, nil, err
	}
	pkb, err := x509.MarshalPKIXPublicKey(pk)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: skb}),
		pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkb}), nil
}

// ParsePrivateKey reads a PEM PKCS#8 Ed25519 private key.
func ParsePrivateKey(data []byte) (ed25519.PrivateKey, error) {
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, errors.New("manifest: key: not a PEM PRIVATE KEY")
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("manifest: key: %w", err)
	}
	sk, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, errors.New("manifest: key: not an Ed25519 key")
	}
	return sk, nil
}

// ParsePublicKey reads a PEM PKIX Ed25519 public key.
func ParsePublicKey(data []byte) (ed25519.PublicKey, error) {
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "PUBLIC KEY" {
		return nil, errors.New("manifest: public key: not a PEM PUBLIC KEY")
	}
	k, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("manifest: public key: %w", err)
	}
	pk, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, errors.New("manifest: public key: not an Ed25519 key")
	}
	return pk, nil
}

// Sign returns the signature file contents for manifest data.
func Sign(sk ed25519.PrivateKey, data []byte) []byte {
	sig := ed25519.Sign(sk, data)
	return []byte("ed25519 " + base64.StdEncoding.EncodeToString(sig) + "\n")
}

// Verify checks signature file contents sigFile against manifest data.
func Verify(pk ed25519.PublicKey, data, sigFile []byte) error {
	rest, ok := bytes.CutPrefix(bytes.TrimSpace(sigFile), []byte("ed25519 "))
	if !ok {
		return fmt.Errorf("%w: signature file must start with \"ed25519 \"", ErrBadSignature)
	}
	sig, err := base64.StdEncoding.DecodeString(string(rest))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("%w: malformed signature", ErrBadSignature)
	}
	if !ed25519.Verify(pk, data, sig) {
		return ErrBadSignature
	}
	return nil
}

// LoadOptions decide how Load treats signatures.
type LoadOptions struct {
	// Key verifies MANIFEST.sig when set: a signature that does not
	// verify is an error.
	Key ed25519.PublicKey
	// RequireSigned refuses a manifest without a valid signature.
	RequireSigned bool
}

// LoadWith reads, verifies and compiles the manifest at path. The bytes
// verified are the bytes parsed.
func LoadWith(path string, o LoadOptions) (*Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if o.RequireSigned && o.Key == nil {
		return nil, fmt.Errorf("manifest: %s: signatures are required but no public key is configured", path)
	}
	if o.Key != nil {
		sig, err := os.ReadFile(SigPath(path))
		switch {
		case errors.Is(err, os.ErrNotExist):
			if o.RequireSigned {
				return nil, fmt.Errorf("manifest: %s: %w (no %s)", path, ErrUnsigned, SigPath(path))
			}
		case err != nil:
			return nil, fmt.Errorf("manifest: %w", err)
		default:
			if err := Verify(o.Key, data, sig); err != nil {
				return nil, fmt.Errorf("manifest: %s: %w", path, err)
			}
		}
	}
	return Parse(path, data)
}
