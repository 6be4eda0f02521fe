package audit

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Problem kinds.
const (
	KindMalformed  = "malformed"
	KindAltered    = "altered"
	KindRemoved    = "removed"
	KindReordered  = "reordered"
	KindInserted   = "inserted"
	KindChain      = "chain"
	KindTree       = "tree"
	KindCheckpoint = "checkpoint"
)

// Bad names the first record that fails verification.
type Bad struct {
	Kind     string `json:"kind"`
	Position int64  `json:"position"` // 0-based place in storage order
	Seq      int64  `json:"seq"`      // the seq the record should have
	ID       string `json:"id,omitempty"`
	Msg      string `json:"message"`
}

func (b *Bad) String() string {
	s := fmt.Sprintf("%s: record seq %d", b.Kind, b.Seq)
	if b.ID != "" {
		s += " (id " + b.ID + ")"
	}
	return s + ": " + b.Msg
}

// Report is the outcome of Verify.
type Report struct {
	OK          bool     `json:"ok"`
	Records     int64    `json:"records"`
	Checkpoints int      `json:"checkpoints"`
	Signed      int64    `json:"signed"`   // records covered by the newest valid checkpoint
	Unsigned    int64    `json:"unsigned"` // records after it: chained but not yet signed
	Root        string   `json:"root,omitempty"`
	Cut         int64    `json:"cut,omitempty"` // records below this were removed by retention, under a signed cut
	FirstBad    *Bad     `json:"first_bad,omitempty"`
	Problems    []string `json:"problems,omitempty"`
}

type rowInfo struct {
	seq  int64
	ok   bool
	prev string
	hash tlog.Hash
	id   string
}

// Verify checks that src's records form one hash chain from seq 0, that
// the stored tree hashes are the records' (when src keeps them), and that
// every checkpoint is validly signed by one of keys and matches the tree
// of the records it covers. It stops at the first bad record and names
// it; checkpoint signature problems are all listed.
func Verify(ctx context.Context, src Source, keys []note.Verifier) (*Report, error) {
	rep := &Report{}
	type ck struct {
		c   Checkpoint
		raw []byte
	}
	var cks []ck
	raws, err := src.Checkpoints(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: verify: %w", err)
	}
	known := note.VerifierList(keys...)
	for _, raw := range raws {
		c, err := openCheckpoint(raw, known)
		if err != nil {
			rep.Problems = append(rep.Problems, fmt.Sprintf("checkpoint at size %d: %v", checkpointSize(raw), err))
			continue
		}
		cks = append(cks, ck{c, raw})
	}
	slices.SortFunc(cks, func(a, b ck) int { return int(a.c.Size - b.c.Size) })
	rep.Checkpoints = len(cks)

	var (
		e      int64
		prev   tlog.Hash
		prevID string
		front  = newFrontier()
		ci     int
		lastCk int64
		bad    *Bad
		diag   []rowInfo // rows from the first seq mismatch on
		treeB  []byte
		hs     []tlog.Hash // reused per record
		// suspect is record e when its prev does not match record e-1;
		// the next record decides which of the two changed.
		suspect *rowInfo
	)
	if cs, ok := src.(interface {
		Cut(context.Context) ([]byte, []byte, error)
	}); ok {
		msg, fr, err := cs.Cut(ctx)
		if err != nil {
			return nil, fmt.Errorf("audit: verify: %w", err)
		}
		if msg != nil {
			c, err := openCut(msg, fr, known)
			if err != nil {
				rep.FirstBad = &Bad{Kind: KindCheckpoint, Position: 0, Seq: checkpointSize(msg),
					Msg: fmt.Sprintf("the retention cut does not verify: %v", err)}
				return rep, nil
			}
			e, prev, front, lastCk = c.c.Size, c.prev, c.frontier.clone(), c.c.Size
			rep.Cut = e
			for ci < len(cks) && cks[ci].c.Size <= e {
				ci++ // signed before the cut: their records are gone
			}
		}
	}
	err = src.Records(ctx, func(data, tree []byte) error {
		if bad != nil {
			return errStop
		}
		if suspect != nil {
			// Record e chains to something other than record e-1. If the
			// record after e chains to e, e is intact and e-1 was altered
			// (its stored hash recomputed, or none kept); otherwise e's own
			// prev member was changed.
			ri := inspect(data)
			if ri.ok && ri.prev == hex.EncodeToString(suspect.hash[:]) {
				bad = &Bad{Kind: KindAltered, Position: e - 1, Seq: e - 1, ID: prevID,
					Msg: fmt.Sprintf("its contents changed: record %d (id %s) chains to a different record %d", e, suspect.id, e-1)}
			} else {
				bad = &Bad{Kind: KindAltered, Position: e, Seq: e, ID: suspect.id,
					Msg: fmt.Sprintf("its prev member is not the hash of record %d (id %s)", e-1, prevID)}
			}
			return errStop
		}
		if diag != nil {
			diag = append(diag, inspect(data))
			return nil
		}
		ri := inspect(data)
		switch {
		case !ri.ok:
			bad = &Bad{Kind: KindMalformed, Position: e, Seq: e, ID: ri.id, Msg: "not a record of a known schema version"}
			return nil
		case tree != nil && (len(tree) < tlog.HashSize || !bytes.Equal(tree[:tlog.HashSize], ri.hash[:])):
			bad = &Bad{Kind: KindAltered, Position: e, Seq: e, ID: ri.id, Msg: "its contents do not match the hash stored with it"}
			return nil
		case ri.seq != e:
			diag = append(diag, ri)
			return nil
		case ri.prev != hex.EncodeToString(prev[:]):
			suspect = &ri
			return nil
		}
		hs = front.append(hs[:0], data)
		if tree != nil {
			treeB = treeB[:0]
			for _, h := range hs {
				treeB = append(treeB, h[:]...)
			}
			if !bytes.Equal(tree, treeB) {
				bad = &Bad{Kind: KindTree, Position: e, Seq: e, ID: ri.id, Msg: "the Merkle tree hashes stored with it are not the tree's"}
				return nil
			}
		}
		prev, prevID = ri.hash, ri.id
		e++
		for ci < len(cks) && cks[ci].c.Size == e {
			root, err := front.root()
			if err != nil {
				return err
			}
			if root != cks[ci].c.Root {
				bad = &Bad{Kind: KindCheckpoint, Position: lastCk, Seq: lastCk,
					Msg: fmt.Sprintf("the signed checkpoint at size %d does not match: records %d to %d were rewritten", e, lastCk, e-1)}
				return nil
			}
			lastCk = e
			ci++
		}
		return nil
	})
	if err != nil && err != errStop {
		return nil, fmt.Errorf("audit: verify: %w", err)
	}
	if diag != nil {
		bad = diagnose(e, prev, prevID, diag)
	}
	if suspect != nil && bad == nil {
		bad = &Bad{Kind: KindChain, Position: e, Seq: e, ID: suspect.id,
			Msg: fmt.Sprintf("the last record does not chain to record %d (id %s): one of the two was rewritten", e-1, prevID)}
	}
	rep.Records = e + int64(len(diag))
	if bad == nil && ci < len(cks) {
		bad = &Bad{Kind: KindRemoved, Position: e, Seq: e,
			Msg: fmt.Sprintf("a signed checkpoint covers %d records but only %d are stored: the newest records were removed", cks[ci].c.Size, e)}
	}
	if bad == nil && e > 0 {
		root, err := front.root()
		if err != nil {
			return nil, fmt.Errorf("audit: verify: %w", err)
		}
		rep.Root = root.String()
	}
	rep.FirstBad = bad
	rep.Signed, rep.Unsigned = lastCk, e-lastCk
	if bad != nil {
		rep.Unsigned = 0
	}
	rep.OK = bad == nil && len(rep.Problems) == 0
	return rep, nil
}

var errStop = fmt.Errorf("stop")

// diagnose explains a record at position e whose seq is not e, from the
// rows that follow it (rest[0] is the offending one).
func diagnose(e int64, prev tlog.Hash, prevID string, rest []rowInfo) *Bad {
	r0 := rest[0]
	prevHex := hex.EncodeToString(prev[:])
	contiguousFrom := func(rows []rowInfo, seq int64) bool {
		for i, r := range rows {
			if r.seq != seq+int64(i) {
				return false
			}
		}
		return true
	}
	if r0.seq < e {
		// Two records claim the same place: the genuine one is the one the
		// next record chains to.
		if len(rest) > 1 && r0.seq == e-1 && rest[1].prev == hex.EncodeToString(r0.hash[:]) {
			return &Bad{Kind: KindInserted, Position: e - 1, Seq: e - 1, ID: prevID,
				Msg: fmt.Sprintf("it was inserted: record id %s, stored after it, holds seq %d and is the one the chain continues from", r0.id, r0.seq)}
		}
		if contiguousFrom(rest[1:], e) && (len(rest) == 1 || rest[1].prev == prevHex) {
			return &Bad{Kind: KindInserted, Position: e, Seq: e, ID: r0.id, Msg: fmt.Sprintf("it was inserted: it repeats seq %d", r0.seq)}
		}
		return &Bad{Kind: KindReordered, Position: e, Seq: e, ID: r0.id, Msg: fmt.Sprintf("position %d holds seq %d, which came earlier", e, r0.seq)}
	}
	for j, r := range rest {
		if r.ok && r.seq == e {
			if j == 1 && contiguousFrom(rest[1:], e) && r.prev == prevHex {
				return &Bad{Kind: KindInserted, Position: e, Seq: e, ID: r0.id,
					Msg: fmt.Sprintf("it was inserted before the genuine record seq %d (id %s)", e, r.id)}
			}
			return &Bad{Kind: KindReordered, Position: e, Seq: e, ID: r.id,
				Msg: fmt.Sprintf("it is stored at position %d; position %d holds seq %d (id %s)", e+int64(j), e, r0.seq, r0.id)}
		}
	}
	if r0.ok && r0.seq > e {
		return &Bad{Kind: KindRemoved, Position: e, Seq: e,
			Msg: fmt.Sprintf("records %d to %d are missing: the next stored record (id %s) has seq %d", e, r0.seq-1, r0.id, r0.seq)}
	}
	return &Bad{Kind: KindMalformed, Position: e, Seq: e, ID: r0.id, Msg: "not a record of a known schema version"}
}

// headPrefixes open the records of each schema version (docs/audit.md).
var headPrefixes = [][]byte{[]byte(`{"v":1,"seq":`), []byte(`{"v":2,"seq":`)}

// inspect reads the chain members of a record. A record that is not
// exactly what the writer produces is not ok.
func inspect(data []byte) rowInfo {
	ri := rowInfo{hash: tlog.RecordHash(data)}
	var rest []byte
	ok := false
	for _, p := range headPrefixes {
		if rest, ok = bytes.CutPrefix(data, p); ok {
			break
		}
	}
	if !ok {
		return ri
	}
	i := bytes.IndexByte(rest, ',')
	if i < 0 {
		return ri
	}
	seq, err := strconv.ParseInt(string(rest[:i]), 10, 64)
	if err != nil {
		return ri
	}
	rest, ok = bytes.CutPrefix(rest[i:], []byte(`,"prev":"`))
	if !ok || len(rest) < 65 || rest[64] != '"' {
		return ri
	}
	ri.prev = string(rest[:64])
	rest = rest[65:]
	if id, ok := bytes.CutPrefix(rest, []byte(`,"id":"`)); ok {
		if j := bytes.IndexByte(id, '"'); j >= 0 {
			ri.id = string(id[:j])
		}
	}
	if !json.Valid(data) {
		return ri
	}
	ri.seq, ri.ok = seq, true
	return ri
}
