package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Case is one operator-written policy test: an input and the decision
// expected for it.
type Case struct {
	Name  string `yaml:"name"`
	Input struct {
		Principal struct {
			Subject  string   `yaml:"subject"`
			Issuer   string   `yaml:"issuer"`
			ClientID string   `yaml:"client_id"`
			Groups   []string `yaml:"groups"`
			Scopes   []string `yaml:"scopes"`
		} `yaml:"principal"`
		Server    string         `yaml:"server"`
		Method    string         `yaml:"method"`
		Tool      string         `yaml:"tool"`
		Risk      string         `yaml:"risk"`
		Arguments map[string]any `yaml:"arguments"`
		Session   struct {
			ID        string `yaml:"id"`
			Era       string `yaml:"era"`
			Transport string `yaml:"transport"`
		} `yaml:"session"`
		Now time.Time `yaml:"now"`
	} `yaml:"input"`
	Expect string `yaml:"expect"` // allow | deny
	Rule   string `yaml:"rule"`   // optional: the deciding rule
}

// TestFile is a policy and its cases.
type TestFile struct {
	Policy string `yaml:"policy"` // relative to the test file
	Cases  []Case `yaml:"cases"`
}

// Result is one case's outcome.
type Result struct {
	Case     Case
	Decision Decision
	Pass     bool
}

// RunTests loads the test file at path, its policy, and runs every case.
func RunTests(path string) (*Policy, []Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("policy test: %w", err)
	}
	var tf TestFile
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&tf); err != nil {
		return nil, nil, fmt.Errorf("policy test: %s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if tf.Policy == "" {
		return nil, nil, fmt.Errorf("policy test: %s: policy: the policy file is required", path)
	}
	pp := tf.Policy
	if !filepath.IsAbs(pp) {
		pp = filepath.Join(filepath.Dir(path), pp)
	}
	p, err := Load(pp)
	if err != nil {
		return nil, nil, err
	}
	var out []Result
	for i, c := range tf.Cases {
		if c.Expect != "allow" && c.Expect != "deny" {
			return nil, nil, fmt.Errorf("policy test: %s: cases[%d].expect: must be allow or deny, got %q", path, i, c.Expect)
		}
		in := Input{
			Principal: Principal{Subject: c.Input.Principal.Subject, Issuer: c.Input.Principal.Issuer, ClientID: c.Input.Principal.ClientID,
				Groups: c.Input.Principal.Groups, Scopes: c.Input.Principal.Scopes},
			Server: c.Input.Server, Method: c.Input.Method, Tool: c.Input.Tool, Risk: c.Input.Risk,
			Session: Session{ID: c.Input.Session.ID, Era: c.Input.Session.Era, Transport: c.Input.Session.Transport},
			Now:     c.Input.Now,
		}
		if in.Method == "" {
			in.Method = "tools/call"
		}
		if c.Input.Arguments != nil {
			in.Arguments, _ = Arguments(c.Input.Arguments).(map[string]any)
		}
		d := p.Decide(in)
		pass := d.Allow == (c.Expect == "allow") && (c.Rule == "" || c.Rule == d.Rule)
		out = append(out, Result{Case: c, Decision: d, Pass: pass})
	}
	return p, out, nil
}
