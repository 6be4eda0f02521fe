package sink

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// JSONL appends records, one per line, to a file, rotating it at MaxSize:
// path becomes path.1, path.1 becomes path.2, and so on up to MaxFiles
// old files.
type JSONL struct {
	Path     string
	MaxSize  int64
	MaxFiles int

	f    *os.File
	size int64
}

// OpenJSONL opens (appending to) path.
func OpenJSONL(path string, maxSize int64, maxFiles int) (*JSONL, error) {
	j := &JSONL{Path: path, MaxSize: maxSize, MaxFiles: maxFiles}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("jsonl sink: %w", err)
	}
	if err := j.open(); err != nil {
		return nil, err
	}
	return j, nil
}

func (j *JSONL) open() error {
	f, err := os.OpenFile(j.Path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("jsonl sink: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("jsonl sink: %w", err)
	}
	j.f, j.size = f, st.Size()
	return nil
}

func (j *JSONL) Name() string { return "jsonl:" + j.Path }

// Deliver writes the batch and syncs it before the cursor moves on.
func (j *JSONL) Deliver(ctx context.Context, recs []Record) error {
	if j.f == nil {
		if err := j.open(); err != nil {
			return err
		}
	}
	w := bufio.NewWriterSize(j.f, 1<<16)
	for _, r := range recs {
		if j.MaxSize > 0 && j.size > 0 && j.size+int64(len(r.Data))+1 > j.MaxSize {
			if err := w.Flush(); err != nil {
				return j.fail(err)
			}
			if err := j.rotate(); err != nil {
				return err
			}
			w.Reset(j.f)
		}
		w.Write(r.Data)
		w.WriteByte('\n')
		j.size += int64(len(r.Data)) + 1
	}
	if err := w.Flush(); err != nil {
		return j.fail(err)
	}
	if err := j.f.Sync(); err != nil {
		return j.fail(err)
	}
	return nil
}

// fail drops the file so that the next attempt reopens it.
func (j *JSONL) fail(err error) error {
	j.f.Close()
	j.f = nil
	return fmt.Errorf("jsonl sink: %w", err)
}

func (j *JSONL) rotate() error {
	if err := j.f.Sync(); err != nil {
		return j.fail(err)
	}
	j.f.Close()
	j.f = nil
	keep := max(j.MaxFiles, 1)
	os.Remove(j.Path + "." + strconv.Itoa(keep))
	for i := keep - 1; i >= 1; i-- {
		os.Rename(j.Path+"."+strconv.Itoa(i), j.Path+"."+strconv.Itoa(i+1))
	}
	if err := os.Rename(j.Path, j.Path+".1"); err != nil {
		return fmt.Errorf("jsonl sink: rotate: %w", err)
	}
	return j.open()
}

func (j *JSONL) Close() error {
	if j.f == nil {
		return nil
	}
	return j.f.Close()
}
