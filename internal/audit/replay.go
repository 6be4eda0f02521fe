package audit

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Step is one record of a replay with the outcome of checking it.
type Step struct {
	Seq   int64  `json:"seq"`
	Entry *Entry `json:"-"`
	Raw   []byte `json:"-"`
	// Proof is how the record was checked: "signed" (an inclusion proof
	// in a checkpoint signed by a known key), "chained" (after the newest
	// checkpoint: its hash and both chain links hold), or "" when a check
	// failed (Problem says which).
	Proof   string `json:"proof,omitempty"`
	Problem string `json:"problem,omitempty"`
}

// Replay is the outcome of ReplayRecords.
type Replay struct {
	Steps []Step `json:"steps"`
	// OK is true when every step checked out.
	OK bool `json:"ok"`
	// Checkpoint is the tree size of the newest verified checkpoint the
	// proofs are against (0: none).
	Checkpoint int64 `json:"checkpoint"`
	// Truncated is set when the filter's limit cut the selection.
	Truncated bool `json:"truncated,omitempty"`
}

// ReplayRecords selects the records f matches and checks each one: its
// stored hash, its links to the records before and after it, and an
// inclusion proof in the newest checkpoint signed by one of keys. A
// broken record is still returned, with its Problem, so that the caller
// can say loudly what it shows.
func (r *Reader) ReplayRecords(ctx context.Context, f Filter, keys []note.Verifier) (*Replay, error) {
	rep := &Replay{OK: true}
	limit := f.Limit
	if limit > 0 {
		f.Limit = limit + 1
	}
	err := r.Query(ctx, f, func(seq int64, data []byte) error {
		if limit > 0 && len(rep.Steps) == limit {
			rep.Truncated = true
			return nil
		}
		rep.Steps = append(rep.Steps, Step{Seq: seq, Raw: bytes.Clone(data)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audit: replay: %w", err)
	}
	ck, err := r.newestCheckpoint(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("audit: replay: %w", err)
	}
	rep.Checkpoint = ck.Size
	for i := range rep.Steps {
		st := &rep.Steps[i]
		st.Proof, st.Problem = r.check(ctx, st.Seq, st.Raw, ck)
		if st.Problem != "" {
			rep.OK = false
		}
		e, err := ParseEntry(st.Raw)
		if err != nil {
			e = &Entry{Seq: st.Seq}
			if st.Problem == "" {
				st.Problem, rep.OK = "the record is not valid JSON", false
			}
		}
		st.Entry = e
	}
	return rep, nil
}

// newestCheckpoint returns the newest checkpoint that one of keys signed
// (size 0 when there is none).
func (r *Reader) newestCheckpoint(ctx context.Context, keys []note.Verifier) (Checkpoint, error) {
	raws, err := r.Checkpoints(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	origin, err := r.Origin(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	known := note.VerifierList(keys...)
	for i := len(raws) - 1; i >= 0; i-- {
		c, err := openCheckpoint(raws[i], known)
		if err == nil && c.Origin == origin {
			return c, nil
		}
	}
	return Checkpoint{}, nil
}

// check verifies one record; it returns how, or the problem.
func (r *Reader) check(ctx context.Context, seq int64, data []byte, ck Checkpoint) (proof, problem string) {
	ri := inspect(data)
	if !ri.ok || ri.seq != seq {
		return "", fmt.Sprintf("record at seq %d is malformed or carries another seq", seq)
	}
	leaf := tlog.RecordHash(data)
	tree, err := r.treeOf(ctx, seq)
	if err != nil || len(tree) < tlog.HashSize || !bytes.Equal(tree[:tlog.HashSize], leaf[:]) {
		return "", "altered: its contents do not match its stored hash"
	}
	if seq < ck.Size {
		p, err := tlog.ProveRecord(ck.Size, seq, storeHashes{r: r, ctx: ctx})
		if err == nil {
			if err := tlog.CheckRecord(p, ck.Size, ck.Root, seq, leaf); err != nil {
				return "", fmt.Sprintf("not in the signed checkpoint of %d records: this record or the stored tree hashes were altered", ck.Size)
			}
			return "signed", ""
		}
		// Proof hashes below a retention cut are gone: fall back to the
		// chain links, and say so.
		if !errors.Is(err, sql.ErrNoRows) {
			return "", fmt.Sprintf("no inclusion proof in the signed checkpoint of %d records: %v", ck.Size, err)
		}
	}
	// Chain links: prev names the record before, and the record after
	// names this one.
	if seq > 0 {
		before, err := r.dataOf(ctx, seq-1)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			// Removed by retention; audit verify checks the signed cut.
		case err != nil:
			return "", err.Error()
		case hashHex(tlog.RecordHash(before)) != ri.prev:
			return "", fmt.Sprintf("chain: its prev does not match record %d", seq-1)
		}
	}
	after, err := r.dataOf(ctx, seq+1)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return "", err.Error()
	case inspect(after).prev != hashHex(leaf):
		return "", fmt.Sprintf("altered: record %d chains to a different record %d", seq+1, seq)
	}
	return "chained", ""
}

func hashHex(h tlog.Hash) string { return hex.EncodeToString(h[:]) }

func (r *Reader) treeOf(ctx context.Context, seq int64) ([]byte, error) {
	var tree []byte
	err := r.db.QueryRowContext(ctx, r.q(`SELECT tree FROM records WHERE seq = ?`), seq).Scan(&tree)
	return tree, err
}

func (r *Reader) dataOf(ctx context.Context, seq int64) ([]byte, error) {
	var data []byte
	err := r.db.QueryRowContext(ctx, r.q(`SELECT data FROM records WHERE seq = ?`), seq).Scan(&data)
	return data, err
}

// storeHashes reads tlog's stored hashes from the records that keep them:
// hash (level l, index k) completes when record ((k+1)<<l)-1 is added and
// sits at position l of its tree column. The hashes come from the file
// under test; the proof is checked against a signed root.
type storeHashes struct {
	r   *Reader
	ctx context.Context
}

func (s storeHashes) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		l, k := tlog.SplitStoredHashIndex(x)
		tree, err := s.r.treeOf(s.ctx, ((k+1)<<l)-1)
		if err != nil {
			return nil, err
		}
		if len(tree) < (l+1)*tlog.HashSize {
			return nil, fmt.Errorf("tree hashes of record %d are short", ((k+1)<<l)-1)
		}
		copy(out[i][:], tree[l*tlog.HashSize:])
	}
	return out, nil
}
