package redteam

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Report is the result of a run.
type Report struct {
	Categories []CategorySummary `json:"categories"`
	Total      CategorySummary   `json:"total"`
	// FalsePositiveRate is false positives over benign cases, overall.
	FalsePositiveRate float64       `json:"false_positive_rate"`
	Duration          time.Duration `json:"duration_ns"`
	Cases             []Verdict     `json:"cases"`
}

// CategorySummary counts one category's outcomes.
type CategorySummary struct {
	Category    string `json:"category"`
	Attacks     int    `json:"attacks"`
	Detected    int    `json:"detected"`
	Missed      int    `json:"missed"`
	Unavailable int    `json:"unavailable"` // refused by *.unavailable: not a detection
	Benign      int    `json:"benign"`
	Passed      int    `json:"passed"`
	FalsePos    int    `json:"false_positives"`
	Errors      int    `json:"errors"`
	Skipped     int    `json:"skipped"` // not sent: outside what this transport can carry
}

func (s *CategorySummary) add(v Verdict) {
	if v.Outcome == Skipped {
		s.Skipped++
		return
	}
	if v.Kind == KindAttack {
		s.Attacks++
	} else {
		s.Benign++
	}
	switch v.Outcome {
	case Detected:
		s.Detected++
	case Missed:
		s.Missed++
	case Unavailable:
		s.Unavailable++
	case Passed:
		s.Passed++
	case FalsePositive:
		s.FalsePos++
	case Errored:
		s.Errors++
	}
}

func (r *Report) summarize() {
	by := map[string]*CategorySummary{}
	r.Total = CategorySummary{Category: "total"}
	for _, v := range r.Cases {
		s := by[v.Category]
		if s == nil {
			s = &CategorySummary{Category: v.Category}
			by[v.Category] = s
		}
		s.add(v)
		r.Total.add(v)
	}
	r.Categories = r.Categories[:0]
	for _, s := range by {
		r.Categories = append(r.Categories, *s)
	}
	sort.Slice(r.Categories, func(i, j int) bool { return r.Categories[i].Category < r.Categories[j].Category })
	r.FalsePositiveRate = 0
	if r.Total.Benign > 0 {
		r.FalsePositiveRate = float64(r.Total.FalsePos) / float64(r.Total.Benign)
	}
}

// Failed reports why the run fails its targets: any attack not detected
// (missed, refused only by an unavailable guard, or errored), or benign
// cases refused above maxFP (a fraction).
func (r *Report) Failed(maxFP float64) []string {
	var why []string
	t := r.Total
	if n := t.Missed; n > 0 {
		why = append(why, fmt.Sprintf("%d attack(s) got through", n))
	}
	if n := t.Unavailable; n > 0 {
		why = append(why, fmt.Sprintf("%d attack(s) were refused only because a guard is not built", n))
	}
	if n := t.Errors; n > 0 {
		why = append(why, fmt.Sprintf("%d case(s) could not be judged", n))
	}
	if r.FalsePositiveRate > maxFP {
		why = append(why, fmt.Sprintf("false-positive rate %.1f %% is above %.1f %%", 100*r.FalsePositiveRate, 100*maxFP))
	}
	return why
}

// WriteTable prints the per-category table and every case that is not
// where it should be.
func (r *Report) WriteTable(w io.Writer, verbose bool) {
	cw := len("category")
	for _, c := range r.Categories {
		cw = max(cw, len(c.Category))
	}
	head := []string{"attacks", "detected", "missed", "unavailable", "benign", "passed", "false+", "errors"}
	fmt.Fprintf(w, "%-*s", cw, "category")
	for _, h := range head {
		fmt.Fprintf(w, "  %*s", len(h), h)
	}
	fmt.Fprintln(w)
	row := func(s CategorySummary) {
		fmt.Fprintf(w, "%-*s", cw, s.Category)
		for i, n := range []int{s.Attacks, s.Detected, s.Missed, s.Unavailable, s.Benign, s.Passed, s.FalsePos, s.Errors} {
			fmt.Fprintf(w, "  %*d", len(head[i]), n)
		}
		fmt.Fprintln(w)
	}
	for _, s := range r.Categories {
		row(s)
	}
	row(r.Total)
	fmt.Fprintf(w, "false-positive rate: %d/%d = %.1f %%; %d cases in %s\n", r.Total.FalsePos, r.Total.Benign,
		100*r.FalsePositiveRate, len(r.Cases), r.Duration.Round(time.Millisecond))
	if r.Total.Skipped > 0 {
		fmt.Fprintf(w, "%d case(s) skipped: the client cannot send them over this transport\n", r.Total.Skipped)
	}
	var bad []Verdict
	for _, v := range r.Cases {
		if verbose || (v.Outcome != Detected && v.Outcome != Passed) {
			bad = append(bad, v)
		}
	}
	if len(bad) == 0 {
		return
	}
	fmt.Fprintln(w)
	idw, rw := 0, 1
	for _, v := range bad {
		idw, rw = max(idw, len(v.ID)), max(rw, len(v.Rule))
	}
	for _, v := range bad {
		rule := v.Rule
		if rule == "" {
			rule = "-"
		}
		fmt.Fprintf(w, "%-14s  %-*s  %-*s  %-*s  %s\n", strings.ToUpper(v.Outcome), cw, v.Category, idw, v.ID, rw, rule, clip(v.Detail, 200))
	}
}

// WriteJSON writes the whole report.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// JUnit XML, the subset CI systems read.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Name    string       `xml:"name,attr"`
	Tests   int          `xml:"tests,attr"`
	Fails   int          `xml:"failures,attr"`
	Errors  int          `xml:"errors,attr"`
	Time    string       `xml:"time,attr"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name   string      `xml:"name,attr"`
	Tests  int         `xml:"tests,attr"`
	Fails  int         `xml:"failures,attr"`
	Errors int         `xml:"errors,attr"`
	Time   string      `xml:"time,attr"`
	Cases  []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Skipped   *junitProblem `xml:"skipped,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Type    string `xml:"type,attr"`
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func secs(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// WriteJUnit writes one test suite per category and one test case per
// case; missed, unavailable and false positives are failures.
func (r *Report) WriteJUnit(w io.Writer) error {
	out := junitSuites{Name: "mcpwarden redteam", Time: secs(r.Duration)}
	idx := map[string]int{}
	for _, v := range r.Cases {
		i, ok := idx[v.Category]
		if !ok {
			i = len(out.Suites)
			idx[v.Category] = i
			out.Suites = append(out.Suites, junitSuite{Name: v.Category})
		}
		s := &out.Suites[i]
		jc := junitCase{Name: v.ID, Classname: "redteam." + v.Category, Time: secs(v.Duration),
			SystemOut: fmt.Sprintf("%s %s: %s (rule %s) %s", v.Kind, v.Phase, v.Outcome, v.Rule, v.Title)}
		p := &junitProblem{Type: v.Outcome, Message: v.Detail, Text: fmt.Sprintf("%s\nfile: %s\nrule: %s\n", v.Title, v.File, v.Rule)}
		switch v.Outcome {
		case Missed, Unavailable, FalsePositive:
			jc.Failure = p
			s.Fails++
			out.Fails++
		case Errored:
			jc.Error = p
			s.Errors++
			out.Errors++
		case Skipped:
			jc.Skipped = p
		}
		s.Tests++
		out.Tests++
		s.Cases = append(s.Cases, jc)
	}
	for i := range out.Suites {
		var d time.Duration
		for _, v := range r.Cases {
			if v.Category == out.Suites[i].Name {
				d += v.Duration
			}
		}
		out.Suites[i].Time = secs(d)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
