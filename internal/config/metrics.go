package config

import (
	"net"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Metrics configures the Prometheus endpoint (docs/operations.md#metrics).
type Metrics struct {
	// Listen is HOST:PORT of a listener that serves /metrics only; ""
	// serves none. It is apart from the MCP listener so that metrics
	// never share its exposure, authentication or Origin rules.
	Listen string
	// AllowRemote lets Listen bind an address other than loopback.
	AllowRemote bool
}

var metricsKeys = []string{"listen", "allow_remote"}

func (d *decoder) metrics(path string, raw *yaml.Node, m *Metrics) {
	es, ok := d.mapping(path, raw)
	if !ok {
		return
	}
	for _, e := range es {
		p := joinKey(path, e.name)
		switch e.name {
		case "listen", "allow_remote":
		default:
			d.unknown(p, e, metricsKeys)
			continue
		}
		v := d.field(p, e)
		if v == nil {
			continue
		}
		switch e.name {
		case "listen":
			m.Listen, _ = d.str(p, v)
		case "allow_remote":
			m.AllowRemote, _ = d.boolean(p, v)
		}
	}
}

func (m *Metrics) validate(v *validator, listen string) {
	if m.Listen == "" {
		return
	}
	if err := checkListen(m.Listen); err != nil {
		v.addf("metrics.listen", "%v", err)
		return
	}
	host, _, _ := net.SplitHostPort(m.Listen)
	if !loopbackListen(host) && !m.AllowRemote {
		v.addf("metrics.listen", "%q is not a loopback address: metrics name servers, rules and rates; bind 127.0.0.1, or set metrics.allow_remote: true behind a firewall", m.Listen)
	}
	if m.Listen == listen {
		v.addf("metrics.listen", "is the MCP listen address; give metrics a port of their own")
	}
}

// boolean decodes a YAML boolean (true/false, yes/no, on/off).
func (d *decoder) boolean(path string, v *yaml.Node) (bool, bool) {
	n := resolve(v)
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		d.errorf(v, path, "expected true or false, got %s", describe(v))
		return false, false
	}
	return strings.EqualFold(n.Value, "true") || strings.EqualFold(n.Value, "yes") || strings.EqualFold(n.Value, "on"), true
}
