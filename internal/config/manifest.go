package config

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// manifestSigning decodes the top-level require_signed and manifest_key.
func (d *decoder) manifestSigning(path string, v *yaml.Node, cfg *Config) {
	switch path {
	case "require_signed":
		if n := resolve(v); n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
			cfg.RequireSigned = strings.EqualFold(n.Value, "true") || strings.EqualFold(n.Value, "yes") || strings.EqualFold(n.Value, "on")
		} else {
			d.errorf(v, path, "expected true or false, got %s", describe(v))
		}
	case "manifest_key":
		if s, ok := d.str(path, v); ok {
			cfg.ManifestKey = d.relative(s)
		}
	case "policy":
		if s, ok := d.str(path, v); ok {
			cfg.Policy = d.relative(s)
		}
	}
}

func (c *Config) validateManifestSigning(v *validator) {
	if strings.ContainsRune(c.Policy, 0) {
		v.addf("policy", "contains a NUL byte")
	}
	if strings.ContainsRune(c.ManifestKey, 0) {
		v.addf("manifest_key", "contains a NUL byte")
	}
	if c.RequireSigned && c.ManifestKey == "" {
		v.addf("require_signed", "needs manifest_key: the public key that signs the manifests")
	}
}
