package intercept

import "context"

// EffectWatcher looks at what a request does downstream, from outside
// the server: Watch runs when the request is about to go upstream and
// returns what to run once the server answered (it adds the effects to
// the exchange), or nil when it has nothing to watch for this request.
// A watcher never fails a request: effects are evidence, not a guard.
type EffectWatcher interface {
	Watch(ctx context.Context, x *Exchange) (done func(ctx context.Context, x *Exchange))
}

// Effects brackets each request with a single target server with w's
// Watch, so that what the server does downstream meanwhile lands in the
// request's record. It sits last in the chain: only requests every other
// stage allowed reach it, and its window is the upstream call alone.
// Initialize requests are not watched (they start the servers); they
// carry the session id in their context instead, for whoever starts a
// server for that session to find (SessionFrom).
func Effects(w EffectWatcher) Interceptor {
	return Func{N: "effects", F: func(ctx context.Context, x *Exchange, next Handler) (*Reply, error) {
		if x.Method == "initialize" {
			id := ""
			if x.Peer != nil {
				id = x.Peer.SessionID
			}
			return next(context.WithValue(ctx, sessionKey{}, id), x)
		}
		if w == nil || x.Server == "" {
			return next(ctx, x)
		}
		done := w.Watch(ctx, x)
		reply, err := next(ctx, x)
		if done != nil {
			done(ctx, x)
		}
		return reply, err
	}}
}

type sessionKey struct{}

// SessionFrom is the gateway session id of the initialize request whose
// context ctx is ("" for a session without one, such as run's stdio
// front); ok is false outside an initialize request.
func SessionFrom(ctx context.Context) (id string, ok bool) {
	id, ok = ctx.Value(sessionKey{}).(string)
	return id, ok
}
