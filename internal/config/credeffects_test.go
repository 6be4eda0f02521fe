package config

import (
	"strings"
	"testing"
)

// credentials.postgres.effects: on unless turned off, and a boolean.
func TestPostgresCredentialEffects(t *testing.T) {
	for yaml, want := range map[string]bool{
		"servers:\n  a: {command: [x], credentials: {postgres: {admin_dsn: secret://p, template: r}}}\n":                 true,
		"servers:\n  a: {command: [x], credentials: {postgres: {admin_dsn: secret://p, template: r, effects: false}}}\n": false,
		"servers:\n  a: {command: [x], credentials: {postgres: {admin_dsn: secret://p, template: r, effects: true}}}\n":  true,
	} {
		c, err := Parse("t.yaml", []byte(yaml))
		if err != nil {
			t.Fatalf("%s: %v", yaml, err)
		}
		s, _ := c.Server("a")
		if got := s.Credentials.Postgres.Effects; got != want {
			t.Errorf("%s: effects %v, want %v", yaml, got, want)
		}
	}
	_, err := Parse("t.yaml", []byte("servers:\n  a: {command: [x], credentials: {postgres: {admin_dsn: secret://p, template: r, effects: sometimes}}}\n"))
	if err == nil || !strings.Contains(err.Error(), "credentials.postgres.effects: expected true or false") {
		t.Errorf("effects: sometimes: %v", err)
	}
}
