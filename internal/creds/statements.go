package creds

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Per-call SQL effects (docs/audit.md "Downstream effects"): what a
// minted role ran between two looks at the database's own statistics,
// pg_stat_statements. The counters are the server's, so they cover every
// statement the child ran with its role, whatever client library it uses;
// what they cannot say is which of two calls in flight at once ran a
// statement (Window.Close reports how many shared the window).

// Statement is one statement a role ran in a window, as the statistics
// know it: the fingerprint PostgreSQL computed from its normalized form
// (pg_stat_statements.queryid), its command, how many times it ran and
// the rows it returned or changed. Its text, even normalized, is not kept.
type Statement struct {
	QueryID int64
	Op      string // UPDATE, INSERT, SELECT, …; "" when the text was not readable
	Calls   int64
	Rows    int64
}

// stmtCount are one statement's counters.
type stmtCount struct{ calls, rows int64 }

// stmtSnapshot are a role's counters by queryid.
type stmtSnapshot map[int64]stmtCount

// ErrStatementsUnavailable wraps why a broker cannot read
// pg_stat_statements: the library is not preloaded, the extension is
// missing and cannot be created, or the admin role may not see other
// roles' statistics.
var ErrStatementsUnavailable = errors.New("pg_stat_statements unavailable")

// failPause is how long snapshots are not tried after one failed, so that
// a database in trouble does not slow every call by the snapshot timeout.
const failPause = 10 * time.Second

// maxOps bounds the cache of statement commands by queryid.
const maxOps = 10000

// statements is a broker's access to pg_stat_statements.
type statements struct {
	mu        sync.Mutex
	checked   bool
	err       error  // why unavailable, once checked
	fn        string // schema-qualified pg_stat_statements function
	dbid      uint32 // the database the roles use
	ops       map[int64]string
	failUntil time.Time
}

// EnableStatements checks, once per broker, that per-call statement
// effects can be read: pg_stat_statements preloaded, the extension
// present in the roles' database (created here when the admin role may),
// and the admin role allowed to see other roles' statistics (superuser or
// pg_read_all_stats). The error wraps ErrStatementsUnavailable and says
// what to change; it is kept, so a fix takes a gateway restart.
func (p *Postgres) EnableStatements(ctx context.Context) error {
	s := &p.stmts
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.checked {
		return s.err
	}
	err := s.check(ctx, p)
	if err != nil && ctx.Err() != nil {
		return err // not a verdict: try again next time
	}
	s.checked, s.err = true, err
	return err
}

func (s *statements) check(ctx context.Context, p *Postgres) error {
	unavailable := func(format string, a ...any) error {
		return fmt.Errorf("creds: postgres %s: %w: %s", p.target, ErrStatementsUnavailable, fmt.Sprintf(format, a...))
	}
	const schemaQ = `SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_stat_statements'`
	var schema string
	err := p.pool.QueryRow(ctx, schemaQ).Scan(&schema)
	if errors.Is(err, pgx.ErrNoRows) {
		if _, cerr := p.pool.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); cerr != nil {
			return unavailable("the extension is not installed in database %s and the admin role cannot create it (%v): run CREATE EXTENSION pg_stat_statements there", p.dbname, cerr)
		}
		p.log.Info("created extension pg_stat_statements for per-call SQL effects", "database", p.dbname)
		err = p.pool.QueryRow(ctx, schemaQ).Scan(&schema)
	}
	if err != nil {
		return fmt.Errorf("creds: postgres %s: pg_stat_statements: %w", p.target, err)
	}
	var seeAll bool
	if err := p.pool.QueryRow(ctx, `SELECT rolsuper OR pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') FROM pg_roles WHERE rolname = current_user`).Scan(&seeAll); err != nil {
		return fmt.Errorf("creds: postgres %s: pg_stat_statements: %w", p.target, err)
	}
	if !seeAll {
		return unavailable("the admin role cannot see the statistics of the roles it mints: GRANT pg_read_all_stats TO it")
	}
	fn := schema + ".pg_stat_statements"
	// Calling the function is what fails when the library is not loaded
	// (a constant-false WHERE would be planned away).
	_, err = p.pool.Exec(ctx, `SELECT 1 FROM `+fn+`(false) LIMIT 1`)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "55000" { // object_not_in_prerequisite_state
		return unavailable("the library is not loaded: add pg_stat_statements to shared_preload_libraries and restart PostgreSQL")
	}
	if err != nil {
		return fmt.Errorf("creds: postgres %s: pg_stat_statements: %w", p.target, err)
	}
	if err := p.pool.QueryRow(ctx, `SELECT oid FROM pg_database WHERE datname = current_database()`).Scan(&s.dbid); err != nil {
		return fmt.Errorf("creds: postgres %s: pg_stat_statements: %w", p.target, err)
	}
	s.fn, s.ops = fn, map[int64]string{}
	return nil
}

// snapshot reads role's counters in the roles' database. EnableStatements
// must have succeeded.
func (p *Postgres) snapshot(ctx context.Context, role string) (stmtSnapshot, error) {
	s := &p.stmts
	s.mu.Lock()
	fn, dbid, paused := s.fn, s.dbid, time.Now().Before(s.failUntil)
	s.mu.Unlock()
	if fn == "" {
		return nil, fmt.Errorf("creds: postgres %s: %w", p.target, ErrStatementsUnavailable)
	}
	if paused {
		return nil, errors.New("statistics not read: the last read failed less than 10s ago")
	}
	rows, err := p.pool.Query(ctx, `SELECT queryid, calls, rows FROM `+fn+`(false)
		WHERE userid = (SELECT oid FROM pg_roles WHERE rolname = $1) AND dbid = $2 AND queryid IS NOT NULL`, role, dbid)
	snap := stmtSnapshot{}
	if err == nil {
		var id, calls, n int64
		_, err = pgx.ForEachRow(rows, []any{&id, &calls, &n}, func() error {
			c := snap[id] // a statement run both top-level and nested has two rows
			snap[id] = stmtCount{c.calls + calls, c.rows + n}
			return nil
		})
	}
	if err != nil {
		s.mu.Lock()
		s.failUntil = time.Now().Add(failPause)
		s.mu.Unlock()
		return nil, fmt.Errorf("creds: postgres %s: read pg_stat_statements: %w", p.target, err)
	}
	return snap, nil
}

// diff lists what grew from old to cur, ordered by queryid, with each
// statement's command. A statement whose calls went down was evicted or
// reset in between: all of its current counters are new.
func (p *Postgres) diff(ctx context.Context, role string, old, cur stmtSnapshot) []Statement {
	var out []Statement
	for id, c := range cur {
		o := old[id]
		if c.calls < o.calls {
			o = stmtCount{}
		}
		if d := (stmtCount{c.calls - o.calls, c.rows - o.rows}); d.calls > 0 || d.rows > 0 {
			out = append(out, Statement{QueryID: id, Calls: d.calls, Rows: d.rows})
		}
	}
	slices.SortFunc(out, func(a, b Statement) int { return cmpInt(a.QueryID, b.QueryID) })
	p.fillOps(ctx, role, out)
	return out
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// fillOps sets each statement's command, from the cache or, for
// statements not seen before, from their normalized text (read here and
// not kept). A failure leaves Op empty: the fingerprint still names it.
func (p *Postgres) fillOps(ctx context.Context, role string, ss []Statement) {
	s := &p.stmts
	var missing []int64
	s.mu.Lock()
	for i := range ss {
		if op, ok := s.ops[ss[i].QueryID]; ok {
			ss[i].Op = op
		} else {
			missing = append(missing, ss[i].QueryID)
		}
	}
	fn, dbid := s.fn, s.dbid
	s.mu.Unlock()
	if len(missing) == 0 {
		return
	}
	rows, err := p.pool.Query(ctx, `SELECT DISTINCT queryid, query FROM `+fn+`(true)
		WHERE userid = (SELECT oid FROM pg_roles WHERE rolname = $1) AND dbid = $2 AND queryid = ANY($3)`, role, dbid, missing)
	if err != nil {
		p.log.Warn("per-call SQL effects: cannot read statement texts; effects carry no op", "err", err)
		return
	}
	found := map[int64]string{}
	var id int64
	var text string
	if _, err := pgx.ForEachRow(rows, []any{&id, &text}, func() error {
		found[id] = StatementOp(text)
		return nil
	}); err != nil {
		p.log.Warn("per-call SQL effects: cannot read statement texts; effects carry no op", "err", err)
		return
	}
	s.mu.Lock()
	if len(s.ops)+len(found) > maxOps {
		clear(s.ops)
	}
	for id, op := range found {
		s.ops[id] = op
	}
	s.mu.Unlock()
	for i := range ss {
		if op, ok := found[ss[i].QueryID]; ok {
			ss[i].Op = op
		}
	}
}

// Watch follows what one minted role runs, window by window: a window
// is one call in flight. Snapshots of the role are serialized, so each
// window's two snapshots bound exactly what ran meanwhile.
type Watch struct {
	p    *Postgres
	role string

	mu   sync.Mutex
	open map[*Window]struct{}
	// idle are the counters when the last window closed with none left
	// open (at mint: none; a fresh role has no statistics). Nil when
	// unknown after a failed snapshot: then nothing is reported as
	// outside a call until a window closes again.
	idle stmtSnapshot
}

// Window is one call's view of a role.
type Window struct {
	w      *Watch
	start  stmtSnapshot
	err    error
	shared int // windows of other calls open at some time during this one
}

// Watch returns the grant's watch; EnableStatements must have succeeded
// for its windows to see anything.
func (g *Grant) Watch() *Watch {
	g.watchOnce.Do(func() {
		g.watch = &Watch{p: g.p, role: g.ID, open: map[*Window]struct{}{}, idle: stmtSnapshot{}}
	})
	return g.watch
}

// Role is the watched role's name.
func (w *Watch) Role() string { return w.role }

// Database is the database the role was minted for.
func (w *Watch) Database() string { return w.p.dbname }

// Open starts a window before a call goes to the server. When no other
// window was open, outside lists what the role ran since the last window
// closed: statements of no call (the server's own work, or requests the
// gateway does not bracket). err is why the window will report nothing.
func (w *Watch) Open(ctx context.Context) (win *Window, outside []Statement, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	win = &Window{w: w}
	win.start, win.err = w.p.snapshot(ctx, w.role)
	if win.err == nil && len(w.open) == 0 && w.idle != nil {
		outside = w.p.diff(ctx, w.role, w.idle, win.start)
	}
	for o := range w.open {
		o.shared++
		win.shared++
	}
	w.open[win] = struct{}{}
	return win, outside, win.err
}

// Close ends the window once the server answered: what the role ran
// since Open, and how many other calls' windows overlapped it (their
// statements are in it too, and its in theirs).
func (win *Window) Close(ctx context.Context) (ran []Statement, shared int, err error) {
	w := win.w
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.open, win)
	end, err := w.p.snapshot(ctx, w.role)
	switch {
	case err != nil:
		if len(w.open) == 0 {
			w.idle = nil
		}
		return nil, win.shared, err
	case len(w.open) == 0:
		w.idle = end
	}
	if win.err != nil {
		return nil, win.shared, win.err
	}
	return w.p.diff(ctx, w.role, win.start, end), win.shared, nil
}

// Final lists what the role ran since the last window closed, when no
// window is open; the child is ending. Later statements are not seen.
func (w *Watch) Final(ctx context.Context) ([]Statement, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.open) > 0 || w.idle == nil {
		return nil, nil
	}
	end, err := w.p.snapshot(ctx, w.role)
	if err != nil {
		return nil, err
	}
	out := w.p.diff(ctx, w.role, w.idle, end)
	w.idle = end
	return out, nil
}

// StatementText returns the normalized text (constants replaced by $n)
// PostgreSQL keeps for queryid in database, as pg_stat_statements shows
// it to the connected role; found is false when it has none (evicted,
// reset, or another cluster). For replay: the audit record keeps only
// the queryid.
func StatementText(ctx context.Context, conn *pgx.Conn, database string, queryid int64) (text string, found bool, err error) {
	var schema string
	if err := conn.QueryRow(ctx, `SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_stat_statements'`).Scan(&schema); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return "", false, fmt.Errorf("%w: the extension is not installed in the connected database", ErrStatementsUnavailable)
		}
		return "", false, err
	}
	err = conn.QueryRow(ctx, `SELECT query FROM `+schema+`.pg_stat_statements(true)
		WHERE queryid = $1 AND dbid = (SELECT oid FROM pg_database WHERE datname = $2) AND query IS NOT NULL LIMIT 1`, queryid, database).Scan(&text)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return text, true, nil
}

// Normalized reports whether PostgreSQL replaces the constants in
// statements of command op by $n in pg_stat_statements: the planned
// commands, not utility statements (SET, CREATE ROLE … PASSWORD, COPY),
// whose text is kept as written before PostgreSQL 16.
func Normalized(op string) bool {
	switch op {
	case "SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "VALUES", "TABLE":
		return true
	}
	return false
}

// StatementOp is the command of a statement: its first keyword in upper
// case, or for WITH the command its common table expressions lead to.
// Comments, quoted strings and identifiers and parentheses are skipped
// as PostgreSQL's lexer would; "" when there is no keyword.
func StatementOp(q string) string {
	first, with := "", false
	depth := 0
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			for i < len(q) && q[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			// Block comments nest in PostgreSQL.
			n := 0
			for i < len(q) {
				if q[i] == '/' && i+1 < len(q) && q[i+1] == '*' {
					n++
					i += 2
				} else if q[i] == '*' && i+1 < len(q) && q[i+1] == '/' {
					n--
					i += 2
					if n == 0 {
						break
					}
				} else {
					i++
				}
			}
		case c == '\'' || c == '"':
			i++
			for i < len(q) {
				if q[i] == c {
					if i+1 < len(q) && q[i+1] == c { // doubled quote
						i += 2
						continue
					}
					break
				}
				i++
			}
			i++
		case c == '$':
			i = skipDollar(q, i)
		case c == '(':
			depth++
			i++
		case c == ')':
			depth--
			i++
		case isWordStart(c):
			j := i
			for j < len(q) && isWordPart(q[j]) {
				j++
			}
			w := strings.ToUpper(q[i:j])
			i = j
			if first == "" {
				first = w
				with = w == "WITH"
				if !with {
					return keyword(first)
				}
				continue
			}
			if depth == 0 {
				switch w {
				case "SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "VALUES", "TABLE":
					return w
				}
			}
		default:
			i++
		}
	}
	return keyword(first)
}

// skipDollar skips a $n parameter or a $tag$…$tag$ string at q[i] == '$'.
func skipDollar(q string, i int) int {
	j := i + 1
	for j < len(q) && (isWordPart(q[j]) && q[j] != '$') {
		j++
	}
	if j >= len(q) || q[j] != '$' || (j > i+1 && q[i+1] >= '0' && q[i+1] <= '9') {
		return j // $1, or a lone $
	}
	tag := q[i : j+1]
	if k := strings.Index(q[j+1:], tag); k >= 0 {
		return j + 1 + k + len(tag)
	}
	return len(q)
}

func isWordStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func isWordPart(c byte) bool { return isWordStart(c) || c >= '0' && c <= '9' || c == '$' }

// keyword keeps w when it can be a command keyword: ASCII letters, at
// most 32 of them.
func keyword(w string) string {
	if len(w) == 0 || len(w) > 32 {
		return ""
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'A' || w[i] > 'Z' {
			return ""
		}
	}
	return w
}
