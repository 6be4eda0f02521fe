// Package pin hashes what a model reads of a tool, prompt or resource
// definition, so that a server cannot change what a tool means after an
// operator approved it.
package pin

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/mcpwarden/mcpwarden/internal/canon"
)

// Prefix starts every pin.
const Prefix = "sha256:"

// HashString returns the pin of a string the model reads, such as a
// server's instructions: SHA-256 over its canonical JSON form.
func HashString(s string) string {
	b, _ := canon.Append(nil, s)
	sum := sha256.Sum256(b)
	return Prefix + hex.EncodeToString(sum[:])
}

// Hash returns the pin of one definition: SHA-256 over its RFC 8785
// canonical form, so that key order and whitespace alone do not change
// it. Everything in the definition counts (name, title, description,
// every string in the input and output schemas, annotations, icons)
// except the top-level _meta, which is for clients, not for the model.
func Hash(def []byte) (string, error) {
	v, err := canon.Parse(def)
	if err != nil {
		return "", fmt.Errorf("pin: %w", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return "", fmt.Errorf("pin: definition is not an object")
	}
	delete(obj, "_meta")
	b, err := canon.Append(nil, obj)
	if err != nil {
		return "", fmt.Errorf("pin: %w", err)
	}
	sum := sha256.Sum256(b)
	return Prefix + hex.EncodeToString(sum[:]), nil
}
