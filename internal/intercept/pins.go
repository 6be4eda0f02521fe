package intercept

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/pin"
	"github.com/mcpwarden/mcpwarden/internal/pinstore"
	"github.com/mcpwarden/mcpwarden/internal/poison"
)

// instructionsItem is the pin store's item for a server's instructions.
// A tool a server names so would share its pin: any difference between
// the two then reads as a change, which holds both (fails safe).
const instructionsItem = "(instructions)"

// Pins is trust on first use for servers without a manifest (keys maps
// each such server to its key in the store). The first tool definitions
// and instructions a server serves are pinned; a definition that later
// differs is hidden and its calls refused until an operator approves it
// (mcpwarden pins approve), and differing instructions are withheld. A
// store that cannot be read or written fails the list: an unchecked list
// is never shown.
//
// Every tool, prompt and resource definition and the instructions of
// those servers are also scanned for tool poisoning, pinned or not, and
// with a nil store (serve, or run --pins off) that scan is all the stage
// does: a server without a manifest is never served unread.
func Pins(store *pinstore.Store, keys map[string]string) Interceptor {
	var held sync.Map // "kind\x00server\x00name" → reason
	rule, remedy := "pins.held", "its definition changed since it was first seen, or looks poisoned; an operator can approve it with mcpwarden pins approve"
	if store == nil {
		rule, remedy = "poison.held", "its definition looks poisoned; give the server a manifest to review it"
	}
	refuse := func(kind string, x *Exchange) error {
		why, q := held.Load(kind + "\x00" + x.Server + "\x00" + x.Name)
		if !q {
			return nil
		}
		return &Denial{Rule: rule, Code: CodeDenied,
			Public: fmt.Sprintf("%s %q is held: %s", kind, x.Name, remedy), Detail: why.(string)}
	}
	return Func{N: "pins", F: func(ctx context.Context, x *Exchange, next Handler) (*Reply, error) {
		if len(keys) == 0 || x.Server != "" && keys[x.Server] == "" {
			return next(ctx, x)
		}
		switch x.Method {
		case "tools/call":
			if err := refuse("tool", x); err != nil {
				return nil, err
			}
		case "prompts/get":
			if err := refuse("prompt", x); err != nil {
				return nil, err
			}
		case "resources/read", "resources/subscribe":
			if err := refuse("resource", x); err != nil {
				return nil, err
			}
		case "tools/list", "prompts/list", "resources/list", "resources/templates/list":
			reply, err := next(ctx, x)
			if err != nil || reply == nil || reply.Msg == nil || reply.Msg.Kind != mcpwire.KindResponse {
				return reply, err
			}
			kind := listKind(x.Method)
			verdict := map[string]string{} // "server\x00name" → why it is held
			prepare := func(items []listItem) error {
				if kind == "tool" {
					verdict = crossCheck(items, true, func(server string) bool { return keys[server] != "" })
				}
				served := map[string]map[string]string{}
				for _, it := range items {
					if keys[it.server] == "" {
						continue
					}
					id := it.server + "\x00" + it.name
					if _, held := verdict[id]; held {
						continue
					}
					def := it.raw
					if kind == "tool" {
						def = unprefixed(it)
					}
					if fs := poison.Definition(def); len(fs) > 0 {
						verdict[id] = "tool poisoning: " + fs[0].String()
						continue
					}
					if store == nil || kind != "tool" {
						continue
					}
					h, err := pin.Hash(def)
					if err != nil {
						verdict[id] = "definition could not be hashed"
						continue
					}
					if served[it.server] == nil {
						served[it.server] = map[string]string{}
					}
					served[it.server][it.name] = h
				}
				for server, hs := range served {
					st, old, err := store.Check(keys[server], hs, time.Now())
					if err != nil {
						return err
					}
					for tool, s := range st {
						if s == pinstore.Changed {
							verdict[server+"\x00"+tool] = "definition changed since first seen (served " + hs[tool] + ", pinned " + old[tool] + ")"
						}
					}
				}
				return nil
			}
			return rewriteList(x, reply, "pins", false, prepare, func(server, name string, _ json.RawMessage) bool {
				if keys[server] == "" {
					return true
				}
				id := kind + "\x00" + server + "\x00" + name
				if why, bad := verdict[server+"\x00"+name]; bad {
					held.Store(id, why)
					x.Record.Reason = "pins: " + kind + " " + name + " held: " + why
					return false
				}
				held.Delete(id) // pinned (again, after an approval)
				return true
			})
		case "initialize", "server/discover":
			reply, err := next(ctx, x)
			if err != nil || reply == nil || reply.Msg == nil || reply.Msg.Kind != mcpwire.KindResponse || x.Server == "" {
				return reply, err
			}
			return pinInstructions(store, keys[x.Server], x, reply)
		}
		return next(ctx, x)
	}}
}

// unprefixed is the definition as the server served it: aggregated lists
// carry the prefixed name, pins are of the server's own.
func unprefixed(it listItem) []byte {
	if tNameOf(it.raw) == it.name {
		return it.raw
	}
	q, _ := json.Marshal(it.name)
	if d, err := mcpwire.Set(it.raw, "name", q); err == nil {
		return d
	}
	return it.raw
}

// pinInstructions withholds instructions that differ from their pin or
// look poisoned (with a nil store, only those that look poisoned).
func pinInstructions(store *pinstore.Store, key string, x *Exchange, reply *Reply) (*Reply, error) {
	instr, ok := mcpwire.StringMember(reply.Msg.Result, "instructions")
	if !ok {
		return reply, nil
	}
	why := ""
	if fs := poison.Text("instructions", instr); len(fs) > 0 {
		why = "instructions look poisoned: " + fs[0].String()
	} else if store != nil {
		st, _, err := store.Check(key, map[string]string{instructionsItem: pin.HashString(instr)}, time.Now())
		if err != nil {
			return nil, Deny("pins.store", "the server's instructions could not be checked", err.Error())
		}
		if st[instructionsItem] == pinstore.Changed {
			why = "instructions changed since first seen"
		}
	}
	if why == "" {
		return reply, nil
	}
	res, err := mcpwire.Delete(reply.Msg.Result, "instructions")
	if err == nil {
		var raw []byte
		if raw, err = mcpwire.Set(reply.Msg.Raw, "result", res); err == nil {
			var nm *mcpwire.Message
			if nm, err = mcpwire.Parse(raw); err == nil {
				x.Record.Reason = "pins: " + why + "; withheld"
				return &Reply{Msg: nm}, nil
			}
		}
	}
	return nil, Deny("pins.bad-result", "the server's instructions could not be checked", err.Error())
}
