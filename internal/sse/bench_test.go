package sse

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// benchRead reads events from an endless repetition of block, which holds
// n events.
func benchRead(b *testing.B, block string, n int) {
	r := NewReader(&endless{pat: []byte(block)}, 0)
	if _, err := r.Next(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(block) / n))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Next(); err != nil {
			b.Fatal(err)
		}
	}
}

const smallJSON = `{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"abc123","progress":42,"total":100}}`

func BenchmarkReadSmall(b *testing.B) {
	benchRead(b, "event: message\ndata: "+smallJSON+"\n\n", 1)
}

// BenchmarkReadSmallID: Streamable HTTP with resumability, where every
// event carries a new id (one more allocation: the ID string).
func BenchmarkReadSmallID(b *testing.B) {
	// Alternate two ids so that the ID string changes every event.
	blk := "id: 1234567-a\nevent: message\ndata: " + smallJSON + "\n\n" +
		"id: 1234567-b\nevent: message\ndata: " + smallJSON + "\n\n"
	benchRead(b, blk, 2)
}

func BenchmarkReadSmallCRLF(b *testing.B) {
	benchRead(b, "event: message\r\ndata: "+smallJSON+"\r\n\r\n", 1)
}

func BenchmarkRead64K(b *testing.B) {
	benchRead(b, "event: message\ndata: "+strings.Repeat("x", 64<<10)+"\n\n", 1)
}

func BenchmarkRead4M(b *testing.B) {
	benchRead(b, "data: "+strings.Repeat("x", 4<<20)+"\n\n", 1)
}

func BenchmarkWriteSmall(b *testing.B) {
	e := Event{ID: "1234567", Type: "message", Data: []byte(smallJSON)}
	var buf bytes.Buffer
	Write(&buf, e)
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(io.Discard, e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWrite64K(b *testing.B) {
	e := Event{Type: "message", Data: []byte(strings.Repeat("x", 64<<10))}
	b.SetBytes(int64(len(e.Data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(io.Discard, e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteMultiline(b *testing.B) {
	e := Event{Data: []byte(strings.Repeat(smallJSON+"\n", 100))}
	b.SetBytes(int64(len(e.Data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(io.Discard, e); err != nil {
			b.Fatal(err)
		}
	}
}
