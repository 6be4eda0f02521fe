package audit

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mcpwarden/mcpwarden/internal/rawio"
)

// The journal makes a record durable before SQLite has it: Append writes
// the record to an append-only file with one write(2) and returns; the
// writer goroutine commits it to SQLite behind the caller, together with
// how far into the journal it has committed (meta row "journal:ID"). A
// write that returned is in the page cache, which a kill -9 of the
// process does not lose; with sync=full it is also fdatasync'ed (one
// sync for every caller waiting) before Append returns. When a store
// opens, it replays into SQLite what journals of stopped writers hold
// beyond their committed offset, then removes them.
//
// Each writing process has its own journal file, PATH.journal-ID, which
// it holds with an exclusive flock: a journal nobody holds belongs to a
// writer that is gone. Files are rotated at journalRotate bytes; a
// rotated file is removed once all of it is committed.
//
// File layout (integers little-endian):
//
//	header: "MCPWAJ01" | ID (16 bytes) | origin length (u16) | origin | CRC-32C of all before (u32)
//	entry:  payload length (u32) | CRC-32C of the length and payload (u32) | payload
//	payload: kind (1 = record) | time ns (i64) | id, session, trace, server, name, method, decision (uvarint length + bytes each) | record body (the rest)
//
// A crash can leave only a torn final entry (a write(2) that never
// returned, so was never acknowledged): an entry that runs past the end of
// the file, a last entry whose checksum fails, or zeros to the end (blocks
// a power loss left unwritten). The reader drops that tail; anything else
// that does not parse is corruption, and the store refuses to open.

const (
	journalMagic   = "MCPWAJ01"
	journalIDLen   = 16
	maxEntry       = 16 << 20 // payload bytes; records are bounded far below this
	entryKindRec   = 1
	minPayload     = 1 + 8 + 7 // kind, time, seven empty strings
	journalPattern = ".journal-"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// journalRotate is the size at which a new journal file is started (a
// variable for tests).
var journalRotate int64 = 4 << 20

// JournalError is corruption found in a journal file: the store does not
// open until someone looks at the file.
type JournalError struct {
	Path   string
	Offset int64
	Reason string
}

func (e *JournalError) Error() string {
	return fmt.Sprintf("audit: journal %s is corrupt at offset %d: %s (the records in it are not in the store; move the file aside to start without them)", e.Path, e.Offset, e.Reason)
}

func journalHeader(id [journalIDLen]byte, origin string) []byte {
	b := make([]byte, 0, 8+journalIDLen+2+len(origin)+4)
	b = append(b, journalMagic...)
	b = append(b, id[:]...)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(origin)))
	b = append(b, origin...)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// appendEntry appends p as a journal entry to dst.
func appendEntry(dst []byte, p *pending) ([]byte, error) {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0, 0, 0, 0, 0, entryKindRec)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(p.timeNS))
	for _, s := range [...]string{p.id, p.session, p.trace, p.server, p.name, p.method, p.decision} {
		dst = binary.AppendUvarint(dst, uint64(len(s)))
		dst = append(dst, s...)
	}
	dst = append(dst, p.body...)
	n := len(dst) - start - 8
	if n > maxEntry {
		return dst[:start], fmt.Errorf("audit: record of %d bytes is too large for the journal", n)
	}
	binary.LittleEndian.PutUint32(dst[start:], uint32(n))
	crc := crc32.Update(0, castagnoli, dst[start:start+4])
	binary.LittleEndian.PutUint32(dst[start+4:], crc32.Update(crc, castagnoli, dst[start+8:]))
	return dst, nil
}

// decodePayload fills p from an entry's payload (checksum already checked).
func decodePayload(b []byte, p *pending) error {
	if len(b) < minPayload || b[0] != entryKindRec {
		return errors.New("unknown entry kind")
	}
	p.timeNS = int64(binary.LittleEndian.Uint64(b[1:]))
	b = b[9:]
	for _, s := range [...]*string{&p.id, &p.session, &p.trace, &p.server, &p.name, &p.method, &p.decision} {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return errors.New("bad field length")
		}
		*s = string(b[k : k+int(n)])
		b = b[k+int(n):]
	}
	p.body = bytes.Clone(b)
	return nil
}

// journalEntry is one record read back from a journal, with the offset
// just past it.
type journalEntry struct {
	p   pending
	end int64
}

// parseJournal reads a whole journal file. torn is the offset where a
// torn final entry starts (-1 when none); a header cut short by a crash
// gives no entries and torn 0.
func parseJournal(path string, data []byte) (id [journalIDLen]byte, origin string, entries []journalEntry, torn int64, err error) {
	hdrMin := 8 + journalIDLen + 2 + 4
	if allZero(data) {
		torn := int64(-1)
		if len(data) > 0 {
			torn = 0
		}
		return id, "", nil, torn, nil // created, header never written
	}
	if !bytes.HasPrefix(data, []byte(journalMagic)[:min(8, len(data))]) {
		return id, "", nil, -1, &JournalError{path, 0, "not a journal (bad magic)"}
	}
	// A header cut short: the file was created and the writer stopped
	// before the header write returned, so before any entry.
	if len(data) < hdrMin || len(data) < hdrMin+int(binary.LittleEndian.Uint16(data[8+journalIDLen:])) {
		return id, "", nil, 0, nil
	}
	copy(id[:], data[8:])
	ol := int(binary.LittleEndian.Uint16(data[8+journalIDLen:]))
	hl := hdrMin + ol
	if crc32.Checksum(data[:hl-4], castagnoli) != binary.LittleEndian.Uint32(data[hl-4:]) {
		return id, "", nil, -1, &JournalError{path, 0, "header checksum mismatch"}
	}
	origin = string(data[8+journalIDLen+2 : hl-4])
	off := int64(hl)
	size := int64(len(data))
	for off < size {
		rest := data[off:]
		if len(rest) < 8 || allZero(rest) {
			return id, origin, entries, off, nil
		}
		n := int64(binary.LittleEndian.Uint32(rest))
		if n < minPayload || n > maxEntry {
			return id, origin, nil, -1, &JournalError{path, off, fmt.Sprintf("entry length %d out of range", n)}
		}
		if 8+n > int64(len(rest)) {
			return id, origin, entries, off, nil // cut short: the write never completed
		}
		crc := crc32.Update(0, castagnoli, rest[:4])
		if crc32.Update(crc, castagnoli, rest[8:8+n]) != binary.LittleEndian.Uint32(rest[4:]) {
			if off+8+n == size {
				return id, origin, entries, off, nil // the final entry, torn
			}
			return id, origin, nil, -1, &JournalError{path, off, "entry checksum mismatch"}
		}
		var e journalEntry
		if err := decodePayload(rest[8:8+n], &e.p); err != nil {
			return id, origin, nil, -1, &JournalError{path, off, err.Error()}
		}
		off += 8 + n
		e.end = off
		entries = append(entries, e)
	}
	return id, origin, entries, -1, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// jfile is one journal file this process writes.
type jfile struct {
	f    *os.File
	id   string // hex, the meta key's suffix
	path string
	size atomic.Int64 // bytes written; entries are whole below it

	smu     sync.Mutex
	scond   *sync.Cond
	synced  int64
	syncing bool
	syncErr error

	sealed    atomic.Bool // rotated out: no more writes
	committed int64       // writer goroutine only: bytes committed to SQLite
	markEnd   int64       // writer goroutine only: scratch for commit
}

// journal is the write side: Append's half of the store.
type journal struct {
	dbPath string
	origin string
	full   bool // sync=full: fdatasync before acknowledging

	mu     sync.Mutex // one write at a time, in the order records are queued
	cur    *jfile
	broken error // sticky: the file is in an unknown state

	// write is the write(2) of an entry; tests replace it to inject faults.
	write func(f *os.File, b []byte) (int, error)
}

func newJournal(dbPath, origin string, full bool) (*journal, error) {
	j := &journal{dbPath: dbPath, origin: origin, full: full, write: rawio.WriteFile}
	jf, err := j.create()
	if err != nil {
		return nil, err
	}
	j.cur = jf
	return j, nil
}

// create starts a new journal file, locked, with its header written (and
// with sync=full, on disk with its directory entry).
func (j *journal) create() (*jfile, error) {
	var id [journalIDLen]byte
	_, _ = rand.Read(id[:])
	h := hex.EncodeToString(id[:])
	path := j.dbPath + journalPattern + h
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit: journal: %w", err)
	}
	fail := func(err error) (*jfile, error) {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("audit: journal %s: %w", path, err)
	}
	if err := lockFile(f); err != nil {
		return fail(err)
	}
	hdr := journalHeader(id, j.origin)
	if _, err := f.Write(hdr); err != nil {
		return fail(err)
	}
	if j.full {
		if err := f.Sync(); err != nil {
			return fail(err)
		}
		if err := syncDir(filepath.Dir(path)); err != nil {
			return fail(err)
		}
	}
	jf := &jfile{f: f, id: h, path: path}
	jf.scond = sync.NewCond(&jf.smu)
	jf.size.Store(int64(len(hdr)))
	jf.synced = int64(len(hdr))
	jf.committed = int64(len(hdr))
	return jf, nil
}

// add writes entry (under j.mu, so that file order is queue order) and
// returns the file and the offset just past the entry. A write that fails
// is undone, so the file stays parseable; if it cannot be undone, the
// journal refuses every later write.
func (j *journal) add(entry []byte) (*jfile, int64, error) {
	if j.broken != nil {
		return nil, 0, j.broken
	}
	jf := j.cur
	if jf.size.Load() >= journalRotate {
		nf, err := j.create()
		if err != nil {
			return nil, 0, err
		}
		jf.sealed.Store(true)
		j.cur, jf = nf, nf
	}
	off := jf.size.Load()
	n, err := j.write(jf.f, entry)
	if err == nil && n != len(entry) {
		err = fmt.Errorf("short write (%d of %d bytes)", n, len(entry))
	}
	if err != nil {
		if n > 0 {
			if terr := jf.f.Truncate(off); terr != nil {
				j.broken = fmt.Errorf("audit: journal %s: a failed write could not be undone: %w", jf.path, terr)
			}
		}
		return nil, 0, fmt.Errorf("audit: journal %s: %w", jf.path, err)
	}
	jf.size.Store(off + int64(n))
	return jf, off + int64(n), nil
}

// syncTo returns once the file is on disk up to off: the first caller
// syncs for everyone written by then (group commit).
func (jf *jfile) syncTo(off int64) error {
	jf.smu.Lock()
	defer jf.smu.Unlock()
	for jf.synced < off {
		if jf.syncErr != nil {
			return jf.syncErr
		}
		if jf.syncing {
			jf.scond.Wait()
			continue
		}
		jf.syncing = true
		target := jf.size.Load()
		jf.smu.Unlock()
		err := fdatasync(jf.f)
		jf.smu.Lock()
		jf.syncing = false
		if err != nil {
			// After a failed fsync the page cache cannot be trusted
			// to reach the disk: never report this file synced again.
			jf.syncErr = fmt.Errorf("audit: journal %s: fdatasync: %w", jf.path, err)
		} else if target > jf.synced {
			jf.synced = target
		}
		jf.scond.Broadcast()
	}
	return nil
}

// syncedAll reports whether every write is synced (or the sync failed):
// no caller waits on the file any more.
func (jf *jfile) syncedAll() bool {
	jf.smu.Lock()
	defer jf.smu.Unlock()
	return jf.syncErr != nil || (!jf.syncing && jf.synced >= jf.size.Load())
}

// journalFiles lists the journal files of the store at dbPath.
func journalFiles(dbPath string) ([]string, error) {
	m, err := filepath.Glob(globEscape(dbPath) + journalPattern + "*")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range m {
		if h := strings.TrimPrefix(filepath.Base(p), filepath.Base(dbPath)+journalPattern); len(h) == 2*journalIDLen {
			if _, err := hex.DecodeString(h); err == nil {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`)
	return r.Replace(s)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// replayJournals commits what the journals of stopped writers hold beyond
// their committed offsets, then removes them. Journals of running
// writers (this one's included) are locked and skipped.
func (s *Store) replayJournals() (int, error) {
	paths, err := journalFiles(s.path)
	if err != nil {
		return 0, fmt.Errorf("audit: journal: %w", err)
	}
	total := 0
	for _, path := range paths {
		n, err := s.replayJournal(path)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func (s *Store) replayJournal(path string) (int, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("audit: journal: %w", err)
	}
	defer f.Close()
	if err := lockFile(f); errors.Is(err, errLocked) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("audit: journal %s: %w", path, err)
	}
	// Another store may have replayed and removed it before we got the
	// lock: then the name is gone (or is another file).
	if fi, err := f.Stat(); err != nil {
		return 0, fmt.Errorf("audit: journal %s: %w", path, err)
	} else if pi, err := os.Stat(path); err != nil || !os.SameFile(fi, pi) {
		return 0, nil
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return 0, fmt.Errorf("audit: journal %s: %w", path, err)
	}
	id, origin, entries, torn, err := parseJournal(path, data)
	if err != nil {
		return 0, err
	}
	hexID := hex.EncodeToString(id[:])
	replayed := 0
	if origin != "" {
		if origin != s.origin {
			return 0, fmt.Errorf("audit: journal %s belongs to log %s, not to this store's %s: move it aside", path, origin, s.origin)
		}
		if !strings.HasSuffix(path, journalPattern+hexID) {
			return 0, &JournalError{path, 8, "the header names journal " + hexID}
		}
		var v string
		err := s.db.QueryRow(`SELECT v FROM meta WHERE k = ?`, "journal:"+hexID).Scan(&v)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("audit: journal %s: committed offset: %w", path, err)
		}
		done, _ := strconv.ParseInt(v, 10, 64)
		jf := &jfile{id: hexID, path: path}
		batch := make([]*pending, 0, s.opts.MaxBatch)
		for i := range entries {
			e := &entries[i]
			if e.end <= done {
				continue
			}
			e.p.jf, e.p.end = jf, e.end
			batch = append(batch, &e.p)
			if len(batch) == cap(batch) {
				if err := s.commit(batch); err != nil {
					return replayed, fmt.Errorf("audit: replaying journal %s: %w", path, err)
				}
				replayed += len(batch)
				batch = batch[:0]
			}
		}
		if len(batch) > 0 {
			if err := s.commit(batch); err != nil {
				return replayed, fmt.Errorf("audit: replaying journal %s: %w", path, err)
			}
			replayed += len(batch)
		}
		if replayed > 0 && s.opts.OnCommit != nil {
			s.opts.OnCommit()
		}
	}
	if torn >= 0 {
		// Its write never returned, so it was never acknowledged.
		s.opts.Logger.Warn("audit: dropped the torn last entry of a journal", "file", path, "offset", torn, "bytes", int64(len(data))-torn)
	}
	if err := os.Remove(path); err != nil {
		return replayed, fmt.Errorf("audit: journal %s: %w", path, err)
	}
	if replayed > 0 {
		s.opts.Logger.Warn("audit: replayed records a stopped writer had acknowledged", "file", path, "records", replayed)
	}
	return replayed, nil
}

// sweepJournalMarks deletes the committed offsets of journal files that
// are gone. A file is removed only once all of it is committed, and its
// removal is made durable (the directory synced) before its offset goes:
// a file that came back after a power loss without its offset would be
// replayed from the start.
func (s *Store) sweepJournalMarks() error {
	rows, err := s.db.Query(`SELECT k FROM meta WHERE k LIKE 'journal:%'`)
	if err != nil {
		return fmt.Errorf("audit: journal offsets: %w", err)
	}
	var gone []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return fmt.Errorf("audit: journal offsets: %w", err)
		}
		if _, err := os.Stat(s.path + journalPattern + strings.TrimPrefix(k, "journal:")); errors.Is(err, fs.ErrNotExist) {
			gone = append(gone, k)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(gone) == 0 {
		return err
	}
	if err := syncDir(filepath.Dir(s.path)); err != nil {
		return fmt.Errorf("audit: journal: %w", err)
	}
	for _, k := range gone {
		if _, err := s.db.Exec(`DELETE FROM meta WHERE k = ?`, k); err != nil {
			return fmt.Errorf("audit: journal offsets: %w", err)
		}
	}
	return nil
}

// StrandedJournals lists the journal files of the SQLite store at loc that
// no running writer holds: records a stopped writer acknowledged that are
// not in the database until a store opens on it again.
func StrandedJournals(loc Location) []string {
	if loc.Path == "" {
		return nil
	}
	paths, _ := journalFiles(loc.Path)
	var out []string
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		if lockFile(f) == nil {
			out = append(out, p)
		}
		f.Close()
	}
	return out
}
