package audit

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// frontier holds the roots of the perfect subtrees on the right edge of
// a tlog tree of size n: all that appending and the tree hash need.
type frontier struct {
	n int64
	h map[int64]tlog.Hash // stored hash index -> hash
}

func newFrontier() *frontier { return &frontier{h: map[int64]tlog.Hash{}} }

func (f *frontier) clone() *frontier {
	c := &frontier{n: f.n, h: make(map[int64]tlog.Hash, len(f.h))}
	for k, v := range f.h {
		c.h[k] = v
	}
	return c
}

func (f *frontier) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		h, ok := f.h[x]
		if !ok {
			return nil, fmt.Errorf("audit: tree hash %d not on the frontier of %d", x, f.n)
		}
		out[i] = h
	}
	return out, nil
}

// append adds record n=f.n and returns the hashes tlog stores for it; the
// first is the record's leaf hash.
func (f *frontier) append(data []byte) ([]tlog.Hash, error) {
	hs, err := tlog.StoredHashes(f.n, data, f)
	if err != nil {
		return nil, err
	}
	f.add(hs)
	return hs, nil
}

// add takes the stored hashes of record f.n and advances.
func (f *frontier) add(hs []tlog.Hash) {
	base := tlog.StoredHashIndex(0, f.n)
	for i, h := range hs {
		f.h[base+int64(i)] = h
	}
	f.n++
	// Keep only the subtree roots of the new right edge.
	keep := make(map[int64]bool, 64)
	for l := 0; l < 63; l++ {
		if f.n>>l&1 == 1 {
			keep[tlog.StoredHashIndex(l, (f.n>>l)-1)] = true
		}
	}
	for k := range f.h {
		if !keep[k] {
			delete(f.h, k)
		}
	}
}

func (f *frontier) root() (tlog.Hash, error) { return tlog.TreeHash(f.n, f) }

// frontierIndexes lists, for a tree of size n, each frontier hash as
// (record that stored it, level).
func frontierIndexes(n int64) (recs []int64, levels []int) {
	for l := 0; l < 63; l++ {
		if n>>l&1 == 1 {
			recs = append(recs, ((n>>l)<<l)-1)
			levels = append(levels, l)
		}
	}
	return recs, levels
}
