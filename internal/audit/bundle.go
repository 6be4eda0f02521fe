package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// BundleFormat names an export in its first line.
const BundleFormat = "mcpwarden-audit-bundle/1"

type bundleHeader struct {
	Format  string `json:"format"`
	Origin  string `json:"origin"`
	Records int64  `json:"records"`
}

// Export writes the records covered by the newest signed checkpoint, and
// every checkpoint up to it, as JSON Lines: a header, the checkpoints
// ({"checkpoint": note text}), then the records ({"record": {...}}). With
// the public key alone, VerifyBundle checks it offline.
func (r *Reader) Export(ctx context.Context, w io.Writer) (int64, error) {
	var size int64
	if err := r.db.QueryRowContext(ctx, r.q(`SELECT coalesce(max(size), 0) FROM checkpoints`)).Scan(&size); err != nil {
		return 0, err
	}
	if size == 0 {
		return 0, errors.New("audit: export: no signed checkpoint yet")
	}
	origin, err := r.Origin(ctx)
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	if err := enc.Encode(bundleHeader{Format: BundleFormat, Origin: origin, Records: size}); err != nil {
		return 0, err
	}
	cks, err := r.checkpointsUpTo(ctx, size)
	if err != nil {
		return 0, err
	}
	if msg, fr, err := r.Cut(ctx); err != nil {
		return 0, err
	} else if msg != nil {
		if err := enc.Encode(map[string]any{"cut": string(msg), "frontier": fr}); err != nil {
			return 0, err
		}
	}
	for _, c := range cks {
		if err := enc.Encode(map[string]string{"checkpoint": string(c)}); err != nil {
			return 0, err
		}
	}
	rows, err := r.db.QueryContext(ctx, r.q(`SELECT data FROM records WHERE seq < ? ORDER BY seq`), size)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var data []byte
	for rows.Next() {
		if err := rows.Scan(&data); err != nil {
			return 0, err
		}
		bw.WriteString(`{"record":`)
		bw.Write(data)
		bw.WriteString("}\n")
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return size, bw.Flush()
}

// Bundle reads an exported file as a verification Source.
type Bundle struct {
	Path   string
	Header bundleHeader
}

// OpenBundle checks the bundle's header.
func OpenBundle(path string) (*Bundle, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("audit: bundle: %w", err)
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadBytes('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("audit: bundle: %w", err)
	}
	b := &Bundle{Path: path}
	if err := json.Unmarshal(line, &b.Header); err != nil || b.Header.Format != BundleFormat {
		return nil, fmt.Errorf("audit: bundle %s: not a %s file", path, BundleFormat)
	}
	return b, nil
}

func (b *Bundle) lines(fn func(kind string, val []byte) error) error {
	f, err := os.Open(b.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 64<<20)
	first := true
	for sc.Scan() {
		line := sc.Bytes()
		if first {
			first = false
			continue
		}
		switch {
		case bytes.HasPrefix(line, []byte(`{"record":`)) && bytes.HasSuffix(line, []byte("}")):
			if err := fn("record", line[len(`{"record":`):len(line)-1]); err != nil {
				return err
			}
		case bytes.HasPrefix(line, []byte(`{"checkpoint":`)):
			var c struct{ Checkpoint string }
			if err := json.Unmarshal(line, &c); err != nil {
				return fmt.Errorf("bad checkpoint line: %w", err)
			}
			if err := fn("checkpoint", []byte(c.Checkpoint)); err != nil {
				return err
			}
		case bytes.HasPrefix(line, []byte(`{"cut":`)):
			if err := fn("cut", line); err != nil {
				return err
			}
		case len(line) == 0:
		default:
			return fmt.Errorf("unexpected line %.40q", line)
		}
	}
	return sc.Err()
}

func (b *Bundle) Records(ctx context.Context, fn func(data, tree []byte) error) error {
	return b.lines(func(kind string, v []byte) error {
		if kind != "record" {
			return nil
		}
		return fn(v, nil)
	})
}

// Cut returns the bundle's retention cut, if any.
func (b *Bundle) Cut(ctx context.Context) (msg, front []byte, err error) {
	err = b.lines(func(kind string, v []byte) error {
		if kind != "cut" {
			return nil
		}
		var c struct {
			Cut      string
			Frontier []byte
		}
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("bad cut line: %w", err)
		}
		msg, front = []byte(c.Cut), c.Frontier
		return nil
	})
	return msg, front, err
}

func (b *Bundle) Checkpoints(ctx context.Context) ([][]byte, error) {
	var out [][]byte
	err := b.lines(func(kind string, v []byte) error {
		if kind == "checkpoint" {
			out = append(out, bytes.Clone(v))
		}
		return nil
	})
	return out, err
}
