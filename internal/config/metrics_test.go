package config

import (
	"strings"
	"testing"
)

func TestParseMetrics(t *testing.T) {
	c := mustParse(t, "metrics: {listen: \"127.0.0.1:9464\"}\nservers: {a: {command: [x]}}\n")
	if c.Metrics != (Metrics{Listen: "127.0.0.1:9464"}) {
		t.Errorf("metrics %+v", c.Metrics)
	}
	if c := mustParse(t, "metrics: {listen: \"0.0.0.0:9464\", allow_remote: true}\nservers: {a: {command: [x]}}\n"); !c.Metrics.AllowRemote {
		t.Errorf("metrics %+v", c.Metrics)
	}
	if c := mustParse(t, "servers: {a: {command: [x]}}\n"); c.Metrics.Listen != "" {
		t.Errorf("metrics on by default: %+v", c.Metrics)
	}
	for in, want := range map[string]string{
		`{listen: "0.0.0.0:9464"}`:                    `metrics.listen: "0.0.0.0:9464" is not a loopback address`,
		`{listen: ":9464"}`:                           `is not a loopback address`,
		`{listen: "example.com:9464"}`:                `is not a loopback address`,
		`{listen: "127.0.0.1"}`:                       `metrics.listen: must be host:port`,
		`{listen: "127.0.0.1:9464", allow_remote: 1}`: `metrics.allow_remote: expected true or false`,
		`{listen: "127.0.0.1:9464", path: /m}`:        `metrics.path: unknown key`,
		`{listen: "127.0.0.1:8808"}`:                  `is the MCP listen address`,
	} {
		_, err := Parse("x.yaml", []byte("listen: 127.0.0.1:8808\nmetrics: "+in+"\nservers: {a: {command: [x]}}\n"))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
	}
}
