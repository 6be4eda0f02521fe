package audit

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// The writer inserts records through the SQLite driver's own statements
// (database/sql's Conn.Raw), insRows records to a statement. Per record,
// database/sql's argument conversion, locking and result, and the
// statement's fixed work in SQLite (a program start, opening the table and
// index cursors, reset and unbinding) cost about as much as the insert
// itself; BenchmarkCommitGateway has the figures (docs/audit.md).

const (
	insRows = 16 // records per multi-row INSERT
	insCols = 11
)

// insSizes are the rows of the prepared INSERTs, largest first (the first
// is insRows): a batch goes in the largest statements that fit, so that
// its remainder below insRows takes a statement per set bit of its size
// rather than one per record.
var insSizes = [...]int{insRows, 8, 4, 2, 1}

const insertHead = `INSERT INTO records (seq, id, time_ns, session, trace_id, server, name, method, decision, data, tree) VALUES `

func insertSQL(rows int) string {
	row := "(" + strings.Repeat("?,", insCols-1) + "?)"
	return insertHead + strings.Repeat(row+",", rows-1) + row
}

// rawInsert holds the writer's driver statements and scratch space. It is
// used only by the writer goroutine, inside Conn.Raw.
type rawInsert struct {
	conn  any                        // the driver connection the statements were prepared on
	stmts [len(insSizes)]driver.Stmt // stmts[i] inserts insSizes[i] records
	args  []driver.NamedValue
	buf   []byte // data and tree bytes of the records of one statement
	spans [insRows][3]int
	// The last value made for each of the session, server, name, method
	// and decision columns: consecutive records mostly share them, and
	// each string put in an interface is an allocation.
	last  [5]string
	lastV [5]driver.Value
}

// text returns s as a driver value for column c of last.
func (ri *rawInsert) text(c int, s string) driver.Value {
	if ri.lastV[c] != nil && ri.last[c] == s {
		return ri.lastV[c]
	}
	v := driver.Value(s)
	ri.last[c], ri.lastV[c] = s, v
	return v
}

// prepare makes the statements on dc, once per driver connection (the
// pool holds one; a new one comes only after database/sql discarded the
// old, with its statements).
func (ri *rawInsert) prepare(dc any) error {
	if ri.conn == dc && ri.stmts[0] != nil {
		return nil
	}
	pc, ok := dc.(driver.ConnPrepareContext)
	if !ok {
		return errors.New("audit: the SQLite driver cannot prepare statements")
	}
	var stmts [len(insSizes)]driver.Stmt
	for i, rows := range insSizes {
		st, err := pc.PrepareContext(context.Background(), insertSQL(rows))
		if err != nil {
			for _, p := range stmts[:i] {
				p.Close()
			}
			return fmt.Errorf("audit: prepare insert: %w", err)
		}
		stmts[i] = st
	}
	ri.conn, ri.stmts = dc, stmts
	if ri.args == nil {
		ri.args = make([]driver.NamedValue, insRows*insCols)
		for i := range ri.args {
			ri.args[i].Ordinal = i + 1
		}
	}
	return nil
}

// closeRaw finalizes the insert statements before the database closes.
func (s *Store) closeRaw() {
	ri := &s.raw
	if ri.stmts[0] == nil {
		return
	}
	c, err := s.db.Conn(context.Background())
	if err != nil {
		return
	}
	defer c.Close()
	c.Raw(func(dc any) error {
		if dc == ri.conn { // else they went with a connection database/sql closed
			for _, st := range ri.stmts {
				st.Close()
			}
		}
		return nil
	})
	ri.stmts, ri.conn = [len(insSizes)]driver.Stmt{}, nil
}

// insert chains, hashes and inserts batch on the driver connection dc,
// advancing s.n, s.last and s.front (commit restores them on error).
func (s *Store) insert(dc any, batch []*pending) error {
	ri := &s.raw
	if err := ri.prepare(dc); err != nil {
		return err
	}
	for len(batch) > 0 {
		si := 0
		for insSizes[si] > len(batch) {
			si++
		}
		k, stmt := insSizes[si], ri.stmts[si]
		// The chain is sequential: each record's data names the hash of
		// the one before. Offsets first, slices once buf stops growing.
		buf := ri.buf[:0]
		seq0 := s.n
		var hsBuf [64]tlog.Hash
		for i, p := range batch[:k] {
			start := len(buf)
			buf = encodeHead(buf, s.n, s.last)
			buf = append(buf, p.body...)
			end := len(buf)
			hs := s.front.append(hsBuf[:0], buf[start:end])
			for _, h := range hs {
				buf = append(buf, h[:]...)
			}
			ri.spans[i] = [3]int{start, end, len(buf)}
			s.last = hs[0]
			s.n++
		}
		ri.buf = buf
		args := ri.args[:k*insCols]
		for i, p := range batch[:k] {
			sp := ri.spans[i]
			a := args[i*insCols : (i+1)*insCols]
			a[0].Value = seq0 + int64(i)
			a[1].Value = p.id
			a[2].Value = p.timeNS
			a[3].Value = ri.text(0, p.session)
			a[4].Value = p.trace
			a[5].Value = ri.text(1, p.server)
			a[6].Value = ri.text(2, p.name)
			a[7].Value = ri.text(3, p.method)
			a[8].Value = ri.text(4, p.decision)
			a[9].Value = buf[sp[0]:sp[1]:sp[1]]
			a[10].Value = buf[sp[1]:sp[2]:sp[2]]
		}
		// The driver copies what it binds: buf is reused for the next
		// statement.
		_, err := stmt.(driver.StmtExecContext).ExecContext(context.Background(), args)
		for i := range args { // no references to the records until the next use
			args[i].Value = nil
		}
		if err != nil {
			return fmt.Errorf("audit: insert: %w", err)
		}
		batch = batch[k:]
	}
	return nil
}
