package authserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisStore is a Store in Redis, shared by every replica: a client
// registered at one is known to all, and a sign-in may continue at any
// replica. Single use (codes, refresh tokens) is decided by SET NX, so two
// replicas cannot both accept the same code or refresh token. Every key
// expires: requests and codes with requestTTL, refresh tokens with their
// family, access records with their token, revocation marks after
// keepRevoked (longer than any refresh family lives).
type RedisStore struct {
	rdb    *redis.Client
	prefix string
}

// keepRevoked bounds how long a revoked grant is remembered: the longest
// refresh token lifetime configuration allows.
const keepRevoked = 90 * 24 * time.Hour

// keepClients is how long a registered client stays without use: its
// record is refreshed whenever it is read.
const keepClients = 90 * 24 * time.Hour

// OpenRedisStore connects to url (redis:// or rediss://) with key prefix.
func OpenRedisStore(url, prefix string) (*RedisStore, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("authserver: store: %w", err)
	}
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = 3*time.Second, 3*time.Second, 3*time.Second
	if opt.ClientName == "" {
		opt.ClientName = "mcpwarden-authserver"
	}
	return &RedisStore{rdb: redis.NewClient(opt), prefix: prefix}, nil
}

// Close closes the connection pool.
func (r *RedisStore) Close() error { return r.rdb.Close() }

func (r *RedisStore) k(kind, id string) string { return r.prefix + kind + ":" + id }

func (r *RedisStore) put(ctx context.Context, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if ttl <= 0 {
		ttl = time.Second
	}
	if err := r.rdb.Set(ctx, key, b, ttl).Err(); err != nil {
		return fmt.Errorf("authserver: store: %w", err)
	}
	return nil
}

func (r *RedisStore) get(ctx context.Context, key string, v any) error {
	b, err := r.rdb.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("authserver: store: %w", err)
	}
	return json.Unmarshal(b, v)
}

func (r *RedisStore) PutClient(ctx context.Context, c *Client) error {
	ttl := keepClients
	if !c.Expires.IsZero() {
		ttl = time.Until(c.Expires)
	}
	return r.put(ctx, r.k("client", c.ID), c, ttl)
}

func (r *RedisStore) Client(ctx context.Context, id string) (*Client, error) {
	var c Client
	if err := r.get(ctx, r.k("client", id), &c); err != nil {
		return nil, err
	}
	if c.Expires.IsZero() {
		r.rdb.Expire(ctx, r.k("client", id), keepClients)
	}
	return &c, nil
}

func (r *RedisStore) PutRequest(ctx context.Context, q *Request) error {
	ttl := requestTTL - time.Since(q.Created)
	if err := r.put(ctx, r.k("req", q.ID), q, ttl); err != nil {
		return err
	}
	if q.Code != "" {
		if err := r.rdb.Set(ctx, r.k("code", q.Code), q.ID, ttl).Err(); err != nil {
			return fmt.Errorf("authserver: store: %w", err)
		}
	}
	return nil
}

func (r *RedisStore) Request(ctx context.Context, id string) (*Request, error) {
	var q Request
	if err := r.get(ctx, r.k("req", id), &q); err != nil {
		return nil, err
	}
	return &q, nil
}

// DeleteRequest keeps a request whose code was spent, so that a second
// use of the code is recognised until the request expires.
func (r *RedisStore) DeleteRequest(ctx context.Context, id string) error {
	q, err := r.Request(ctx, id)
	if err != nil {
		return nil
	}
	if q.Code != "" {
		if n, _ := r.rdb.Exists(ctx, r.k("spent", q.Code)).Result(); n > 0 {
			return nil
		}
		r.rdb.Del(ctx, r.k("code", q.Code))
	}
	return r.rdb.Del(ctx, r.k("req", id)).Err()
}

func (r *RedisStore) TakeCode(ctx context.Context, code string) (*Request, error) {
	id, err := r.rdb.Get(ctx, r.k("code", code)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("authserver: store: %w", err)
	}
	q, err := r.Request(ctx, id)
	if err != nil {
		return nil, err
	}
	first, err := r.rdb.SetNX(ctx, r.k("spent", code), 1, requestTTL).Result()
	if err != nil {
		return nil, fmt.Errorf("authserver: store: %w", err)
	}
	if !first {
		q.CodeSpent = true
		return q, ErrCodeSpent
	}
	return q, nil
}

func (r *RedisStore) PutRefresh(ctx context.Context, f *Refresh) error {
	return r.put(ctx, r.k("refresh", f.Hash), f, time.Until(f.Expires))
}

func (r *RedisStore) Refresh(ctx context.Context, hash string) (*Refresh, error) {
	var f Refresh
	if err := r.get(ctx, r.k("refresh", hash), &f); err != nil {
		return nil, err
	}
	if n, _ := r.rdb.Exists(ctx, r.k("used", hash)).Result(); n > 0 {
		f.Used = true
	}
	return &f, nil
}

func (r *RedisStore) UseRefresh(ctx context.Context, hash string) (*Refresh, error) {
	var f Refresh
	if err := r.get(ctx, r.k("refresh", hash), &f); err != nil {
		return nil, err
	}
	first, err := r.rdb.SetNX(ctx, r.k("used", hash), 1, time.Until(f.Expires)+time.Minute).Result()
	if err != nil {
		return nil, fmt.Errorf("authserver: store: %w", err)
	}
	if !first {
		f.Used = true
		return &f, ErrRefreshReused
	}
	return &f, nil
}

func (r *RedisStore) AddAccess(ctx context.Context, a *Access) error {
	ttl := time.Until(a.Expires) + time.Minute
	if err := r.put(ctx, r.k("access", a.JTI), a, ttl); err != nil {
		return err
	}
	if a.Grant == "" {
		return nil
	}
	gk := r.k("grant", a.Grant)
	pipe := r.rdb.TxPipeline()
	pipe.HSet(ctx, gk, a.JTI, a.Expires.Unix())
	pipe.Expire(ctx, gk, keepRevoked)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("authserver: store: %w", err)
	}
	return nil
}

func (r *RedisStore) Access(ctx context.Context, jti string) (*Access, error) {
	var a Access
	if err := r.get(ctx, r.k("access", jti), &a); err != nil {
		return nil, err
	}
	if n, _ := r.rdb.Exists(ctx, r.k("revoked-access", jti)).Result(); n > 0 {
		a.Revoked = true
	}
	if a.Grant != "" {
		if g, err := r.GrantRevoked(ctx, a.Grant); err != nil || g {
			a.Revoked = true
		}
	}
	return &a, nil
}

func (r *RedisStore) RevokeAccess(ctx context.Context, jti string) error {
	return r.rdb.Set(ctx, r.k("revoked-access", jti), 1, time.Duration(maxAccessTTL)+time.Minute).Err()
}

// maxAccessTTL is the longest an access token lives (config bounds).
const maxAccessTTL = 15 * time.Minute

func (r *RedisStore) RevokeGrant(ctx context.Context, grant string) (map[string]time.Time, error) {
	if err := r.rdb.Set(ctx, r.k("revoked-grant", grant), 1, keepRevoked).Err(); err != nil {
		return nil, fmt.Errorf("authserver: store: %w", err)
	}
	m, err := r.rdb.HGetAll(ctx, r.k("grant", grant)).Result()
	if err != nil {
		return nil, fmt.Errorf("authserver: store: %w", err)
	}
	out := map[string]time.Time{}
	now := time.Now()
	for jti, v := range m {
		var sec int64
		if _, err := fmt.Sscan(v, &sec); err != nil {
			continue
		}
		if exp := time.Unix(sec, 0); exp.After(now) {
			out[jti] = exp
		}
	}
	return out, nil
}

func (r *RedisStore) GrantRevoked(ctx context.Context, grant string) (bool, error) {
	n, err := r.rdb.Exists(ctx, r.k("revoked-grant", grant)).Result()
	if err != nil {
		return false, fmt.Errorf("authserver: store: %w", err)
	}
	return n > 0, nil
}

func (r *RedisStore) PutSession(ctx context.Context, se *Session) error {
	return r.put(ctx, r.k("session", se.Hash), se, time.Until(se.Expires))
}

func (r *RedisStore) Session(ctx context.Context, hash string) (*Session, error) {
	var se Session
	if err := r.get(ctx, r.k("session", hash), &se); err != nil {
		return nil, err
	}
	if time.Now().After(se.Expires) {
		return nil, ErrNotFound
	}
	return &se, nil
}

func (r *RedisStore) DeleteSession(ctx context.Context, hash string) error {
	return r.rdb.Del(ctx, r.k("session", hash)).Err()
}
