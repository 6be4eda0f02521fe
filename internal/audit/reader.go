package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Source is what the verifier reads: a store or an exported bundle.
type Source interface {
	// Records calls fn for every record in storage order. tree is the
	// stored tlog hashes, nil when the source does not keep them.
	Records(ctx context.Context, fn func(data, tree []byte) error) error
	// Checkpoints returns the signed checkpoints, smallest tree first.
	Checkpoints(ctx context.Context) ([][]byte, error)
}

// Reader reads a store without writing to it.
type Reader struct {
	db *sql.DB
	pg bool // PostgreSQL: $n placeholders (pgreader.go)
}

// OpenReader opens the store at loc for reading. The file must exist.
func OpenReader(loc Location) (*Reader, error) {
	if loc.Off {
		return nil, errors.New("audit: the store is off")
	}
	if loc.Postgres != "" {
		return openPGReader(loc)
	}
	if _, err := os.Stat(loc.Path); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+loc.Path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		return nil, fmt.Errorf("audit: open %s: %w", loc.Path, err)
	}
	db.SetMaxOpenConns(1)
	return &Reader{db: db}, nil
}

func (r *Reader) Close() error { return r.db.Close() }

// DB exposes the database to tests that tamper with it.
func (r *Reader) DB() *sql.DB { return r.db }

// Origin returns the log's name.
func (r *Reader) Origin(ctx context.Context) (string, error) {
	var o string
	err := r.db.QueryRowContext(ctx, r.q(`SELECT v FROM meta WHERE k='origin'`)).Scan(&o)
	return o, err
}

// StoredVerifiers returns the verifier keys the store recorded. They come
// from the file being checked: an independent check takes --pubkey.
func (r *Reader) StoredVerifiers(ctx context.Context) ([]note.Verifier, error) {
	rows, err := r.db.QueryContext(ctx, r.q(`SELECT v FROM meta WHERE k LIKE 'vkey:%'`))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []note.Verifier
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		if v, err := note.NewVerifier(s); err == nil {
			out = append(out, v)
		}
	}
	return out, rows.Err()
}

func (r *Reader) Records(ctx context.Context, fn func(data, tree []byte) error) error {
	rows, err := r.db.QueryContext(ctx, r.q(`SELECT data, tree FROM records ORDER BY seq`))
	if err != nil {
		return err
	}
	defer rows.Close()
	var data, tree []byte
	for rows.Next() {
		if err := rows.Scan(&data, &tree); err != nil {
			return err
		}
		if err := fn(data, tree); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (r *Reader) Checkpoints(ctx context.Context) ([][]byte, error) {
	return r.checkpointsUpTo(ctx, -1)
}

func (r *Reader) checkpointsUpTo(ctx context.Context, max int64) ([][]byte, error) {
	rows, err := r.db.QueryContext(ctx, r.q(`SELECT note FROM checkpoints WHERE ? < 0 OR size <= ? ORDER BY size`), max, max)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// Filter selects records for query and tail.
type Filter struct {
	Since, Until time.Time
	Server       string
	Tool         string // tool, prompt or resource name
	Decision     string
	Session      string
	TraceID      string
	Subject      string // the principal's subject (read from the record: a scan)
	ID           string // one record id
	AfterSeq     int64  // only records with seq > AfterSeq (-1: all)
	Limit        int    // 0: no limit
	Last         bool   // the newest Limit records, still printed oldest first
}

// Query calls fn with each matching record, oldest first.
func (r *Reader) Query(ctx context.Context, f Filter, fn func(seq int64, data []byte) error) error {
	var where []string
	var args []any
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if !f.Since.IsZero() {
		add("time_ns >= ?", f.Since.UnixNano())
	}
	if !f.Until.IsZero() {
		add("time_ns < ?", f.Until.UnixNano())
	}
	for _, c := range []struct{ col, v string }{{"server", f.Server}, {"name", f.Tool}, {"decision", f.Decision}, {"session", f.Session}, {"trace_id", f.TraceID}, {"id", f.ID}} {
		if c.v != "" {
			if r.pg {
				c.v = pgText(c.v) // as the writer stored it
			}
			add(c.col+" = ?", c.v)
		}
	}
	// PostgreSQL matches the subject here, below, rather than in SQL: a
	// record with a \u0000 escape would fail a jsonb cast for the whole
	// query.
	limit, bySubject := f.Limit, f.Subject != "" && r.pg
	if f.Subject != "" && !r.pg {
		add("json_extract(data, '$.subject') = ?", f.Subject)
	}
	if f.AfterSeq >= 0 {
		add("seq > ?", f.AfterSeq)
	}
	q := `SELECT seq, data FROM records`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Last {
		q += " ORDER BY seq DESC"
	} else {
		q += " ORDER BY seq"
	}
	if f.Limit > 0 && !bySubject {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := r.db.QueryContext(ctx, r.q(q), args...)
	if err != nil {
		return err
	}
	type row struct {
		seq  int64
		data []byte
	}
	var buffered []row
	matched := 0
	for rows.Next() {
		var x row
		if err := rows.Scan(&x.seq, &x.data); err != nil {
			rows.Close()
			return err
		}
		if bySubject {
			if subjectOf(x.data) != f.Subject {
				continue
			}
			if matched++; limit > 0 && matched > limit {
				break
			}
		}
		if f.Last {
			buffered = append(buffered, x)
			continue
		}
		if err := fn(x.seq, x.data); err != nil {
			rows.Close()
			return err
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	slices.Reverse(buffered)
	for _, x := range buffered {
		if err := fn(x.seq, x.data); err != nil {
			return err
		}
	}
	return nil
}
