// Package sqlguard decides whether a SQL string is one PostgreSQL query that
// only reads. It parses with the real PostgreSQL parser (libpg_query through
// github.com/pganalyze/pg_query_go/v6) and judges the parse tree, never the
// text, so words such as drop or a ; inside literals, dollar quotes, quoted
// identifiers and comments are data, while a second statement hidden behind
// a comment is seen for what it is. It is a pure engine: a string and
// Options in, a Decision out.
//
// Design: allow-lists where the grammar is closed, a deny-list where it is
// open.
//   - The root statement must be a SelectStmt (SELECT, VALUES, TABLE, set
//     operations), or an EXPLAIN of one with known options, judged as the
//     SelectStmt alone; every other statement kind is refused, including
//     ones PostgreSQL adds later.
//   - Every node of the tree must be of a kind listed in readNodes (the
//     expressions and clauses a plain read can contain). A node kind the
//     guard does not know is refused, so a new construct fails closed.
//   - Function names are open (thousands of built-ins, user functions), so
//     they are checked against a deny-list of functions that write, sleep,
//     lock, reach files, the network or other sessions, or run SQL given as
//     text; Options.Functions turns this into an allow-list for operators
//     who know the functions their tool needs.
//
// Scope: the guard judges the query as PostgreSQL reads it; it is not for
// other databases. It cannot see inside functions: a user-defined function
// that writes is called like any other unless Functions pins the list, so a
// read-only role (or default_transaction_read_only) remains the real
// boundary. Reading is not judged beyond Tables and a few credential
// catalogs: a role that can read a secret can read it through this guard.
package sqlguard

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	pg "github.com/pganalyze/pg_query_go/v6"
	"github.com/pganalyze/pg_query_go/v6/parser"
)

// MaxLen bounds the input; longer queries are denied before parsing.
const MaxLen = 64 << 10

// Rule ids reported in Decision.Rule.
const (
	RuleConfig         = "sql.config"
	RuleInternal       = "sql.internal"
	RuleTooLong        = "sql.too-long"
	RuleTooDeep        = "sql.too-deep"
	RuleNUL            = "sql.nul"
	RuleEncoding       = "sql.encoding"
	RuleParse          = "sql.parse"
	RuleEmpty          = "sql.empty"
	RuleStacked        = "sql.stacked"
	RuleStatement      = "sql.statement"
	RuleWrite          = "sql.write"
	RuleDDL            = "sql.ddl"
	RuleDCL            = "sql.dcl"
	RuleCopy           = "sql.copy"
	RuleDynamic        = "sql.dynamic"
	RuleSet            = "sql.set"
	RuleNotify         = "sql.notify"
	RuleCall           = "sql.call"
	RuleTransaction    = "sql.transaction"
	RuleSelectInto     = "sql.select-into"
	RuleLocking        = "sql.locking"
	RuleConstruct      = "sql.construct"
	RuleFunction       = "sql.function"
	RuleSetting        = "sql.setting"
	RuleCatalog        = "sql.sensitive-catalog"
	RuleTable          = "sql.table"
	RuleTautology      = "sql.tautology"
	RuleForeignComment = "sql.foreign-comment"
	RuleBackslashQuote = "sql.backslash-quote"
	RuleHeavy          = "sql.heavy"
)

// ReadOnly is the one mode: exactly one statement that only reads.
const ReadOnly = "read_only"

// Options tunes Check. Mode must be ReadOnly; any other value denies every
// query (a guard with no mode must not pass anything).
type Options struct {
	Mode string
	// NoTautology refuses an OR with an operand that is always true
	// (OR 1=1, OR 'a'='a', OR TRUE, OR NOT NOT TRUE, OR x = x): the shape
	// of an injected condition. A lone WHERE 1=1 is not refused: query
	// builders write it.
	NoTautology bool
	// Tables, when non-empty, lists every relation the query may read,
	// written as PostgreSQL stores the name (lower case unless created
	// quoted), with its schema when the query names one: "invoices"
	// matches FROM invoices, "public.invoices" matches FROM public.invoices.
	// Everything else is refused, system catalogs and information_schema
	// included. CTE names are not relations.
	Tables []string
	// Functions, when non-empty, lists every function the query may call
	// (lower case; "name" also matches pg_catalog.name, which is how the
	// parser writes EXTRACT, SUBSTRING, TRIM and the like). The deny-list
	// applies even to listed functions.
	Functions []string
}

// Decision is the outcome of Check: Allow, or the Rule that refused and a
// Reason fit to show to the caller.
type Decision struct {
	Allow  bool
	Rule   string
	Reason string
}

func deny(rule, format string, a ...any) Decision {
	return Decision{Rule: rule, Reason: fmt.Sprintf(format, a...)}
}

// Check parses query and allows it only if it passes every rule for o.
// Anything it cannot judge is denied, a bug in the guard included.
func Check(query string, o Options) (d Decision) {
	defer func() {
		if r := recover(); r != nil {
			d = deny(RuleInternal, "the guard failed to judge the query")
		}
	}()
	if o.Mode != ReadOnly {
		if o.Mode == "" {
			return deny(RuleConfig, "no mode is set (the one mode is %s)", ReadOnly)
		}
		return deny(RuleConfig, "unknown mode %q (the one mode is %s)", o.Mode, ReadOnly)
	}
	if len(query) > MaxLen {
		return deny(RuleTooLong, "the query is longer than %d bytes", MaxLen)
	}
	// The parser reads a C string: a NUL would end the query it judges
	// while the server may be sent what follows.
	if strings.IndexByte(query, 0) >= 0 {
		return deny(RuleNUL, "the query contains a NUL byte")
	}
	if !utf8.ValidString(query) {
		return deny(RuleEncoding, "the query is not valid UTF-8")
	}
	if d, ok := lexical(query); !ok {
		return d
	}
	js, err := parser.ParseToJSON(query)
	if err != nil {
		return deny(RuleParse, "the query does not parse as PostgreSQL: %s", parseMessage(err))
	}
	dec := decoders.Get().(*decoder)
	defer releaseDecoder(dec)
	tree, err := dec.decode(js)
	if errors.Is(err, errTooDeep) {
		return deny(RuleTooDeep, "the query nests deeper than the guard judges")
	}
	if err != nil {
		return deny(RuleParse, "the query's parse tree could not be read: %v", err)
	}
	stmts := tree.list("stmts")
	switch n := len(stmts); {
	case n == 0:
		return deny(RuleEmpty, "the query has no statement")
	case n > 1:
		return deny(RuleStacked, "the query has %d statements; exactly one is allowed", n)
	}
	root := stmts[0].child("stmt")
	if root.is("ExplainStmt") {
		// EXPLAIN of a query that would be allowed on its own: with ANALYZE
		// it runs that query, without it only plans it.
		if d, ok := explain(root); !ok {
			return d
		}
		root = root.child("query")
	}
	if !root.is("SelectStmt") {
		return rootDenial(root)
	}
	w := &walker{o: &o}
	w.selectStmt(root)
	if w.denied != nil {
		return *w.denied
	}
	return Decision{Allow: true}
}

// explainOptions are the EXPLAIN options PostgreSQL 17 knows; each only
// chooses what the plan shows, or (analyze) runs the query explained.
var explainOptions = map[string]bool{
	"analyze": true, "analyse": true, "verbose": true, "costs": true, "settings": true, "generic_plan": true,
	"buffers": true, "serialize": true, "wal": true, "timing": true, "summary": true, "memory": true, "format": true,
}

// explain allows an EXPLAIN whose options are known and whose query is a
// SELECT; the SELECT is then judged like any query.
func explain(n *tnode) (Decision, bool) {
	for _, o := range n.list("options") {
		if !o.is("DefElem") || !explainOptions[strings.ToLower(o.str("defname"))] {
			return deny(RuleStatement, "an EXPLAIN option the guard does not know"), false
		}
	}
	if q := n.child("query"); !q.is("SelectStmt") {
		kind := "an empty statement"
		if q != nil {
			kind = strings.TrimSuffix(q.t.name, "Stmt")
		}
		return deny(RuleStatement, "only EXPLAIN of a SELECT is allowed; this explains %s", kind), false
	}
	return Decision{}, true
}

// parseMessage keeps the parser's message short and single-line.
func parseMessage(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return printable(s, 200)
}

// printable keeps text from the query (a name, the parser's "at or near")
// short and free of control characters in a reason.
func printable(s string, max int) string {
	if len(s) > max {
		s = s[:max] + "…"
	}
	return strings.ToValidUTF8(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, s), "")
}

// lexical refuses token-level tricks the parse tree cannot show. It scans
// only when a cheap substring test says the trick may be there.
func lexical(query string) (Decision, bool) {
	comment := strings.Contains(query, "/*!") || strings.Contains(query, "/*M!")
	backslash := strings.Contains(query, `\'`)
	if !comment && !backslash {
		return Decision{}, true
	}
	res, err := pg.Scan(query)
	if err != nil {
		return deny(RuleParse, "the query does not scan as PostgreSQL: %s", parseMessage(err)), false
	}
	for _, t := range res.Tokens {
		if t.Start < 0 || t.End > int32(len(query)) || t.Start > t.End {
			continue
		}
		text := query[t.Start:t.End]
		switch t.Token {
		case pg.Token_C_COMMENT:
			// MySQL runs /*! … */ (MariaDB also /*M! … */) as code;
			// PostgreSQL ignores it. Refused so that what is checked here is
			// what any server runs.
			if comment && (strings.HasPrefix(text, "/*!") || strings.HasPrefix(text, "/*M!")) {
				return deny(RuleForeignComment, "a /*! comment is code to MySQL and a comment to PostgreSQL"), false
			}
		case pg.Token_SCONST, pg.Token_USCONST:
			// With standard_conforming_strings off (a server or role
			// setting) a backslash escapes the quote after it, and the
			// query would end somewhere else than where it was checked.
			// E'' strings escape the same way under both settings.
			if backslash && !isEscapeString(text) && strings.Contains(text, `\'`) {
				return deny(RuleBackslashQuote, "a backslash before a quote in a string literal reads differently when standard_conforming_strings is off; use E'' or double the quote"), false
			}
		}
	}
	return Decision{}, true
}

func isEscapeString(tok string) bool {
	return len(tok) > 1 && (tok[0] == 'E' || tok[0] == 'e') && tok[1] == '\''
}

// ParseSettings decodes a manifest's settings for the sql guard, strictly:
// a JSON object with mode (required, "read_only"), no_tautology (bool),
// tables and functions (lists of non-empty strings). Unknown keys, keys in
// another case and wrong types are errors, so a typo cannot switch a check
// off.
func ParseSettings(settings []byte) (Options, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(settings, &raw); err != nil || raw == nil {
		return Options{}, fmt.Errorf("sqlguard: settings must be a mapping with a mode (e.g. {mode: %s})", ReadOnly)
	}
	var o Options
	strict := func(key string, v any) error {
		if err := json.Unmarshal(raw[key], v); err != nil {
			return fmt.Errorf("sqlguard: %s has the wrong type", key)
		}
		return nil
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		var err error
		switch k {
		case "mode":
			if err = strict(k, &o.Mode); err == nil && o.Mode != ReadOnly {
				err = fmt.Errorf("sqlguard: unknown mode %q (known: %s)", o.Mode, ReadOnly)
			}
		case "no_tautology":
			err = strict(k, &o.NoTautology)
		case "tables":
			err = names(k, raw[k], &o.Tables)
		case "functions":
			err = names(k, raw[k], &o.Functions)
		default:
			err = fmt.Errorf("sqlguard: unknown setting %q (known: mode, no_tautology, tables, functions)", k)
		}
		if err != nil {
			return Options{}, err
		}
	}
	if o.Mode == "" {
		return Options{}, fmt.Errorf("sqlguard: mode is required (known: %s)", ReadOnly)
	}
	return o, nil
}

func names(key string, raw json.RawMessage, out *[]string) error {
	var l []string
	if err := json.Unmarshal(raw, &l); err != nil || len(l) == 0 {
		return fmt.Errorf("sqlguard: %s must be a non-empty list of names", key)
	}
	for _, s := range l {
		if s == "" || strings.TrimSpace(s) != s {
			return fmt.Errorf("sqlguard: %s: %q is not a name", key, s)
		}
	}
	*out = l
	return nil
}
