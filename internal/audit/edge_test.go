package audit

import (
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// continueTree rebuilds the edge of a log of n records from the records
// at or above a retention cut and the cut's own edge, for every cut and
// every n past it, as the edge built by appending every record.
func TestContinueTreeAcrossCut(t *testing.T) {
	const total = 140
	var (
		trees  = map[int64][]byte{}
		edges  []*frontier // edges[n]: after n records
		heads  []tlog.Hash
		f      = newFrontier()
		last   tlog.Hash
		signer note.Signer
	)
	k := testKey(t)
	signer = k.Signer
	edges, heads = append(edges, f.clone()), append(heads, last)
	for i := range int64(total) {
		data := []byte(fmt.Sprintf(`{"v":2,"seq":%d}`, i))
		hs := f.append(nil, data)
		var b []byte
		for _, h := range hs {
			b = append(b, h[:]...)
		}
		trees[i], last = b, hs[0]
		edges, heads = append(edges, f.clone()), append(heads, last)
	}
	for c := int64(0); c <= total; c++ {
		root, _ := edges[c].root()
		msg, err := note.Sign(&note.Note{Text: cutText(Checkpoint{Origin: "o", Size: c, Root: root}, heads[c])}, signer)
		if err != nil {
			t.Fatal(err)
		}
		kept := map[int64][]byte{}
		for seq, tr := range trees {
			if seq >= c {
				kept[seq] = tr
			}
		}
		for n := c; n <= total; n++ {
			got, head, err := continueTree(n, c, msg, encodeFrontier(edges[c]), kept)
			if err != nil {
				t.Fatalf("cut %d, n %d: %v", c, n, err)
			}
			wantRoot, _ := edges[n].root()
			gotRoot, err := got.root()
			if err != nil || gotRoot != wantRoot || head != heads[n] {
				t.Fatalf("cut %d, n %d: root %v head %x, want %v %x (%v)", c, n, gotRoot, head, wantRoot, heads[n], err)
			}
		}
	}
	// Without the cut, records below it are needed and their absence is
	// an error, not a wrong tree.
	if _, _, err := continueTree(100, 0, nil, nil, map[int64][]byte{99: trees[99], 97: trees[97]}); err == nil {
		t.Fatal("missing edge records accepted")
	}
}

// The frontier's stored hashes are tlog's, for every tree size: at the
// sizes that close many subtrees too. They cost no allocation.
func TestFrontierStoredHashes(t *testing.T) {
	f := newFrontier()
	var stored []tlog.Hash // by stored hash index, as tlog lays them out
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	var buf [64]tlog.Hash
	for n := range int64(4100) {
		data := []byte(fmt.Sprintf(`{"v":2,"seq":%d}`, n))
		want, err := tlog.StoredHashes(n, data, reader)
		if err != nil {
			t.Fatal(err)
		}
		got := f.append(buf[:0], data)
		if len(got) != len(want) {
			t.Fatalf("record %d: %d hashes, want %d", n, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("record %d: hash %d differs", n, i)
			}
		}
		stored = append(stored, want...)
		th, err := tlog.TreeHash(n+1, reader)
		if err != nil {
			t.Fatal(err)
		}
		if root, err := f.root(); err != nil || root != th {
			t.Fatalf("tree of %d: root %v, %v; want %v", n+1, root, err, th)
		}
	}
	data := []byte(`{"v":2}`)
	if a := testing.AllocsPerRun(100, func() { f.append(buf[:0], data) }); a != 0 {
		t.Errorf("%v allocations per record, want 0", a)
	}
}
