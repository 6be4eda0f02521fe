package config

import (
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Sandbox profiles and the features allow_degraded may name. They mirror
// internal/sandbox, which config does not import.
var (
	SandboxProfiles = []string{"strict", "node", "python", "custom"}
	SandboxFeatures = []string{"namespaces", "landlock", "seccomp", "network", "cgroup"}
)

// Sandbox is a stdio server's confinement (docs/sandbox.md). The zero
// value is the default: on, profile strict.
type Sandbox struct {
	Off           bool     // sandbox: off
	Profile       string   // strict (default), node, python, custom
	Writable      []string // absolute directories the server may write
	ReadOnly      []string // extra absolute paths visible read-only
	AllowNet      []string // network.allow: domains reachable through the egress proxy
	Env           []string // names of gateway variables passed through
	AllowDegraded []string // features the server may start without
}

var (
	sandboxKeys = []string{"profile", "writable", "read_only", "network", "env", "allow_degraded"}
	networkKeys = []string{"allow"}
)

// sandbox decodes `sandbox: off` or a mapping.
func (d *decoder) sandbox(path string, raw *yaml.Node, sb *Sandbox) {
	if n := resolve(raw); n != nil && n.Kind == yaml.ScalarNode {
		// YAML 1.1 readers take a bare off as false; accept both.
		if v := strings.ToLower(n.Value); v == "off" || (n.ShortTag() == "!!bool" && v == "false") {
			sb.Off = true
			return
		}
		d.errorf(raw, path, `expected "off" or a mapping (profile, writable, read_only, network, env, allow_degraded), got %s`, describe(raw))
		return
	}
	es, ok := d.mapping(path, raw)
	if !ok {
		return
	}
	for _, e := range es {
		p := joinKey(path, e.name)
		if !slices.Contains(sandboxKeys, e.name) {
			d.unknown(p, e, sandboxKeys)
			continue
		}
		v := d.field(p, e)
		if v == nil {
			continue
		}
		switch e.name {
		case "profile":
			sb.Profile, _ = d.str(p, v)
		case "writable":
			sb.Writable, _ = d.strList(p, v)
		case "read_only":
			sb.ReadOnly, _ = d.strList(p, v)
		case "env":
			sb.Env, _ = d.strList(p, v)
		case "allow_degraded":
			sb.AllowDegraded, _ = d.strList(p, v)
		case "network":
			nes, ok := d.mapping(p, v)
			if !ok {
				continue
			}
			for _, ne := range nes {
				np := joinKey(p, ne.name)
				if ne.name != "allow" {
					d.unknown(np, ne, networkKeys)
					continue
				}
				if nv := d.field(np, ne); nv != nil {
					sb.AllowNet, _ = d.strList(np, nv)
				}
			}
		}
	}
}

func (sb *Sandbox) validate(v *validator, path string, isHTTP bool) {
	set := sb.Off || sb.Profile != "" || sb.Writable != nil || sb.ReadOnly != nil ||
		sb.AllowNet != nil || sb.Env != nil || sb.AllowDegraded != nil
	if !set {
		return
	}
	if isHTTP {
		v.addf(path, "only allowed with command (confinement of a stdio child)")
		return
	}
	if sb.Profile != "" {
		checkEnum(v, joinKey(path, "profile"), sb.Profile, SandboxProfiles...)
	}
	for key, list := range map[string][]string{"writable": sb.Writable, "read_only": sb.ReadOnly} {
		for i, d := range list {
			ip := joinIndex(joinKey(path, key), i)
			switch {
			case strings.ContainsRune(d, 0):
				v.addf(ip, "contains a NUL byte")
			case !filepath.IsAbs(d):
				v.addf(ip, "must be an absolute path, got %q", d)
			case filepath.Clean(d) == "/":
				v.addf(ip, "must not be the root directory")
			}
		}
	}
	for i, name := range sb.Env {
		if !envKeyRe.MatchString(name) {
			v.addf(joinIndex(joinKey(path, "env"), i), "invalid environment variable name %q", name)
		}
	}
	for i, dom := range sb.AllowNet {
		host := dom
		if h, port, err := net.SplitHostPort(dom); err == nil {
			host = h
			if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
				host = ""
			}
		}
		if host == "" || strings.ContainsAny(host, "/:@[] \x00") {
			v.addf(joinIndex(joinKey(path, "network.allow"), i), "must be a domain name such as registry.npmjs.org, optionally with :port, got %q", dom)
		}
	}
	for i, f := range sb.AllowDegraded {
		if !slices.Contains(SandboxFeatures, f) {
			v.addf(joinIndex(joinKey(path, "allow_degraded"), i), "unknown feature %q (expected one of %s)", f, strings.Join(SandboxFeatures, ", "))
		}
	}
}
