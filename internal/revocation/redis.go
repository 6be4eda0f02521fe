// Package revocation keeps the list of revoked access tokens (by jti)
// that every gateway replica honours. The Redis store is shared: a
// revocation is a key per jti that expires with the token, announced on a
// pub/sub channel so every replica refuses the token on its next request
// without asking Redis for each one. The file store is the fallback for
// one machine.
//
// Failure mode (fail closed): while a replica is not subscribed to the
// channel it cannot know of new revocations, so it refuses every token
// until it is again; after any reconnect each cached token is checked
// against Redis once more, so a revocation made during the gap is caught.
package revocation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Timing of the subscription's health checks: a replica that hears
// nothing from Redis for deadAfter stops vouching for tokens.
const (
	pingEvery = time.Second
	deadAfter = 3 * pingEvery
	opTimeout = 2 * time.Second
)

// ErrUnavailable is returned while the store cannot vouch for tokens.
var ErrUnavailable = errors.New("not subscribed to the revocation channel")

// Redis is the shared store. It is safe for concurrent use.
type Redis struct {
	rdb     *redis.Client
	name    string
	prefix  string
	channel string
	log     *slog.Logger

	mu       sync.RWMutex
	revoked  map[string]time.Time // jti → when its record expires
	subjects map[string]subject   // subject key → its revocation

	healthy  atomic.Bool
	epoch    atomic.Uint64
	lastSeen atomic.Int64 // unix nanos of the last reply on the subscription

	// OnRevoke, when set before Start, is called for each revocation heard.
	OnRevoke func(jti string)
	// Applying, when set before Start, is called after OnRevoke for each
	// revocation announced by another process; this replica's
	// acknowledgement (which Revoke waits for) is sent once the channel
	// it returns is closed, or after ackHold: work the revocation starts
	// (ending sessions, revoking their credentials) is done, or nearly,
	// when `token revoke` returns.
	Applying func(id string) <-chan struct{}

	cancel context.CancelFunc
	done   chan struct{}
}

// quietRedis drops go-redis's own log lines (a refused dial is printed
// on every retry): this package reports the store's state itself, once
// per change.
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

var quietOnce sync.Once

// OpenRedis connects lazily to the Redis at url (redis:// or rediss://);
// keys and the channel are named under prefix. Start subscribes.
func OpenRedis(url, prefix string, log *slog.Logger) (*Redis, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("revocation: %w", err)
	}
	quietOnce.Do(func() { redis.SetLogger(quietRedis{}) })
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = opTimeout, opTimeout, opTimeout
	if opt.ClientName == "" {
		// Names this process's connections in CLIENT LIST.
		var b [4]byte
		_, _ = rand.Read(b[:])
		opt.ClientName = "mcpwarden-revocation-" + hex.EncodeToString(b[:])
	}
	if log == nil {
		log = slog.Default()
	}
	return &Redis{rdb: redis.NewClient(opt), name: opt.ClientName, prefix: prefix, channel: prefix + "events", log: log,
		revoked: map[string]time.Time{}, subjects: map[string]subject{}, done: make(chan struct{})}, nil
}

// subject is a revocation of every token of a subject issued at or
// before since; its record expires with exp.
type subject struct{ since, exp time.Time }

func (r *Redis) key(jti string) string { return r.prefix + "jti:" + jti }

// subjectKey is the Redis key of a subject key ("sub:…").
func (r *Redis) subjectKey(key string) string { return r.prefix + key }

// Start subscribes to the revocation channel and keeps the subscription
// alive until Close.
func (r *Redis) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go r.watch(ctx)
}

// Close stops the subscription and the client.
func (r *Redis) Close() error {
	if r.cancel != nil {
		r.cancel()
		<-r.done
	}
	return r.rdb.Close()
}

// Revoke records jti as revoked until exp (the token's expiry plus the
// validators' clock skew) and announces it to every replica.
func (r *Redis) Revoke(ctx context.Context, jti string, exp time.Time) error {
	if err := CheckJTI(jti); err != nil {
		return err
	}
	if strings.HasPrefix(jti, SubjectPrefix) {
		return fmt.Errorf("revocation: token id %q looks like a subject key", jti)
	}
	return r.record(ctx, r.key(jti), jti, "1", exp, time.Time{})
}

// RevokeSubject records that the tokens of the subject key (from
// authn.SubjectKey) issued at or before since are revoked, until exp
// (when every such token has expired), and announces it.
func (r *Redis) RevokeSubject(ctx context.Context, key string, since, exp time.Time) error {
	if err := checkSubjectKey(key); err != nil {
		return err
	}
	return r.record(ctx, r.subjectKey(key), key, strconv.FormatInt(since.Unix(), 10), exp, since)
}

// record sets rkey to val until exp, announces id ("id exp", or "id exp
// since" for a subject) and waits for the replicas to apply it.
func (r *Redis) record(ctx context.Context, rkey, id, val string, exp, since time.Time) error {
	ttl := time.Until(exp)
	if ttl <= 0 {
		return nil // expired: no validator accepts it any more
	}
	if err := r.rdb.Set(ctx, rkey, val, ttl.Round(time.Second)+time.Second).Err(); err != nil {
		return fmt.Errorf("revocation: record %s: %w", id, err)
	}
	msg := id + " " + strconv.FormatInt(exp.Unix(), 10)
	if !since.IsZero() {
		msg += " " + strconv.FormatInt(since.Unix(), 10)
	}
	listeners, err := r.rdb.Publish(ctx, r.channel, msg).Result()
	if err != nil {
		// The key is there: replicas find it on their next check of a new
		// token or after a reconnect, but cached tokens would live on.
		return fmt.Errorf("revocation: recorded %s but could not announce it: %w", id, err)
	}
	r.heard(id, exp, since)
	// Return only once every replica that heard the announcement has
	// applied it, so that the next call anywhere is refused: each one
	// counts itself in an acknowledgement key after dropping the token.
	deadline := time.Now().Add(ackWait)
	for {
		n, err := r.rdb.Get(ctx, r.ackKey(id)).Int64()
		if err != nil && !errors.Is(err, redis.Nil) {
			return fmt.Errorf("revocation: recorded and announced %s, but could not read the acknowledgements: %w", id, err)
		}
		if n >= listeners {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("revocation: recorded and announced %s, but only %d of %d replicas confirmed within %v (the others refuse every token until they resubscribe)", id, n, listeners, ackWait)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// ackWait bounds how long Revoke waits for the replicas to confirm;
// ackHold how long a replica holds its confirmation for the work the
// revocation starts (Applying), well within ackWait.
const (
	ackWait = 3 * time.Second
	ackHold = 2 * time.Second
)

func (r *Redis) ackKey(jti string) string { return r.prefix + "ack:" + jti }

// ack counts this replica in the acknowledgements of jti's revocation.
func (r *Redis) ack(jti string) {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	p := r.rdb.TxPipeline()
	p.Incr(ctx, r.ackKey(jti))
	p.Expire(ctx, r.ackKey(jti), time.Minute)
	if _, err := p.Exec(ctx); err != nil {
		r.log.Warn("revocation: could not acknowledge a revocation", "err", err)
	}
}

// Epoch counts (re)subscriptions.
func (r *Redis) Epoch() uint64 { return r.epoch.Load() }

// Local reports whether jti was heard revoked; ErrUnavailable while not
// subscribed or when the subscription has gone quiet.
func (r *Redis) Local(jti string) (bool, error) {
	if !r.healthy.Load() || time.Since(time.Unix(0, r.lastSeen.Load())) > deadAfter {
		return false, ErrUnavailable
	}
	r.mu.RLock()
	_, ok := r.revoked[jti]
	r.mu.RUnlock()
	return ok, nil
}

// RevokedSince is when the tokens of the subject key were revoked (zero:
// not revoked): from what this replica heard with local, else from Redis.
// ErrUnavailable while not subscribed, as for Local.
func (r *Redis) RevokedSince(ctx context.Context, key string, local bool) (time.Time, error) {
	if !r.healthy.Load() || time.Since(time.Unix(0, r.lastSeen.Load())) > deadAfter {
		return time.Time{}, ErrUnavailable
	}
	r.mu.RLock()
	s, ok := r.subjects[key]
	r.mu.RUnlock()
	if ok || local {
		return s.since, nil
	}
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	v, err := r.rdb.Get(ctx, r.subjectKey(key)).Int64()
	switch {
	case errors.Is(err, redis.Nil):
		return time.Time{}, nil
	case err != nil:
		return time.Time{}, fmt.Errorf("revocation: %w", err)
	}
	return time.Unix(v, 0), nil
}

// Shared asks Redis whether jti is revoked.
func (r *Redis) Shared(ctx context.Context, jti string) (bool, error) {
	if revoked, err := r.Local(jti); err != nil || revoked {
		return revoked, err
	}
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	n, err := r.rdb.Exists(ctx, r.key(jti)).Result()
	if err != nil {
		return false, fmt.Errorf("revocation: %w", err)
	}
	return n > 0, nil
}

// CheckJTI accepts a token id that can be stored and announced: 1-256
// printable ASCII characters without spaces.
func CheckJTI(jti string) error {
	if jti == "" || len(jti) > 256 {
		return fmt.Errorf("revocation: token id must be 1-256 characters")
	}
	for i := 0; i < len(jti); i++ {
		if c := jti[i]; c <= 0x20 || c >= 0x7f {
			return fmt.Errorf("revocation: token id %q: printable ASCII without spaces only", jti)
		}
	}
	return nil
}

func (r *Redis) heard(jti string, exp, since time.Time) {
	now := time.Now()
	r.mu.Lock()
	if !since.IsZero() {
		for k, s := range r.subjects {
			if now.After(s.exp) {
				delete(r.subjects, k)
			}
		}
		if old, ok := r.subjects[jti]; !ok || since.After(old.since) {
			r.subjects[jti] = subject{since: since, exp: exp}
		}
	} else {
		if len(r.revoked) >= 1024 && len(r.revoked)%1024 == 0 {
			for k, t := range r.revoked {
				if now.After(t) {
					delete(r.revoked, k)
				}
			}
		}
		r.revoked[jti] = exp
	}
	r.mu.Unlock()
	if r.OnRevoke != nil {
		r.OnRevoke(jti)
	}
}

func (r *Redis) setHealthy(ok bool, err error) {
	if r.healthy.Swap(ok) == ok {
		return
	}
	if ok {
		r.log.Info("revocation store subscribed: tokens are accepted", "channel", r.channel)
	} else {
		r.log.Warn("revocation store unreachable: every token is refused until it is back", "channel", r.channel, "err", err)
	}
}

func (r *Redis) watch(ctx context.Context) {
	defer close(r.done)
	ps := r.rdb.Subscribe(ctx, r.channel)
	defer ps.Close()
	for ctx.Err() == nil {
		msg, err := ps.ReceiveTimeout(ctx, pingEvery)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && r.healthy.Load() {
				// Quiet channel: ask for a pong; silence past deadAfter
				// makes Local refuse.
				if perr := ps.Ping(ctx); perr != nil {
					r.setHealthy(false, perr)
				}
				continue
			}
			r.setHealthy(false, err)
			// The next receive reconnects and subscribes again.
			select {
			case <-ctx.Done():
			case <-time.After(200 * time.Millisecond):
			}
			continue
		}
		r.lastSeen.Store(time.Now().UnixNano())
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				// Anything revoked while unsubscribed was missed: cached
				// tokens are checked against Redis again.
				r.epoch.Add(1)
				r.setHealthy(true, nil)
			}
		case *redis.Message:
			id, exp, since, ok := parseAnnouncement(m.Payload)
			if !ok {
				r.log.Warn("revocation: malformed announcement ignored", "channel", r.channel)
				continue
			}
			r.heard(id, exp, since)
			if r.Applying == nil {
				r.ack(id)
				continue
			}
			// Off the subscription's goroutine: it must keep answering
			// pings while the work runs.
			applied := r.Applying(id)
			go func() {
				select {
				case <-applied:
				case <-time.After(ackHold):
					r.log.Warn("revocation: acknowledged before its sessions and credentials were all revoked", "id", id, "after", ackHold)
				}
				r.ack(id)
			}()
		}
	}
}

// parseAnnouncement reads "jti exp" or "subjectkey exp since" (unix
// seconds); a subject key's announcement must carry since, a token id's
// must not.
func parseAnnouncement(p string) (id string, exp, since time.Time, ok bool) {
	f := strings.Split(p, " ")
	if len(f) < 2 || len(f) > 3 || f[0] == "" {
		return "", exp, since, false
	}
	e, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return "", exp, since, false
	}
	isSubject := strings.HasPrefix(f[0], SubjectPrefix)
	if isSubject != (len(f) == 3) {
		return "", exp, since, false
	}
	if isSubject {
		s, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil || s <= 0 {
			return "", exp, since, false
		}
		since = time.Unix(s, 0)
	}
	return f[0], time.Unix(e, 0), since, true
}

// SubjectPrefix starts a subject key (authn.SubjectKey, which this
// package does not import).
const SubjectPrefix = "sub:"

// checkSubjectKey accepts what authn.SubjectKey makes: the prefix and 43
// base64url characters.
func checkSubjectKey(key string) error {
	rest, ok := strings.CutPrefix(key, SubjectPrefix)
	if !ok || len(rest) != 43 || strings.Trim(rest, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		return fmt.Errorf("revocation: %q is not a subject key", key)
	}
	return nil
}
