package sqlguard

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// The parse tree is read from libpg_query's JSON output, not its protobuf
// output: the C side packs protobuf with a size pass per nesting level and
// took three times as long (and pg_query_go's unmarshal as long again),
// which put a typical query well over the 50 µs budget. The JSON is
// decoded here against the protobuf descriptors of pg_query_go, so every
// object is typed exactly as in the protobuf tree, every field is visited,
// and a key the descriptors do not know is an error (deny), never skipped.

// msgInfo describes one parse-tree message type.
type msgInfo struct {
	name   string
	order  []*fieldInfo          // in declaration order, the order libpg_query writes keys in
	fields map[string]*fieldInfo // by JSON name
	node   bool                  // the Node wrapper: one key naming the concrete type
	kinds  map[string]*msgInfo   // for Node: JSON name → concrete type
}

type fieldInfo struct {
	name      string // JSON name
	protoName string
	msg       *msgInfo // nil for scalars
	list      bool
}

// parseResult is the schema of a parse tree, built at the first check:
// processes that never check SQL (the sandbox helper, the CLI) skip it.
var parseResult = sync.OnceValue(buildSchema)

func buildSchema() *msgInfo {
	file := (&pg.ParseResult{}).ProtoReflect().Descriptor().ParentFile()
	infos := map[protoreflect.FullName]*msgInfo{}
	var all []protoreflect.MessageDescriptor
	var collect func(ms protoreflect.MessageDescriptors)
	collect = func(ms protoreflect.MessageDescriptors) {
		for i := 0; i < ms.Len(); i++ {
			m := ms.Get(i)
			all = append(all, m)
			infos[m.FullName()] = &msgInfo{name: string(m.Name()), fields: map[string]*fieldInfo{}}
			collect(m.Messages())
		}
	}
	collect(file.Messages())
	for _, m := range all {
		info := infos[m.FullName()]
		info.node = m.Name() == "Node"
		if info.node {
			info.kinds = map[string]*msgInfo{}
		}
		fs := m.Fields()
		for i := 0; i < fs.Len(); i++ {
			f := fs.Get(i)
			fi := &fieldInfo{name: f.JSONName(), protoName: string(f.Name()), list: f.IsList()}
			if f.Kind() == protoreflect.MessageKind {
				fi.msg = infos[f.Message().FullName()]
			}
			info.fields[fi.name] = fi
			info.order = append(info.order, fi)
			if info.node && fi.msg != nil {
				info.kinds[fi.name] = fi.msg
			}
		}
	}
	return infos[(&pg.ParseResult{}).ProtoReflect().Descriptor().FullName()]
}

// tnode is one typed node of the decoded tree. A Node wrapper is never a
// tnode: it is replaced by the node it wraps (nil for an empty one).
type tnode struct {
	t      *msgInfo
	fields []tfield
}

type tfield struct {
	f *fieldInfo
	s string   // a scalar's text (strings unescaped, numbers as written)
	n *tnode   // a message
	l []*tnode // a list of messages
}

func (n *tnode) is(name string) bool { return n != nil && n.t.name == name }

func (n *tnode) field(name string) *tfield {
	if n == nil {
		return nil
	}
	for i := range n.fields {
		if n.fields[i].f.name == name {
			return &n.fields[i]
		}
	}
	return nil
}

func (n *tnode) has(name string) bool { return n.field(name) != nil }

func (n *tnode) str(name string) string {
	if f := n.field(name); f != nil {
		return f.s
	}
	return ""
}

func (n *tnode) child(name string) *tnode {
	if f := n.field(name); f != nil {
		return f.n
	}
	return nil
}

func (n *tnode) list(name string) []*tnode {
	if f := n.field(name); f != nil {
		return f.l
	}
	return nil
}

// sval is the text of a String node.
func (n *tnode) sval() string {
	if n.is("String") {
		return n.str("sval")
	}
	return ""
}

// maxTreeDepth bounds the nesting of the JSON tree (about two levels per
// expression level). The deepest SELECT of PostgreSQL's regression suite
// needs under 100; a deeper tree is refused rather than walked.
const maxTreeDepth = 1000

var (
	errTree    = errors.New("parse tree not understood")
	errTooDeep = errors.New("the query nests too deeply")
)

// decodeTree decodes libpg_query's JSON parse tree.
func decodeTree(js string) (*tnode, error) { return new(decoder).decode(js) }

// decoders are reused: a query's tree lives only while Check runs, and
// recycling its memory keeps the garbage collector (and its write
// barriers, which dominated the decoding time) out of the hot path.
var decoders = sync.Pool{New: func() any { return new(decoder) }}

// maxPooled bounds the nodes of a decoder kept for reuse, so one huge
// query does not pin its memory.
const maxPooled = 4096

func releaseDecoder(d *decoder) {
	if cap(d.nodes) <= maxPooled {
		d.s = ""
		decoders.Put(d)
	}
}

// decode decodes js; the tree is valid until d is used again.
func (d *decoder) decode(js string) (*tnode, error) {
	// Every object is a node, every key a field and every list item an
	// object: counting braces and colons sizes the chunks in one go.
	objects, keys := strings.Count(js, "{"), strings.Count(js, ":")
	d.s, d.i, d.err = js, 0, nil
	d.fstack, d.lstack = d.fstack[:0], d.lstack[:0]
	d.nodes = reuse(d.nodes, objects)
	d.fields = reuse(d.fields, keys)
	d.lists = reuse(d.lists, objects)
	n := d.message(parseResult(), 0)
	d.space()
	if d.err == nil && d.i != len(d.s) {
		d.err = errTree
	}
	if d.err != nil {
		return nil, d.err
	}
	return n, nil
}

func reuse[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, 0, n)
	}
	return s[:0]
}

// decoder reads the JSON in one pass. Nodes, fields and lists are cut from
// chunks sized up front, and an object's fields and a list's items are
// gathered on stacks and copied once at their end: growing a slice per
// object was most of the cost.
type decoder struct {
	s   string
	i   int
	err error

	fstack []tfield
	lstack []*tnode
	nodes  []tnode
	fields []tfield
	lists  []*tnode
}

func (d *decoder) newNode(t *msgInfo) *tnode {
	if len(d.nodes) == cap(d.nodes) {
		d.nodes = make([]tnode, 0, 16)
	}
	d.nodes = append(d.nodes, tnode{t: t})
	return &d.nodes[len(d.nodes)-1]
}

// keep copies a run of gathered items into a chunk.
func keep[T any](chunk *[]T, items []T) []T {
	if len(items) == 0 {
		return nil
	}
	if cap(*chunk)-len(*chunk) < len(items) {
		*chunk = make([]T, 0, max(16, len(items)))
	}
	start := len(*chunk)
	*chunk = append(*chunk, items...)
	return (*chunk)[start:len(*chunk):len(*chunk)]
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errTree
	}
}

func (d *decoder) space() {
	for d.i < len(d.s) && (d.s[d.i] == ' ' || d.s[d.i] == '\n' || d.s[d.i] == '\t' || d.s[d.i] == '\r') {
		d.i++
	}
}

// eat consumes c (after white space) and reports whether it was there.
func (d *decoder) eat(c byte) bool {
	d.space()
	if d.i < len(d.s) && d.s[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *decoder) expect(c byte) {
	if !d.eat(c) {
		d.fail()
	}
}

// message decodes an object of type t.
func (d *decoder) message(t *msgInfo, depth int) *tnode {
	if depth > maxTreeDepth {
		if d.err == nil {
			d.err = errTooDeep
		}
		return nil
	}
	d.expect('{')
	if d.err != nil {
		return nil
	}
	if t.node {
		if d.eat('}') {
			return nil // an empty Node: NULL in the C tree
		}
		k := t.kinds[d.string()]
		d.expect(':')
		if k == nil || d.err != nil {
			d.fail()
			return nil
		}
		n := d.message(k, depth+1)
		d.expect('}')
		return n
	}
	n := d.newNode(t)
	if d.eat('}') {
		return n
	}
	fmark := len(d.fstack)
	next := 0 // libpg_query writes keys in field order: look there first
	for d.err == nil {
		key := d.string()
		var fi *fieldInfo
		for j := next; j < len(t.order); j++ {
			if t.order[j].name == key {
				fi, next = t.order[j], j+1
				break
			}
		}
		if fi == nil {
			fi = t.fields[key]
		}
		d.expect(':')
		if fi == nil {
			d.fail()
			break
		}
		tf := tfield{f: fi}
		switch {
		case fi.msg != nil && fi.list:
			d.expect('[')
			if !d.eat(']') {
				lmark := len(d.lstack)
				for d.err == nil {
					c := d.message(fi.msg, depth+1)
					d.lstack = append(d.lstack, c)
					if !d.eat(',') {
						d.expect(']')
						break
					}
				}
				tf.l = keep(&d.lists, d.lstack[lmark:])
				d.lstack = d.lstack[:lmark]
			}
		case fi.msg != nil:
			tf.n = d.message(fi.msg, depth+1)
		default:
			tf.s = d.scalar()
		}
		d.fstack = append(d.fstack, tf)
		if !d.eat(',') {
			d.expect('}')
			break
		}
	}
	n.fields = keep(&d.fields, d.fstack[fmark:])
	d.fstack = d.fstack[:fmark]
	return n
}

// scalar decodes a string, number, boolean or null (or a list of them,
// which the guard never needs and skips).
func (d *decoder) scalar() string {
	d.space()
	if d.i >= len(d.s) {
		d.fail()
		return ""
	}
	switch c := d.s[d.i]; {
	case c == '"':
		return d.string()
	case c == '[':
		d.i++
		if !d.eat(']') {
			for d.err == nil {
				d.scalar()
				if !d.eat(',') {
					d.expect(']')
					break
				}
			}
		}
		return ""
	default:
		start := d.i
		for d.i < len(d.s) && scalarByte[d.s[d.i]] {
			d.i++
		}
		if d.i == start {
			d.fail()
		}
		return d.s[start:d.i]
	}
}

// scalarByte marks the bytes of JSON numbers, true, false and null.
var scalarByte = func() (t [256]bool) {
	for _, c := range []byte("0123456789+-.eEtrufalsn") {
		t[c] = true
	}
	return t
}()

// string decodes a JSON string. Strings without escapes (nearly all of
// them) are slices of the input; the rest go through encoding/json.
func (d *decoder) string() string {
	d.space()
	if d.i >= len(d.s) || d.s[d.i] != '"' {
		d.fail()
		return ""
	}
	start := d.i
	escaped := false
	for d.i++; d.i < len(d.s); d.i++ {
		switch d.s[d.i] {
		case '\\':
			escaped = true
			d.i++
		case '"':
			d.i++
			if !escaped {
				return d.s[start+1 : d.i-1]
			}
			var v string
			if err := json.Unmarshal([]byte(d.s[start:d.i]), &v); err != nil {
				d.fail()
			}
			return v
		}
	}
	d.fail()
	return ""
}
