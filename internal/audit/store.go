package audit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/mod/sumdb/tlog"
	_ "modernc.org/sqlite" // registers "sqlite"

	"github.com/mcpwarden/mcpwarden/internal/intercept"
)

// ErrClosed is returned by Append after Close.
var ErrClosed = errors.New("audit: store closed")

// Defaults for Options.
const (
	DefaultCheckpointEvery    = 10_000
	DefaultCheckpointInterval = 10 * time.Second
	DefaultMaxBatch           = 4096
	DefaultLinger             = 25 * time.Millisecond
)

const schema = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
	seq      INTEGER PRIMARY KEY,
	id       TEXT NOT NULL,
	time_ns  INTEGER NOT NULL,
	session  TEXT NOT NULL,
	trace_id TEXT NOT NULL,
	server   TEXT NOT NULL,
	name     TEXT NOT NULL,
	method   TEXT NOT NULL,
	decision TEXT NOT NULL,
	data     BLOB NOT NULL,  -- the record bytes that are hashed
	tree     BLOB NOT NULL   -- tlog stored hashes for this record, 32 bytes each; the first is the leaf hash
);
CREATE INDEX IF NOT EXISTS records_time ON records(time_ns);
-- No index on trace_id, session or server: random keys cost more than the
-- rest of an insert (20 µs a record); those queries scan, bounded by time.
CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY, time_ns INTEGER NOT NULL, note BLOB NOT NULL);
CREATE TRIGGER IF NOT EXISTS records_no_update BEFORE UPDATE ON records BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
-- A cut is a signed checkpoint below which retention removed the records.
CREATE TABLE IF NOT EXISTS cuts (size INTEGER PRIMARY KEY, time_ns INTEGER NOT NULL, note BLOB NOT NULL, frontier BLOB NOT NULL);
CREATE TRIGGER IF NOT EXISTS records_no_delete BEFORE DELETE ON records WHEN old.seq >= (SELECT coalesce(max(size), 0) FROM cuts) BEGIN SELECT RAISE(ABORT, 'audit records are append-only (retention deletes only below a signed cut)'); END;
CREATE TRIGGER IF NOT EXISTS cuts_no_change BEFORE UPDATE ON cuts BEGIN SELECT RAISE(ABORT, 'audit cuts are append-only'); END;
CREATE TRIGGER IF NOT EXISTS cuts_no_delete BEFORE DELETE ON cuts BEGIN SELECT RAISE(ABORT, 'audit cuts are append-only'); END;
CREATE TRIGGER IF NOT EXISTS checkpoints_no_update BEFORE UPDATE ON checkpoints BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
CREATE TRIGGER IF NOT EXISTS checkpoints_no_delete BEFORE DELETE ON checkpoints BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
`

// Location is a parsed store URL.
type Location struct {
	Off  bool
	Path string // sqlite file
	Sync string // "normal" or "full"
	// Postgres is the DSN of a PostgreSQL store, or secret://NAME until
	// the caller resolves it (pglocation.go).
	Postgres string
}

// ParseLocation parses "sqlite:PATH[?sync=full|normal]", "postgres:DSN"
// or "off".
func ParseLocation(s string) (Location, error) {
	if s == "off" {
		return Location{Off: true}, nil
	}
	if rest, ok := strings.CutPrefix(s, "postgres:"); ok {
		return parsePGLocation(rest)
	}
	rest, ok := strings.CutPrefix(s, "sqlite:")
	if !ok || rest == "" {
		return Location{}, fmt.Errorf("audit: store %q: use sqlite:PATH, postgres:DSN or off", s)
	}
	loc := Location{Path: rest, Sync: "normal"}
	if p, q, ok := strings.Cut(rest, "?"); ok {
		loc.Path = p
		vals, err := url.ParseQuery(q)
		if err != nil {
			return Location{}, fmt.Errorf("audit: store %q: %w", s, err)
		}
		for k := range vals {
			if k != "sync" {
				return Location{}, fmt.Errorf("audit: store %q: unknown option %q (known: sync)", s, k)
			}
		}
		switch v := vals.Get("sync"); v {
		case "", "normal":
		case "full":
			loc.Sync = "full"
		default:
			return Location{}, fmt.Errorf("audit: store %q: sync must be normal or full", s)
		}
	}
	return loc, nil
}

func openDB(path, sync string) (*sql.DB, error) {
	return openDBWith(path, sync, "")
}

// openDBWith opens path with extra DSN parameters.
func openDBWith(path, sync, extra string) (*sql.DB, error) {
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_txlock=immediate&_pragma=synchronous(" + sync + ")&_pragma=cache_size(-8192)&_pragma=mmap_size(0)" + extra
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Options tune a writing Store.
type Options struct {
	Key                *Key // signs checkpoints; nil: no checkpoints
	CheckpointEvery    int
	CheckpointInterval time.Duration
	MaxBatch           int
	Logger             *slog.Logger
	// Retention removes records older than this (0: keep all), after
	// signing a cut: checked at open and every RetentionEvery.
	Retention      time.Duration
	RetentionEvery time.Duration
	// OnCommit is called after each committed batch (sinks' wake-up); it
	// must not block.
	OnCommit func()
	// Linger is how long the writer waits for more records before it
	// commits a batch to SQLite (callers do not wait for it: their
	// records are in the journal). Negative: commit at once.
	Linger time.Duration
}

// Store appends records to a SQLite file. Append writes the record to
// the journal (journal.go) and returns; one writer goroutine commits
// batches of journaled records to SQLite behind the callers.
type Store struct {
	db               *sql.DB
	walDB            *sql.DB // a second connection that checkpoints the WAL
	walStop, walDone chan struct{}
	opts             Options
	origin           string

	mu     sync.RWMutex
	closed bool
	in     chan *pending
	done   chan struct{}
	lost   atomic.Int64 // records that could not be stored (Append failed)
	size   atomic.Int64 // records in the log, for readers off the writer

	path     string
	j        *journal
	failed   atomic.Pointer[error] // the writer's last commit failed: Append refuses until one succeeds
	wake     chan struct{}         // the queue is full: commit without waiting for the linger
	mark     *sql.Stmt             // a journal's committed offset, in each batch's transaction
	files    map[*jfile]struct{}   // writer only: journal files with records it has seen
	closeErr error

	// writer state
	n     int64
	last  tlog.Hash
	front *frontier
	ckN   int64
	raw   rawInsert // the records' INSERT statements (insert.go)
	head  *sql.Stmt // the tree size, read in every batch's transaction
}

type pending struct {
	body     []byte
	entry    []byte // the journal entry
	id       string
	timeNS   int64
	session  string
	trace    string
	server   string
	name     string
	method   string
	decision string

	jf  *jfile // the journal file holding it (nil: none)
	end int64  // offset just past its entry in jf

	flush chan error // non-nil: a Flush marker, not a record
}

var pendingPool = sync.Pool{New: func() any {
	return &pending{body: make([]byte, 0, 512), entry: make([]byte, 0, 640)}
}}

func putPending(p *pending) {
	p.jf = nil
	pendingPool.Put(p)
}

// Open opens (creating if needed) the store at loc for writing.
func Open(loc Location, opts Options) (*Store, error) {
	if opts.CheckpointEvery <= 0 {
		opts.CheckpointEvery = DefaultCheckpointEvery
	}
	if opts.CheckpointInterval <= 0 {
		opts.CheckpointInterval = DefaultCheckpointInterval
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = DefaultMaxBatch
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Linger == 0 {
		opts.Linger = DefaultLinger
	}
	if dir := filepath.Dir(loc.Path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
	}
	// The writer never checkpoints the WAL itself: copying pages back to
	// the database (and its fsync) would stall the batch that triggers it.
	// walLoop does it beside the writer.
	db, err := openDBWith(loc.Path, loc.Sync, "&_pragma=wal_autocheckpoint(0)")
	if err != nil {
		return nil, fmt.Errorf("audit: open %s: %w", loc.Path, err)
	}
	walDB, err := openDB(loc.Path, loc.Sync)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("audit: open %s: %w", loc.Path, err)
	}
	s := &Store{db: db, walDB: walDB, walStop: make(chan struct{}), walDone: make(chan struct{}), opts: opts,
		in: make(chan *pending, opts.MaxBatch), done: make(chan struct{}), front: newFrontier(),
		path: loc.Path, wake: make(chan struct{}, 1), files: map[*jfile]struct{}{}}
	fail := func(err error) (*Store, error) {
		s.closeRaw()
		for _, st := range []*sql.Stmt{s.head, s.mark} {
			if st != nil {
				st.Close()
			}
		}
		db.Close()
		walDB.Close()
		var je *JournalError
		if errors.As(err, &je) {
			return nil, err
		}
		return nil, fmt.Errorf("audit: open %s: %w", loc.Path, err)
	}
	if err := s.load(); err != nil {
		return fail(err)
	}
	if s.head, err = db.Prepare(sqliteHead); err != nil {
		return fail(err)
	}
	if s.mark, err = db.Prepare(`INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)`); err != nil {
		return fail(err)
	}
	// Before anything else: what stopped writers acknowledged but did not
	// commit.
	if _, err := s.replayJournals(); err != nil {
		return fail(err)
	}
	if err := s.sweepJournalMarks(); err != nil {
		return fail(err)
	}
	if s.j, err = newJournal(loc.Path, s.origin, loc.Sync == "full"); err != nil {
		return fail(err)
	}
	s.size.Store(s.n)
	go s.run()
	go s.walLoop()
	return s, nil
}

// load reads the log's identity and the state needed to append.
func (s *Store) load() error {
	var origin string
	err := s.db.QueryRow(`SELECT v FROM meta WHERE k='origin'`).Scan(&origin)
	if errors.Is(err, sql.ErrNoRows) {
		var id [8]byte
		_, _ = rand.Read(id[:])
		origin = "mcpwarden.audit/" + hex.EncodeToString(id[:])
		if _, err := s.db.Exec(`INSERT INTO meta (k, v) VALUES ('origin', ?), ('schema', '1')`, origin); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	s.origin = origin
	if s.opts.Key != nil {
		// Every key that ever signed stays known, so that old checkpoints verify.
		if _, err := s.db.Exec(`INSERT OR IGNORE INTO meta (k, v) VALUES (?, ?)`, "vkey:"+s.opts.Key.VKey, s.opts.Key.VKey); err != nil {
			return err
		}
	}
	var n sql.NullInt64
	if err := s.db.QueryRow(sqliteHead).Scan(&n); err != nil {
		return err
	}
	if err := s.loadTree(s.db, n.Int64); err != nil {
		return err
	}
	var ck sql.NullInt64
	if err := s.db.QueryRow(`SELECT max(size) FROM checkpoints`).Scan(&ck); err != nil {
		return err
	}
	s.ckN = ck.Int64
	return nil
}

type querier interface {
	QueryRow(q string, args ...any) *sql.Row
}

// loadTree reads the chain head and tree frontier of a log of n records
// (from the newest retention cut for records it removed: sqliteEdge).
func (s *Store) loadTree(db querier, n int64) error {
	front, last, err := sqliteEdge(db, n)
	if err != nil {
		return err
	}
	s.n, s.last, s.front = n, last, front
	return nil
}

// Size is the number of records in the log (its next seq) as of the last
// commit.
func (s *Store) Size() int64 { return s.size.Load() }

// Lost is the number of records that could not be stored.
func (s *Store) Lost() int64 { return s.lost.Load() }

// Origin names the log in its checkpoints.
func (s *Store) Origin() string { return s.origin }

// Append stores r in the journal and returns: the record survives a
// crash of the process from then on (with sync=full, a power loss too).
// It refuses (and counts the record lost) when the journal cannot be
// written or the writer cannot commit to SQLite.
func (s *Store) Append(r *intercept.Record) error {
	p := pendingPool.Get().(*pending)
	p.body = encodeBody(p.body[:0], r)
	p.id, p.timeNS, p.session, p.trace = r.ID, r.Time.UnixNano(), r.Session, r.TraceID
	p.server, p.name, p.method, p.decision = r.Server, r.Name, r.Method, r.Decision
	var err error
	if p.entry, err = appendEntry(p.entry[:0], p); err != nil {
		putPending(p)
		s.lost.Add(1)
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		putPending(p)
		return ErrClosed
	}
	if e := s.failed.Load(); e != nil {
		putPending(p)
		s.lost.Add(1)
		return fmt.Errorf("audit: store unavailable: %w", *e)
	}
	s.j.mu.Lock()
	jf, end, err := s.j.add(p.entry)
	if err != nil {
		s.j.mu.Unlock()
		putPending(p)
		lost := s.lost.Add(1)
		s.opts.Logger.Error("audit: record not stored", "lost_total", lost, "err", err)
		return err
	}
	p.jf, p.end = jf, end
	select {
	case s.in <- p: // the writer owns p from here
	default:
		// Full: wake a lingering writer, then wait for room.
		select {
		case s.wake <- struct{}{}:
		default:
		}
		s.in <- p
	}
	s.j.mu.Unlock()
	if s.j.full {
		return jf.syncTo(end)
	}
	return nil
}

// Flush returns once every record appended before it is committed to
// SQLite (readers and sinks see it).
func (s *Store) Flush() error {
	ch := make(chan error, 1)
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return ErrClosed
	}
	s.in <- &pending{flush: ch}
	select { // do not wait for the linger
	case s.wake <- struct{}{}:
	default:
	}
	s.mu.RUnlock()
	return <-ch
}

// Close commits what is queued, signs a final checkpoint, removes the
// journal once all of it is committed, and closes.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		<-s.done
		return nil
	}
	s.closed = true
	close(s.in)
	s.mu.Unlock()
	<-s.done
	s.closeRaw()
	s.head.Close()
	s.mark.Close()
	close(s.walStop)
	<-s.walDone
	err := s.db.Close()
	if s.closeErr != nil {
		return s.closeErr
	}
	return err
}

func (s *Store) run() {
	defer close(s.done)
	tick := time.NewTicker(s.opts.CheckpointInterval)
	defer tick.Stop()
	prune, stopPrune := pruneTicks(s.opts, s.retain)
	defer stopPrune()
	var (
		// A batch never spans more than one checkpoint interval of
		// records, so checkpoints come every CheckpointEvery or so.
		maxBatch = min(s.opts.MaxBatch, s.opts.CheckpointEvery)
		batch    = make([]*pending, 0, maxBatch)
		flushes  []chan error
		timer    = time.NewTimer(time.Hour)
		armed    bool // timer runs: linger, or the retry after a failure
		backoff  time.Duration
		closed   bool
	)
	timer.Stop()
	take := func(p *pending) {
		if p.flush != nil {
			flushes = append(flushes, p.flush)
		} else {
			batch = append(batch, p)
		}
	}
	commitNow := func() {
		if armed {
			timer.Stop()
			armed = false
		}
		err := s.commitQueued(batch)
		if err != nil {
			if s.failed.Swap(&err) == nil {
				s.opts.Logger.Error("audit: records not committed; refusing new records until a commit succeeds (those queued are in the journal)", "queued", len(batch), "err", err)
			}
			backoff = min(max(2*backoff, 50*time.Millisecond), 5*time.Second)
			timer.Reset(backoff)
			armed = true
		} else {
			if s.failed.Swap(nil) != nil {
				s.opts.Logger.Warn("audit: commits succeed again", "committed", len(batch))
			}
			backoff = 0
			for _, p := range batch {
				putPending(p)
			}
			batch = batch[:0]
		}
		for _, f := range flushes {
			f <- err
		}
		flushes = flushes[:0]
	}
	drain := func() {
		for len(batch) < maxBatch {
			select {
			case p, ok := <-s.in:
				if !ok {
					closed = true
					return
				}
				take(p)
			default:
				return
			}
		}
	}
	// After a commit the writer keeps polling the queue every linger
	// instead of waiting on it, until a poll finds nothing: a busy
	// gateway's callers then never wake it (a wake-up is a futex call in
	// the caller's path).
	poll := func() {
		if !armed && s.opts.Linger > 0 {
			timer.Reset(s.opts.Linger)
			armed = true
		}
	}
	for {
		// While the timer runs (linger, or a retry after a failure) the
		// writer does not listen: callers queue records without waking it,
		// and it takes them all when the timer fires.
		in := s.in
		if armed {
			in = nil
		}
		select {
		case p, ok := <-in:
			if !ok {
				closed = true
				break
			}
			take(p)
			drain()
			switch {
			case closed:
			case len(flushes) > 0 || len(batch) >= maxBatch || s.opts.Linger < 0:
				commitNow()
				poll()
			default:
				timer.Reset(s.opts.Linger)
				armed = true
			}
		case <-timer.C:
			armed = false
			drain()
			if !closed && (len(batch) > 0 || len(flushes) > 0) {
				commitNow()
				poll()
			}
		case <-s.wake:
			if armed && s.failed.Load() == nil {
				timer.Stop()
				armed = false
				drain()
				if !closed {
					commitNow()
					poll()
				}
			}
		case <-prune:
			s.retain()
		case <-tick.C:
			if s.n > s.ckN {
				s.checkpoint()
			}
			// A writer that stopped while this one runs left its journal.
			if _, err := s.replayJournals(); err != nil {
				s.opts.Logger.Error("audit: replaying a stopped writer's journal", "err", err)
			}
		}
		if closed {
			s.finish(batch, flushes)
			return
		}
	}
}

// finish commits what is left; once all of the journal is in SQLite, it
// signs a checkpoint and removes the journal. Otherwise the journal stays
// for the next open to replay.
func (s *Store) finish(batch []*pending, flushes []chan error) {
	err := s.commitQueued(batch)
	if err == nil {
		s.checkpoint()
		s.j.mu.Lock()
		s.j.cur.sealed.Store(true)
		s.files[s.j.cur] = struct{}{}
		s.j.mu.Unlock()
		s.dropCommitted()
	} else {
		s.opts.Logger.Error("audit: records left in the journal at close; they are replayed when the store next opens", "count", len(batch), "err", err)
		s.closeErr = err
	}
	for jf := range s.files {
		jf.f.Close()
	}
	s.j.cur.f.Close()
	for _, f := range flushes {
		f <- err
	}
}

// commitQueued commits journaled records and then drops journal files
// that are wholly committed.
func (s *Store) commitQueued(batch []*pending) error {
	if len(batch) == 0 {
		return nil
	}
	if err := s.commit(batch); err != nil {
		return err
	}
	for _, p := range batch {
		if jf := p.jf; jf != nil && p.end > jf.committed {
			jf.committed = p.end
			s.files[jf] = struct{}{}
		}
	}
	s.dropCommitted()
	if s.opts.OnCommit != nil {
		s.opts.OnCommit()
	}
	if s.n-s.ckN >= int64(s.opts.CheckpointEvery) {
		s.checkpoint()
	}
	return nil
}

// dropCommitted removes rotated journal files whose records are all in
// SQLite. Their meta rows stay until the next open (sweepJournalMarks).
func (s *Store) dropCommitted() {
	for jf := range s.files {
		if !jf.sealed.Load() || jf.committed < jf.size.Load() || (s.j.full && !jf.syncedAll()) {
			continue // a caller may still wait for its fdatasync
		}
		delete(s.files, jf)
		if err := os.Remove(jf.path); err != nil {
			s.opts.Logger.Warn("audit: removing a committed journal", "file", jf.path, "err", err)
		}
		jf.f.Close()
	}
}

func (s *Store) commit(batch []*pending) (err error) {
	n0, last0, front0 := s.n, s.last, s.front.clone()
	defer func() {
		if err != nil {
			s.n, s.last, s.front = n0, last0, front0
		}
	}()
	// One connection for the transaction and the driver-level inserts in
	// it (insert.go).
	conn, err := s.db.Conn(context.Background())
	if err != nil {
		return fmt.Errorf("audit: begin: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(context.Background(), nil)
	if err != nil {
		return fmt.Errorf("audit: begin: %w", err)
	}
	// Another process (a second mcpwarden run on the same file) may have
	// appended since our last batch: continue from its state. The
	// immediate transaction holds the write lock until commit.
	var next sql.NullInt64
	if err := tx.Stmt(s.head).QueryRow().Scan(&next); err != nil {
		tx.Rollback()
		return fmt.Errorf("audit: read tree size: %w", err)
	}
	if next.Int64 != s.n {
		if err := s.loadTree(tx, next.Int64); err != nil {
			tx.Rollback()
			return fmt.Errorf("audit: %w", err)
		}
	}
	if err := conn.Raw(func(dc any) error { return s.insert(dc, batch) }); err != nil {
		tx.Rollback()
		return err
	}
	var jf *jfile
	mark := func() error {
		if jf == nil {
			return nil
		}
		if _, err := tx.Stmt(s.mark).Exec("journal:"+jf.id, strconv.FormatInt(jf.markEnd, 10)); err != nil {
			return fmt.Errorf("audit: journal offset: %w", err)
		}
		return nil
	}
	for _, p := range batch {
		// Records come in journal order: each file's offset is marked
		// once, where the batch moves past it.
		if p.jf != jf {
			if err := mark(); err != nil {
				tx.Rollback()
				return err
			}
			jf = p.jf
		}
		if jf != nil {
			jf.markEnd = p.end
		}
	}
	if err := mark(); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("audit: commit: %w", err)
	}
	s.size.Store(s.n)
	return nil
}

// walLoop copies committed WAL pages into the database file every second
// (PASSIVE: it never blocks the writer), and empties the WAL on close. A
// second with no commit has nothing to copy: an idle gateway leaves
// SQLite alone.
func (s *Store) walLoop() {
	defer close(s.walDone)
	defer s.walDB.Close()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	copied := int64(-1)
	for {
		select {
		case <-s.walStop:
			if _, err := s.walDB.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
				s.opts.Logger.Warn("audit: final WAL checkpoint", "err", err)
			}
			return
		case <-t.C:
			n := s.size.Load()
			if n == copied {
				continue
			}
			var busy, frames, done int64
			if err := s.walDB.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &done); err != nil {
				s.opts.Logger.Warn("audit: WAL checkpoint", "err", err)
				continue
			}
			if done == frames {
				copied = n // all of it: nothing left until the next commit
			}
		}
	}
}

// checkpoint signs the current tree.
func (s *Store) checkpoint() {
	if s.opts.Key == nil || s.n == s.ckN {
		return
	}
	root, err := s.front.root()
	if err == nil {
		var msg []byte
		msg, err = signCheckpoint(Checkpoint{Origin: s.origin, Size: s.n, Root: root}, s.opts.Key.Signer)
		if err == nil {
			_, err = s.db.Exec(`INSERT OR IGNORE INTO checkpoints (size, time_ns, note) VALUES (?, ?, ?)`, s.n, time.Now().UnixNano(), msg)
		}
	}
	if err != nil {
		s.opts.Logger.Error("audit: checkpoint not written", "size", s.n, "err", err)
		return
	}
	s.ckN = s.n
}
