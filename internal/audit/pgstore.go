package audit

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/mcpwarden/mcpwarden/internal/intercept"
)

// pgSchema is the PostgreSQL form of the SQLite schema (store.go): the
// same tables and columns, bytea for blobs, and triggers that refuse
// UPDATE, DELETE and TRUNCATE except retention's DELETE below a signed
// cut. %[1]s is the schema, a plain identifier (pgSchemaRe).
const pgSchema = `
CREATE SCHEMA IF NOT EXISTS %[1]s;
CREATE TABLE %[1]s.meta (k text PRIMARY KEY, v text NOT NULL);
CREATE TABLE %[1]s.records (
	seq      bigint PRIMARY KEY,
	id       text NOT NULL,
	time_ns  bigint NOT NULL,
	session  text NOT NULL,
	trace_id text NOT NULL,
	server   text NOT NULL,
	name     text NOT NULL,
	method   text NOT NULL,
	decision text NOT NULL,
	data     bytea NOT NULL,
	tree     bytea NOT NULL
);
CREATE INDEX records_time ON %[1]s.records (time_ns);
CREATE TABLE %[1]s.checkpoints (size bigint PRIMARY KEY, time_ns bigint NOT NULL, note bytea NOT NULL);
CREATE TABLE %[1]s.cuts (size bigint PRIMARY KEY, time_ns bigint NOT NULL, note bytea NOT NULL, frontier bytea NOT NULL);
CREATE FUNCTION %[1]s.refuse_change() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
	RAISE EXCEPTION 'audit %% are append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE FUNCTION %[1]s.records_delete() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
	IF OLD.seq >= (SELECT coalesce(max(size), 0) FROM %[1]s.cuts) THEN
		RAISE EXCEPTION 'audit records are append-only (retention deletes only below a signed cut)' USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN OLD;
END $$;
CREATE TRIGGER records_no_update BEFORE UPDATE ON %[1]s.records FOR EACH ROW EXECUTE FUNCTION %[1]s.refuse_change();
CREATE TRIGGER records_no_delete BEFORE DELETE ON %[1]s.records FOR EACH ROW EXECUTE FUNCTION %[1]s.records_delete();
CREATE TRIGGER records_no_truncate BEFORE TRUNCATE ON %[1]s.records FOR EACH STATEMENT EXECUTE FUNCTION %[1]s.refuse_change();
CREATE TRIGGER checkpoints_no_change BEFORE UPDATE OR DELETE ON %[1]s.checkpoints FOR EACH ROW EXECUTE FUNCTION %[1]s.refuse_change();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON %[1]s.checkpoints FOR EACH STATEMENT EXECUTE FUNCTION %[1]s.refuse_change();
CREATE TRIGGER cuts_no_change BEFORE UPDATE OR DELETE ON %[1]s.cuts FOR EACH ROW EXECUTE FUNCTION %[1]s.refuse_change();
CREATE TRIGGER cuts_no_truncate BEFORE TRUNCATE ON %[1]s.cuts FOR EACH STATEMENT EXECUTE FUNCTION %[1]s.refuse_change();
CREATE TRIGGER meta_no_change BEFORE UPDATE OR DELETE ON %[1]s.meta FOR EACH ROW EXECUTE FUNCTION %[1]s.refuse_change();
CREATE TRIGGER meta_no_truncate BEFORE TRUNCATE ON %[1]s.meta FOR EACH STATEMENT EXECUTE FUNCTION %[1]s.refuse_change();
`

// PGSchemaSQL is the DDL that makes the chain's tables in schema, for an
// administrator who creates them before granting the gateway's role only
// SELECT and INSERT (docs/audit.md).
func PGSchemaSQL(schema string) (string, error) {
	if !pgSchemaRe.MatchString(schema) {
		return "", fmt.Errorf("audit: schema %q: use lower-case letters, digits and _", schema)
	}
	return fmt.Sprintf(pgSchema, schema), nil
}

// pgBatchTimeout bounds one batch (lock wait included): a database that
// stops answering fails the batch, and fail_closed refuses its calls,
// rather than holding them forever.
const pgBatchTimeout = 30 * time.Second

// PGStore appends records to a chain in PostgreSQL. Like Store, one
// writer goroutine commits batches (group commit); unlike it, several
// PGStores, in as many processes, may append to one chain: each batch
// takes a transaction-scoped advisory lock on the chain, reads the tree
// size, and continues from the stored frontier when another writer moved
// it.
type PGStore struct {
	pool    *pgxpool.Pool
	opts    Options
	origin  string
	schema  string
	lockKey int64

	mu     sync.RWMutex
	closed bool
	in     chan *pgPending
	done   chan struct{}
	lost   atomic.Int64
	size   atomic.Int64

	// writer state
	n     int64
	last  tlog.Hash
	front *frontier
	ckN   int64
	cols  pgColumns
}

type pgPending struct {
	body                                            []byte
	id, session, trace, server, name, method, decis string
	timeNS                                          int64
	done                                            chan error
}

var pgPendingPool = sync.Pool{New: func() any {
	return &pgPending{body: make([]byte, 0, 512), done: make(chan error, 1)}
}}

// pgColumns are one batch's rows, column by column, for the unnest insert.
type pgColumns struct {
	seq, timeNS                                        []int64
	id, session, trace, server, name, method, decision []string
	data, tree                                         [][]byte
}

func (c *pgColumns) reset() {
	c.seq, c.timeNS = c.seq[:0], c.timeNS[:0]
	c.id, c.session, c.trace, c.server, c.name, c.method, c.decision = c.id[:0], c.session[:0], c.trace[:0], c.server[:0], c.name[:0], c.method[:0], c.decision[:0]
	c.data, c.tree = c.data[:0], c.tree[:0]
}

// One statement per batch, whatever its size: one round trip.
const pgInsert = `INSERT INTO records (seq, id, time_ns, session, trace_id, server, name, method, decision, data, tree)
SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bytea[], $11::bytea[])`

// pgHead is the size of the tree: one past the last record, or the newest
// cut when retention removed every record.
const pgHead = `SELECT greatest((SELECT coalesce(max(seq) + 1, 0) FROM records), (SELECT coalesce(max(size), 0) FROM cuts))`

// pgText makes a value fit for a text column: PostgreSQL refuses NUL and
// invalid UTF-8, and one such value from a client must not fail the batch
// (and, fail-closed, every call in it). The columns only index and filter;
// the record bytes, stored as they are, are what is hashed.
func pgText(s string) string {
	if strings.IndexByte(s, 0) < 0 && utf8.ValidString(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// OpenPG opens (creating the tables when missing) the chain that loc's
// DSN names, for writing. loc.Postgres must be resolved (no secret://).
func OpenPG(ctx context.Context, loc Location, opts Options) (*PGStore, error) {
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
	pool, schema, err := pgPool(ctx, loc.Postgres, 2)
	if err != nil {
		return nil, err
	}
	s := &PGStore{pool: pool, opts: opts, schema: schema, lockKey: pgLockKey(schema),
		in: make(chan *pgPending, opts.MaxBatch), done: make(chan struct{}), front: newFrontier()}
	if err := s.load(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("audit: open postgres schema %s: %w", schema, err)
	}
	s.size.Store(s.n)
	go s.run()
	return s, nil
}

// pgPool connects the writer to dsn with the chain's schema as the search
// path. Errors name the host and database, never the DSN.
func pgPool(ctx context.Context, dsn string, conns int32) (*pgxpool.Pool, string, error) {
	_, schema, err := PGTarget(dsn)
	if err != nil {
		return nil, "", err
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, "", errors.New("audit: store postgres: the DSN does not parse")
	}
	cfg.MaxConns = conns
	rp := cfg.ConnConfig.RuntimeParams
	rp["search_path"] = schema
	if rp["application_name"] == "" {
		rp["application_name"] = "mcpwarden-audit"
	}
	// An acknowledged record must survive a server crash: with
	// synchronous_commit off, COMMIT returns before the WAL is flushed.
	// Stronger settings (remote_apply, ...) are kept.
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, `SELECT CASE WHEN current_setting('synchronous_commit') = 'off' THEN set_config('synchronous_commit', 'on', false) END`)
		return err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, "", fmt.Errorf("audit: store postgres (host %s, database %s): %w", cfg.ConnConfig.Host, cfg.ConnConfig.Database, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, "", fmt.Errorf("audit: store postgres (host %s, database %s): %w", cfg.ConnConfig.Host, cfg.ConnConfig.Database, err)
	}
	return pool, schema, nil
}

// tx runs fn in a READ COMMITTED transaction holding the chain's advisory
// lock. READ COMMITTED matters: each statement after the lock sees what
// the previous holder committed.
func (s *PGStore) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, s.lockKey); err != nil {
		return fmt.Errorf("lock the chain: %w", err)
	}
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// load makes the tables when missing (under the lock, so that replicas
// starting together make them once), then reads the log's identity and
// the state needed to append.
func (s *PGStore) load(ctx context.Context) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, s.schema+".records").Scan(&exists); err != nil {
			return err
		}
		if !exists {
			ddl, err := PGSchemaSQL(s.schema)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, ddl); err != nil {
				return fmt.Errorf("create the tables (or have an administrator run the DDL of docs/audit.md): %w", err)
			}
		}
		err := tx.QueryRow(ctx, `SELECT v FROM meta WHERE k = 'origin'`).Scan(&s.origin)
		if errors.Is(err, pgx.ErrNoRows) {
			var id [8]byte
			_, _ = rand.Read(id[:])
			s.origin = "mcpwarden.audit/" + hex.EncodeToString(id[:])
			if _, err := tx.Exec(ctx, `INSERT INTO meta (k, v) VALUES ('origin', $1), ('schema', '1')`, s.origin); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		if s.opts.Key != nil {
			if _, err := tx.Exec(ctx, `INSERT INTO meta (k, v) VALUES ($1, $2) ON CONFLICT (k) DO NOTHING`, "vkey:"+s.opts.Key.VKey, s.opts.Key.VKey); err != nil {
				return err
			}
		}
		var n int64
		if err := tx.QueryRow(ctx, pgHead).Scan(&n); err != nil {
			return err
		}
		if err := s.loadTree(ctx, tx, n); err != nil {
			return err
		}
		var ck *int64
		if err := tx.QueryRow(ctx, `SELECT max(size) FROM checkpoints`).Scan(&ck); err != nil {
			return err
		}
		if ck != nil {
			s.ckN = *ck
		}
		return nil
	})
}

// loadTree reads the chain head and tree frontier of a log of n records
// (continueTree says which records and how retention's cut stands in).
func (s *PGStore) loadTree(ctx context.Context, q pgQuerier, n int64) error {
	var cutMsg, cutFront []byte
	var cutN int64
	trees := map[int64][]byte{}
	// One round trip: the newest cut and the records that hold the edge.
	b := &pgx.Batch{}
	b.Queue(`SELECT size, note, frontier FROM cuts ORDER BY size DESC LIMIT 1`).QueryRow(func(r pgx.Row) error {
		if err := r.Scan(&cutN, &cutMsg, &cutFront); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("read the cut: %w", err)
		}
		return nil
	})
	b.Queue(`SELECT seq, tree FROM records WHERE seq = ANY($1)`, edgeRecords(n)).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var seq int64
			var tree []byte
			if err := rows.Scan(&seq, &tree); err != nil {
				return err
			}
			trees[seq] = tree
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read the tree frontier: %w", err)
		}
		return nil
	})
	if err := q.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	front, last, err := continueTree(n, cutN, cutMsg, cutFront, trees)
	if err != nil {
		return err
	}
	s.n, s.last, s.front = n, last, front
	return nil
}

type pgQuerier interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// Size is the number of records in the chain as of this store's last
// commit (other writers may have added more since).
func (s *PGStore) Size() int64 { return s.size.Load() }

// Lost is the number of records that could not be stored.
func (s *PGStore) Lost() int64 { return s.lost.Load() }

// Origin names the log in its checkpoints.
func (s *PGStore) Origin() string { return s.origin }

// Schema is the PostgreSQL schema that holds the chain.
func (s *PGStore) Schema() string { return s.schema }

// Append stores r and returns once it is committed.
func (s *PGStore) Append(r *intercept.Record) error {
	p := pgPendingPool.Get().(*pgPending)
	p.body = encodeBody(p.body[:0], r)
	p.id, p.timeNS, p.session, p.trace = r.ID, r.Time.UnixNano(), r.Session, r.TraceID
	p.server, p.name, p.method, p.decis = r.Server, r.Name, r.Method, r.Decision
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		pgPendingPool.Put(p)
		return ErrClosed
	}
	s.in <- p
	s.mu.RUnlock()
	err := <-p.done
	pgPendingPool.Put(p)
	return err
}

// Close commits what is queued, signs a final checkpoint and closes.
func (s *PGStore) Close() error {
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
	s.pool.Close()
	return nil
}

func (s *PGStore) run() {
	defer close(s.done)
	tick := time.NewTicker(s.opts.CheckpointInterval)
	defer tick.Stop()
	prune, stopPrune := pruneTicks(s.opts, s.retain)
	defer stopPrune()
	batch := make([]*pgPending, 0, s.opts.MaxBatch)
	for {
		select {
		case p, ok := <-s.in:
			if !ok {
				s.checkpoint()
				return
			}
			batch = append(batch[:0], p)
		drain:
			for len(batch) < s.opts.MaxBatch {
				select {
				case p, ok := <-s.in:
					if !ok {
						break drain
					}
					batch = append(batch, p)
				default:
					break drain
				}
			}
			err := s.commit(batch)
			if err != nil {
				lost := s.lost.Add(int64(len(batch)))
				s.opts.Logger.Error("audit: records not stored", "count", len(batch), "lost_total", lost, "err", err)
			}
			for _, p := range batch {
				p.done <- err
			}
			if err == nil && s.opts.OnCommit != nil {
				s.opts.OnCommit()
			}
			if s.n-s.ckN >= int64(s.opts.CheckpointEvery) {
				s.checkpoint()
			}
		case <-prune:
			s.retain()
		case <-tick.C:
			if s.n > s.ckN {
				s.checkpoint()
			}
		}
	}
}

func (s *PGStore) commit(batch []*pgPending) (err error) {
	n0, last0, front0 := s.n, s.last, s.front.clone()
	defer func() {
		if err != nil {
			// The next batch reads the size again and reloads the
			// frontier if this one did commit after all.
			s.n, s.last, s.front = n0, last0, front0
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), pgBatchTimeout)
	defer cancel()
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("audit: postgres: %w", err)
	}
	conn := pc.Conn()
	open := false
	defer func() {
		if open {
			// A failed statement leaves the transaction aborted (or the
			// connection unusable): roll back, else drop the connection.
			if _, rerr := conn.Exec(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
				conn.Close(context.WithoutCancel(ctx))
			}
		}
		pc.Release()
	}()
	// Two round trips a batch: BEGIN, the chain's lock and the tree size
	// in one pipeline; the insert and COMMIT in another. In READ
	// COMMITTED each statement after the lock sees what the previous
	// holder committed.
	var next int64
	b := &pgx.Batch{}
	b.Queue("BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE")
	b.Queue(`SELECT pg_advisory_xact_lock($1)`, s.lockKey)
	b.Queue(pgHead).QueryRow(func(r pgx.Row) error { return r.Scan(&next) })
	open = true
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("audit: postgres: lock the chain: %w", err)
	}
	if next != s.n {
		// Another replica appended since our last batch.
		if err := s.loadTree(ctx, conn, next); err != nil {
			return fmt.Errorf("audit: postgres: %w", err)
		}
	}
	c := &s.cols
	c.reset()
	for _, p := range batch {
		data := encodeHead(make([]byte, 0, 100+len(p.body)), s.n, s.last)
		data = append(data, p.body...)
		hs := s.front.append(nil, data)
		tree := make([]byte, 0, len(hs)*tlog.HashSize)
		for _, h := range hs {
			tree = append(tree, h[:]...)
		}
		c.seq, c.timeNS = append(c.seq, s.n), append(c.timeNS, p.timeNS)
		c.id, c.session, c.trace = append(c.id, pgText(p.id)), append(c.session, pgText(p.session)), append(c.trace, pgText(p.trace))
		c.server, c.name = append(c.server, pgText(p.server)), append(c.name, pgText(p.name))
		c.method, c.decision = append(c.method, pgText(p.method)), append(c.decision, pgText(p.decis))
		c.data, c.tree = append(c.data, data), append(c.tree, tree)
		s.last = hs[0]
		s.n++
	}
	var tag pgconn.CommandTag
	b = &pgx.Batch{}
	b.Queue(pgInsert, c.seq, c.id, c.timeNS, c.session, c.trace, c.server, c.name, c.method, c.decision, c.data, c.tree)
	b.Queue("COMMIT").Exec(func(ct pgconn.CommandTag) error { tag = ct; return nil })
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		// The connection may have died after COMMIT took effect and
		// before its answer came (a server killing sessions does so while
		// the commit waits for its WAL flush): look before telling the
		// callers their records are lost.
		if s.committedAnyway(n0, c.tree) {
			s.size.Store(s.n)
			return nil
		}
		return fmt.Errorf("audit: postgres: insert: %w", err)
	}
	// COMMIT of an aborted transaction answers ROLLBACK, without error.
	if tag.String() != "COMMIT" {
		return fmt.Errorf("audit: postgres: commit: the transaction was rolled back (%s)", tag)
	}
	open = false
	s.size.Store(s.n)
	return nil
}

// committedAnyway reports whether the records of a batch whose commit
// went unanswered are stored: seqs from n0 on hold exactly the batch's
// leaf hashes (the first 32 bytes of each tree). It reads on another
// connection, with a short timeout; any doubt is "no".
func (s *PGStore) committedAnyway(n0 int64, trees [][]byte) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for range 3 { // the session that asks may be lost too
		stored, err := s.batchStored(ctx, n0, trees)
		if err == nil {
			return stored
		}
	}
	return false
}

func (s *PGStore) batchStored(ctx context.Context, n0 int64, trees [][]byte) (bool, error) {
	rows, err := s.pool.Query(ctx, `SELECT seq, substr(tree, 1, 32) FROM records WHERE seq >= $1 AND seq < $2 ORDER BY seq`, n0, n0+int64(len(trees)))
	if err != nil {
		return false, err
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var seq int64
		var leaf []byte
		if err := rows.Scan(&seq, &leaf); err != nil {
			return false, err
		}
		if i >= len(trees) || seq != n0+int64(i) || !bytes.Equal(leaf, trees[i][:tlog.HashSize]) {
			return false, nil
		}
		i++
	}
	if err := rows.Err(); err != nil {
		return false, err
	}
	return i == len(trees), nil
}

// checkpoint signs the tree as of this store's last commit: its records
// are committed and immutable, so no lock is needed. Replicas may sign the
// same size; the root is the same, and the first one stays.
func (s *PGStore) checkpoint() {
	if s.opts.Key == nil || s.n == s.ckN {
		return
	}
	root, err := s.front.root()
	if err == nil {
		var msg []byte
		msg, err = signCheckpoint(Checkpoint{Origin: s.origin, Size: s.n, Root: root}, s.opts.Key.Signer)
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), pgBatchTimeout)
			_, err = s.pool.Exec(ctx, `INSERT INTO checkpoints (size, time_ns, note) VALUES ($1, $2, $3) ON CONFLICT (size) DO NOTHING`, s.n, time.Now().UnixNano(), msg)
			cancel()
		}
	}
	if err != nil {
		s.opts.Logger.Error("audit: checkpoint not written", "size", s.n, "err", err)
		return
	}
	s.ckN = s.n
}

// retain removes records older than the retention period under a signed
// cut, as Store.retain does.
func (s *PGStore) retain() {
	if s.opts.Key == nil {
		s.opts.Logger.Warn("audit: retention needs a signing key; nothing removed")
		return
	}
	removed, size, err := s.cutBefore(time.Now().Add(-s.opts.Retention).UnixNano())
	if err != nil {
		s.opts.Logger.Error("audit: retention failed", "err", err)
		return
	}
	if removed > 0 {
		s.opts.Logger.Warn("audit: retention removed old records below a signed cut",
			"removed", removed, "cut", size, "retention", s.opts.Retention.String())
	}
}

// cutBefore signs a cut at the first record at or after beforeNS and
// deletes the records below it, in one transaction under the chain's
// lock so that no append interleaves.
func (s *PGStore) cutBefore(beforeNS int64) (removed, size int64, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	err = s.tx(ctx, func(tx pgx.Tx) error {
		var floor int64
		var keep *int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(size), 0) FROM cuts`).Scan(&floor); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT min(seq) FROM records WHERE time_ns >= $1`, beforeNS).Scan(&keep); err != nil {
			return err
		}
		if keep != nil {
			size = *keep
		} else if err := tx.QueryRow(ctx, pgHead).Scan(&size); err != nil {
			return err
		}
		if size <= floor {
			size = floor
			return nil
		}
		f := &PGStore{}
		if err := f.loadTree(ctx, tx, size); err != nil {
			return err
		}
		root, err := f.front.root()
		if err != nil {
			return err
		}
		msg, err := note.Sign(&note.Note{Text: cutText(Checkpoint{Origin: s.origin, Size: size, Root: root}, f.last)}, s.opts.Key.Signer)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO cuts (size, time_ns, note, frontier) VALUES ($1, $2, $3, $4)`, size, time.Now().UnixNano(), msg, encodeFrontier(f.front)); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM records WHERE seq < $1`, size)
		if err != nil {
			return err
		}
		removed = tag.RowsAffected()
		return nil
	})
	return removed, size, err
}
