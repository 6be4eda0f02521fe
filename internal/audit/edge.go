package audit

import (
	"bytes"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// sqliteHead is the size of a SQLite log: one past the last record, or the
// newest cut when retention removed every record (max(seq) alone would
// restart the chain at 0).
const sqliteHead = `SELECT max(coalesce((SELECT max(seq) + 1 FROM records), 0), coalesce((SELECT max(size) FROM cuts), 0))`

// sqliteEdge reads what continueTree needs from a SQLite log: the newest
// cut and the stored hashes of the edge records at or above it.
func sqliteEdge(db querier, n int64) (*frontier, tlog.Hash, error) {
	var cutN int64
	var cutMsg, cutFront []byte
	err := db.QueryRow(`SELECT size, note, frontier FROM cuts ORDER BY size DESC LIMIT 1`).Scan(&cutN, &cutMsg, &cutFront)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, tlog.Hash{}, fmt.Errorf("read the cut: %w", err)
	}
	trees := map[int64][]byte{}
	for _, rec := range edgeRecords(n) {
		if cutMsg != nil && rec < cutN {
			continue // removed; the cut stands in
		}
		var tree []byte
		if err := db.QueryRow(`SELECT tree FROM records WHERE seq = ?`, rec).Scan(&tree); err != nil {
			return nil, tlog.Hash{}, fmt.Errorf("tree hashes of record %d: %w", rec, err)
		}
		trees[rec] = tree
	}
	return continueTree(n, cutN, cutMsg, cutFront, trees)
}

// edgeRecords lists the records whose stored hashes a writer needs to
// continue a log of n records: those that hold the tree's right edge, and
// record n-1 (the chain head).
func edgeRecords(n int64) []int64 {
	recs, _ := frontierIndexes(n)
	if n > 0 {
		recs = append(recs, n-1)
	}
	return recs
}

// continueTree builds the frontier and chain head of a log of n records
// from the stored hashes of edgeRecords(n) (trees, by seq) and the newest
// retention cut (cutMsg nil: none). A frontier subtree of n that closes
// below the cut is one of the cut's own frontier subtrees (the bits of n
// above its level are the cut's, and the cut has that level's bit set), so
// records retention removed are not needed; at n == cut size the head is
// the cut's prev line.
func continueTree(n, cutN int64, cutMsg, cutFront []byte, trees map[int64][]byte) (*frontier, tlog.Hash, error) {
	var last tlog.Hash
	var cutF *frontier
	if cutMsg != nil {
		var err error
		if cutF, err = decodeFrontier(cutN, cutFront); err != nil {
			return nil, last, fmt.Errorf("the cut at %d: %w", cutN, err)
		}
	}
	front := newFrontier()
	recs, levels := frontierIndexes(n)
	for i, rec := range recs {
		l := levels[i]
		if cutF != nil && rec < cutN {
			front.roots[l] = cutF.roots[l]
			continue
		}
		tree, ok := trees[rec]
		if !ok {
			return nil, last, fmt.Errorf("tree hashes of record %d: missing", rec)
		}
		if len(tree) < (l+1)*tlog.HashSize {
			return nil, last, fmt.Errorf("tree hashes of record %d are short", rec)
		}
		copy(front.roots[l][:], tree[l*tlog.HashSize:])
	}
	front.n = n
	switch {
	case n == 0:
	case cutF != nil && n == cutN:
		prev, err := cutPrev(cutMsg)
		if err != nil {
			return nil, last, fmt.Errorf("the cut at %d: %w", cutN, err)
		}
		last = prev
	default:
		tree, ok := trees[n-1]
		if !ok || len(tree) < tlog.HashSize {
			return nil, last, fmt.Errorf("tree hashes of record %d: missing", n-1)
		}
		copy(last[:], tree)
	}
	return front, last, nil
}

// cutPrev reads the prev line of a cut's note without checking its
// signature: the writer trusts its own database, as it trusts the stored
// tree hashes; audit verify checks the signature.
func cutPrev(msg []byte) (tlog.Hash, error) {
	var h tlog.Hash
	text, _, _ := bytes.Cut(msg, []byte("\n\n"))
	for line := range strings.SplitSeq(string(text), "\n") {
		if v, ok := strings.CutPrefix(line, "prev "); ok {
			b, err := hex.DecodeString(v)
			if err != nil || len(b) != tlog.HashSize {
				return h, errors.New("malformed prev line")
			}
			copy(h[:], b)
			return h, nil
		}
	}
	return h, errors.New("no prev line")
}
