package audit

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// A cut lets verification start at record Size instead of 0. Its note is
// a checkpoint of the tree at Size with one extension line, "prev <hex>":
// the hash of record Size-1, which record Size must chain to. The tree
// frontier at Size is stored beside it and checked against the signed
// root, so the tree can be continued without the removed records.

type cut struct {
	c        Checkpoint
	prev     tlog.Hash
	frontier *frontier
}

func cutText(c Checkpoint, prev tlog.Hash) string {
	return c.text() + "prev " + hex.EncodeToString(prev[:]) + "\n"
}

func encodeFrontier(f *frontier) []byte {
	var b []byte
	for l := 0; l < 63; l++ {
		if f.n>>l&1 == 1 {
			b = append(b, f.roots[l][:]...)
		}
	}
	return b
}

func decodeFrontier(n int64, b []byte) (*frontier, error) {
	f := &frontier{n: n}
	for l := 0; l < 63; l++ {
		if n>>l&1 == 1 {
			if len(b) < tlog.HashSize {
				return nil, errors.New("short frontier")
			}
			copy(f.roots[l][:], b)
			b = b[tlog.HashSize:]
		}
	}
	if len(b) != 0 {
		return nil, errors.New("long frontier")
	}
	return f, nil
}

// openCut verifies a cut's signature, its prev line and that the frontier
// hashes to the signed root.
func openCut(msg, front []byte, known note.Verifiers) (*cut, error) {
	n, err := note.Open(msg, known)
	if err != nil {
		return nil, err
	}
	c, err := parseCheckpoint(n.Text)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	var prev tlog.Hash
	if len(lines) != 4 || !strings.HasPrefix(lines[3], "prev ") {
		return nil, errors.New("cut without a prev line")
	}
	if b, err := hex.DecodeString(lines[3][5:]); err != nil || len(b) != tlog.HashSize {
		return nil, errors.New("cut with a malformed prev line")
	} else {
		copy(prev[:], b)
	}
	f, err := decodeFrontier(c.Size, front)
	if err != nil {
		return nil, err
	}
	root, err := f.root()
	if err != nil || root != c.Root {
		return nil, errors.New("the stored tree frontier does not match the signed root")
	}
	return &cut{c: c, prev: prev, frontier: f}, nil
}

// retain removes records older than the retention period: it signs a cut
// at the first record to keep, then deletes below it. Runs on the writer
// goroutine.
func (s *Store) retain() {
	if s.opts.Key == nil {
		s.opts.Logger.Warn("audit: retention needs a signing key; nothing removed")
		return
	}
	before := time.Now().Add(-s.opts.Retention).UnixNano()
	removed, size, err := s.cutBefore(before)
	if err != nil {
		s.opts.Logger.Error("audit: retention failed", "err", err)
		return
	}
	if removed > 0 {
		s.opts.Logger.Warn("audit: retention removed old records below a signed cut",
			"removed", removed, "cut", size, "retention", s.opts.Retention.String())
	}
}

func (s *Store) cutBefore(beforeNS int64) (removed int64, size int64, err error) {
	tx, err := s.db.Begin()
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()
	var floor, keep sql.NullInt64
	if err := tx.QueryRow(`SELECT coalesce(max(size), 0) FROM cuts`).Scan(&floor); err != nil {
		return 0, 0, err
	}
	// Records are in time order only roughly (each has its request's
	// start time): cut at the first record at or after the limit.
	if err := tx.QueryRow(`SELECT min(seq) FROM records WHERE time_ns >= ?`, beforeNS).Scan(&keep); err != nil {
		return 0, 0, err
	}
	size = keep.Int64
	if !keep.Valid {
		if err := tx.QueryRow(`SELECT coalesce(max(seq) + 1, 0) FROM records`).Scan(&keep); err != nil {
			return 0, 0, err
		}
		size = keep.Int64
	}
	if size <= floor.Int64 {
		return 0, floor.Int64, nil
	}
	f := &Store{}
	if err := f.loadTree(tx, size); err != nil {
		return 0, 0, err
	}
	root, err := f.front.root()
	if err != nil {
		return 0, 0, err
	}
	msg, err := note.Sign(&note.Note{Text: cutText(Checkpoint{Origin: s.origin, Size: size, Root: root}, f.last)}, s.opts.Key.Signer)
	if err != nil {
		return 0, 0, err
	}
	if _, err := tx.Exec(`INSERT INTO cuts (size, time_ns, note, frontier) VALUES (?, ?, ?, ?)`, size, time.Now().UnixNano(), msg, encodeFrontier(f.front)); err != nil {
		return 0, 0, err
	}
	res, err := tx.Exec(`DELETE FROM records WHERE seq < ?`, size)
	if err != nil {
		return 0, 0, err
	}
	removed, _ = res.RowsAffected()
	return removed, size, tx.Commit()
}

// Cut returns the newest cut: its note and frontier, nil when the log
// was never pruned.
func (r *Reader) Cut(ctx context.Context) (msg, front []byte, err error) {
	err = r.db.QueryRowContext(ctx, r.q(`SELECT note, frontier FROM cuts ORDER BY size DESC LIMIT 1`)).Scan(&msg, &front)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("audit: cut: %w", err)
	}
	return msg, front, nil
}

// pruneTicks runs retain once and returns the ticks of the later runs
// (every RetentionEvery, default an hour) and their ticker's stop; nil
// ticks without retention.
func pruneTicks(o Options, retain func()) (<-chan time.Time, func()) {
	if o.Retention <= 0 {
		return nil, func() {}
	}
	retain()
	every := o.RetentionEvery
	if every <= 0 {
		every = time.Hour
	}
	t := time.NewTicker(every)
	return t.C, t.Stop
}
