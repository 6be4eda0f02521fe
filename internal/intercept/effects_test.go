package intercept

import (
	"context"
	"errors"
	"testing"
)

type fakeWatcher struct {
	watched, done []string
	answered      bool // the upstream answered the request being watched
}

func (f *fakeWatcher) Watch(ctx context.Context, x *Exchange) func(context.Context, *Exchange) {
	f.watched = append(f.watched, x.Method)
	if x.Server == "quiet" {
		return nil
	}
	f.answered = false
	return func(ctx context.Context, x *Exchange) {
		if !f.answered {
			panic("done ran before the upstream answered")
		}
		f.done = append(f.done, x.Method)
		x.AddEffect(Effect{Kind: "sql", Operation: "UPDATE", Rows: 3, RowsKnown: true})
	}
}

// TestEffectsStage: the window brackets the upstream call of requests to
// one server, also when it fails; initialize carries the session id to
// whoever starts servers; requests to no single server are not watched.
func TestEffectsStage(t *testing.T) {
	f := &fakeWatcher{}
	var upstreamSaw []string
	h := NewChain(Effects(f)).Then(func(ctx context.Context, x *Exchange) (*Reply, error) {
		f.answered = true
		if id, ok := SessionFrom(ctx); ok {
			upstreamSaw = append(upstreamSaw, "session:"+id)
		}
		if x.Name == "fail" {
			return nil, errors.New("upstream broke")
		}
		return &Reply{}, nil
	})
	ex := func(method, server, name string) *Exchange {
		return &Exchange{Method: method, Server: server, Name: name, Peer: &Peer{SessionID: "s1"}, Record: &Record{}}
	}
	x := ex("tools/call", "db", "update")
	if _, err := h(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	if len(x.Record.Effects) != 1 || x.Record.Effects[0].Rows != 3 {
		t.Errorf("effects %+v", x.Record.Effects)
	}
	if _, err := h(context.Background(), ex("tools/call", "db", "fail")); err == nil || len(f.done) != 2 {
		t.Errorf("a failed call: err %v, done %v", err, f.done)
	}
	h(context.Background(), ex("tools/list", "", ""))
	h(context.Background(), ex("tools/call", "quiet", "x"))
	if _, ok := SessionFrom(context.Background()); ok {
		t.Error("SessionFrom outside initialize")
	}
	h(context.Background(), ex("initialize", "db", ""))
	if len(f.watched) != 3 || len(upstreamSaw) != 1 || upstreamSaw[0] != "session:s1" {
		t.Errorf("watched %v, upstream saw %v", f.watched, upstreamSaw)
	}
	// No watcher: the stage only passes initialize's session on.
	x = ex("tools/call", "db", "update")
	if _, err := NewChain(Effects(nil)).Then(func(context.Context, *Exchange) (*Reply, error) { return &Reply{}, nil })(context.Background(), x); err != nil || len(x.Record.Effects) != 0 {
		t.Errorf("nil watcher: %v %+v", err, x.Record.Effects)
	}
}
