// Command sqlpeer is a minimal stdio MCP server for the per-call SQL
// effects end-to-end test. It logs in to PostgreSQL with the DSN in
// $DATABASE_URL (the role the gateway minted for this child). Tools:
// update (UPDATE of the rows with id <= 3 of the table argument, schema.table), noop
// (no statement), later (answers at once, then 300 ms later updates the
// row with id 1: a statement of no call).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	var mu sync.Mutex
	out := json.NewEncoder(os.Stdout)
	send := func(v any) {
		mu.Lock()
		defer mu.Unlock()
		out.Encode(v)
	}
	for in.Scan() {
		var req struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
			Params struct {
				Name      string            `json:"name"`
				Arguments map[string]string `json:"arguments"`
			} `json:"params"`
		}
		if json.Unmarshal(in.Bytes(), &req) != nil || req.ID == nil {
			continue
		}
		var result any
		switch req.Method {
		case "initialize":
			result = map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{"tools": map[string]any{}},
				"serverInfo": map[string]any{"name": "sqlpeer", "version": "1"}}
		case "tools/list":
			var tools []any
			for _, n := range []string{"update", "noop", "later"} {
				tools = append(tools, map[string]any{"name": n, "inputSchema": map[string]any{"type": "object"}})
			}
			result = map[string]any{"tools": tools}
		case "tools/call":
			table := pgx.Identifier(strings.Split(req.Params.Arguments["table"], ".")).Sanitize()
			text := "nothing done"
			switch req.Params.Name {
			case "update":
				text = exec(fmt.Sprintf("UPDATE %s SET n = n + 1 WHERE id <= 3", table))
			case "later":
				go func() {
					time.Sleep(300 * time.Millisecond)
					exec(fmt.Sprintf("UPDATE %s SET n = n + 1 WHERE id = 1", table))
				}()
				text = "will update later"
			}
			result = map[string]any{"content": []any{map[string]any{"type": "text", "text": text}}}
		default:
			result = map[string]any{}
		}
		send(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": result})
	}
}

// exec runs one statement as the minted role and says how many rows it
// changed.
func exec(stmt string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		return "error: connect: " + err.Error()
	}
	defer c.Close(ctx)
	tag, err := c.Exec(ctx, stmt)
	if err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprintf("%d rows", tag.RowsAffected())
}
