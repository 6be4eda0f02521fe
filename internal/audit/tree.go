package audit

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// frontier holds the roots of the perfect subtrees on the right edge of
// a tlog tree of size n (roots[l] is valid when bit l of n is set): all
// that appending and the tree hash need.
type frontier struct {
	n     int64
	roots [64]tlog.Hash
}

func newFrontier() *frontier { return &frontier{} }

func (f *frontier) clone() *frontier { c := *f; return &c }

// ReadHashes serves tlog the frontier hashes it asks for.
func (f *frontier) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		l, k := tlog.SplitStoredHashIndex(x)
		if f.n>>l&1 != 1 || k != (f.n>>l)-1 {
			return nil, fmt.Errorf("audit: tree hash %d not on the frontier of %d", x, f.n)
		}
		out[i] = f.roots[l]
	}
	return out, nil
}

// append adds record n=f.n and appends to hs the hashes tlog stores for
// it (tlog.StoredHashes); the first is the record's leaf hash. The
// hashes tlog would read are the frontier's roots, so they are combined
// here directly: tlog.StoredHashes allocates its result and the index
// and hash lists it reads through, three allocations per record.
func (f *frontier) append(hs []tlog.Hash, data []byte) []tlog.Hash {
	start := len(hs)
	h := tlog.RecordHash(data)
	hs = append(hs, h)
	// Each trailing 1 bit of n completes a subtree whose left half is
	// the frontier root at that level.
	for l := 0; f.n>>l&1 == 1; l++ {
		h = tlog.NodeHash(f.roots[l], h)
		hs = append(hs, h)
	}
	f.add(hs[start:])
	return hs
}

// add takes the stored hashes of record f.n and advances: record n closes
// len(hs)-1 subtrees, and the largest becomes a frontier root.
func (f *frontier) add(hs []tlog.Hash) {
	f.roots[len(hs)-1] = hs[len(hs)-1]
	f.n++
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
