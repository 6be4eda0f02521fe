package policy

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mcpwarden/mcpwarden/internal/ratelimit"
)

// rawLimit is one entry of a policy file's rate_limits section.
type rawLimit struct {
	ID     string   `yaml:"id"`
	Server []string `yaml:"server"`
	Tool   []string `yaml:"tool"`
	Risk   []string `yaml:"risk"`
	Per    []string `yaml:"per"`
	Rate   string   `yaml:"rate"`
	Burst  *int     `yaml:"burst"`
}

// risks are the manifest's risk classes (manifest.Risks; a test keeps the two
// in step without making this engine import the manifest).
var risks = []string{"read", "write", "destructive", "external"}

// parseLimits checks the rate_limits section; ids share one namespace with
// the rules (seen), since both appear as the rule of a denial.
func parseLimits(raw []rawLimit, list *yaml.Node, seen map[string]bool, add func(*yaml.Node, string, string, ...any)) []ratelimit.Rule {
	var out []ratelimit.Rule
	for i, r := range raw {
		var n *yaml.Node
		if list != nil && i < len(list.Content) {
			n = list.Content[i]
		}
		path := fmt.Sprintf("rate_limits[%d]", i)
		at := func(key string) *yaml.Node {
			if v := valueOf(n, key); v != nil {
				return v
			}
			return n
		}
		ok := true
		bad := func(key, format string, args ...any) {
			add(at(key), path+"."+key, format, args...)
			ok = false
		}
		switch {
		case r.ID == "":
			bad("id", "is required")
		case seen[r.ID]:
			bad("id", "duplicate id %q (rules and rate limits share ids)", r.ID)
		case r.ID == DefaultDenyRule:
			bad("id", "%q is reserved", r.ID)
		}
		seen[r.ID] = true
		for _, d := range r.Per {
			if !slices.Contains(ratelimit.Dimensions, d) {
				bad("per", "unknown dimension %q (known: %s)", d, strings.Join(ratelimit.Dimensions, ", "))
			}
		}
		for _, k := range r.Risk {
			if !slices.Contains(risks, k) {
				bad("risk", "unknown risk class %q (known: %s)", k, strings.Join(risks, ", "))
			}
		}
		perSec, err := ratelimit.ParseRate(r.Rate)
		if err != nil {
			bad("rate", "%v", err)
		}
		// The burst defaults to the count of the rate: "30/m" lets 30
		// calls through at once, then one every two seconds.
		burst := 0
		if r.Burst != nil {
			burst = *r.Burst
		} else if c, _, found := strings.Cut(r.Rate, "/"); found {
			var f float64
			if _, err := fmt.Sscan(strings.TrimSpace(c), &f); err == nil {
				burst = max(1, int(f))
			}
		}
		if r.Burst != nil && (burst < 1 || burst > 1_000_000) {
			bad("burst", "must be between 1 and 1000000, got %d", burst)
		}
		if ok {
			out = append(out, ratelimit.Rule{ID: r.ID, Servers: r.Server, Tools: r.Tool, Risks: r.Risk,
				Per: r.Per, Rate: perSec, Burst: min(burst, 1_000_000)})
		}
	}
	return out
}
