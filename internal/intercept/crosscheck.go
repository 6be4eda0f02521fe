package intercept

import (
	"encoding/json"

	"github.com/mcpwarden/mcpwarden/internal/confusable"
	"github.com/mcpwarden/mcpwarden/internal/poison"
)

// crossCheck runs the scanner checks that need a whole tools list rather
// than one definition: descriptions that tell the model how to use another
// tool (shadowing), across every server in the list, since the model reads
// them together; and, with names, names that imitate another name of the
// same server (homoglyphs, mixed scripts). Which of two look-alikes is the
// impostor cannot be told, so both are held. (A manifest needs no name
// check: only names declared exactly are listed.) It returns
// "server\x00tool" → reason for the tools of servers judged by guarded.
func crossCheck(items []listItem, names bool, guarded func(server string) bool) map[string]string {
	out := map[string]string{}
	byServer := map[string][]string{}
	defs := make([]json.RawMessage, 0, len(items))
	serverOf := map[string][]string{} // unprefixed name → servers serving it
	for _, it := range items {
		byServer[it.server] = append(byServer[it.server], it.name)
		defs = append(defs, unprefixed(it))
		serverOf[it.name] = append(serverOf[it.name], it.server)
	}
	for server, ns := range byServer {
		if !names || !guarded(server) {
			continue
		}
		for _, f := range poison.Names(ns) {
			why := "tool poisoning: " + f.String()
			out[server+"\x00"+f.Where] = why
			for _, n := range ns {
				if n != f.Where && confusable.Skeleton(n) == confusable.Skeleton(f.Where) {
					out[server+"\x00"+n] = why
				}
			}
		}
	}
	for _, f := range poison.Shadowing(defs) {
		for _, server := range serverOf[f.Where] {
			if guarded(server) {
				out[server+"\x00"+f.Where] = "tool poisoning: " + f.String()
			}
		}
	}
	return out
}
