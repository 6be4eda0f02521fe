// Command dbpeer is a minimal stdio MCP server for the credential broker's
// end-to-end test. Its one tool, db, logs in to PostgreSQL with the DSN in
// $DATABASE_URL (the credential the gateway minted for this child) and
// reports who it is and what it may do; with {"crash": "1"} the process
// exits instead. When $DBPEER_OUT names a file, the
// DSN is written there so the test can check that the gateway never logged
// the password. Its tool env reports $DB_USER and the length of
// $DB_PASSWORD (the Vault broker's end-to-end test). For the per-call SQL
// effects test: update (UPDATE of the rows with id <= 3 of the table
// argument, schema.table), noop (no statement), later (answers at once,
// then 300 ms later updates the row with id 1: a statement of no call).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := json.NewEncoder(os.Stdout)
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
				"serverInfo": map[string]any{"name": "dbpeer", "version": "1"}}
		case "tools/list":
			var tools []any
			for _, n := range []string{"db", "env", "update", "noop", "later"} {
				tools = append(tools, map[string]any{"name": n, "inputSchema": map[string]any{"type": "object"}})
			}
			result = map[string]any{"tools": tools}
		case "tools/call":
			if req.Params.Arguments["crash"] != "" {
				os.Exit(3) // a server that dies mid-call
			}
			text := fmt.Sprintf("DB_USER=%s DB_PASSWORD=%d", os.Getenv("DB_USER"), len(os.Getenv("DB_PASSWORD")))
			table := pgx.Identifier(strings.Split(req.Params.Arguments["table"], ".")).Sanitize()
			switch req.Params.Name {
			case "env":
			case "update":
				text = exec("UPDATE " + table + " SET n = n + 1 WHERE id <= 3")
			case "noop":
				text = "nothing done"
			case "later":
				go func() {
					time.Sleep(300 * time.Millisecond)
					exec("UPDATE " + table + " SET n = n + 1 WHERE id = 1")
				}()
				text = "will update later"
			default:
				text = db(req.Params.Arguments["table"])
			}
			result = map[string]any{"content": []any{map[string]any{"type": "text", "text": text}}}
		default:
			result = map[string]any{}
		}
		out.Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": result})
	}
}

func db(table string) string {
	dsn := os.Getenv("DATABASE_URL")
	if dsn == "" {
		return "error: DATABASE_URL is not set"
	}
	if f := os.Getenv("DBPEER_OUT"); f != "" {
		os.WriteFile(f, []byte(dsn), 0o600)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return "error: connect: " + err.Error()
	}
	defer c.Close(ctx)
	var user string
	var n int
	if err := c.QueryRow(ctx, "SELECT current_user, (SELECT count(*) FROM "+pgx.Identifier{table}.Sanitize()+")").Scan(&user, &n); err != nil {
		return "error: select: " + err.Error()
	}
	insert := "ok"
	if _, err := c.Exec(ctx, "INSERT INTO "+pgx.Identifier{table}.Sanitize()+" VALUES (1000, 'x')"); err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			insert = "denied:" + pe.Code
		} else {
			insert = "error"
		}
	}
	return fmt.Sprintf("user=%s rows=%d insert=%s", user, n, insert)
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
