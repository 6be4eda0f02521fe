package cli

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/sandbox"
)

func TestDoctorServers(t *testing.T) {
	cfg, err := config.Parse("t.yaml", []byte(`servers:
  strict: {command: [x]}
  waived: {command: [x], sandbox: {allow_degraded: [landlock, namespaces, seccomp, cgroup]}}
  open: {command: [x], sandbox: off}
  remote: {url: "https://example.com/mcp"}
`))
	if err != nil {
		t.Fatal(err)
	}
	bare := sandbox.Support{NamespacesWhy: "no userns here", LandlockWhy: "no landlock here"}
	var out bytes.Buffer
	refused := printServers(&out, cfg, bare)
	got := out.String()
	if refused != 1 {
		t.Errorf("refused %d servers, want 1 (strict):\n%s", refused, got)
	}
	for _, want := range []string{"strict  strict   NO", "waived  strict   yes", "open    off      yes", "no landlock here", "no userns here"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "remote") {
		t.Errorf("HTTP server listed:\n%s", got)
	}
}

func TestDoctorPaths(t *testing.T) {
	dir := t.TempDir()
	cfg, err := config.Parse("t.yaml", []byte("servers:\n  s:\n    command: [/bin/sh]\n    sandbox: {writable: ["+strconv.Quote(dir)+"]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	printPaths(&out, cfg)
	got := out.String()
	for _, want := range []string{"s:\n", "read-only: /usr", "writable:  /tmp (private) /dev/shm (private) " + dir, "network:   none", "env:       HOME LANG PATH TMPDIR"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}
