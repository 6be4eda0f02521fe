package sqlguard

import (
	"encoding/json"
	"errors"
	"strings"

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

var parseResult = buildSchema()

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

const maxTreeDepth = 10000

var errTree = errors.New("parse tree not understood")

// decodeTree decodes libpg_query's JSON parse tree.
func decodeTree(js string) (*tnode, error) {
	d := &decoder{s: js}
	n := d.message(parseResult, 0)
	d.space()
	if d.err == nil && d.i != len(d.s) {
		d.err = errTree
	}
	if d.err != nil {
		return nil, d.err
	}
	return n, nil
}

type decoder struct {
	s   string
	i   int
	err error
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
		d.fail()
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
	n := &tnode{t: t}
	if d.eat('}') {
		return n
	}
	for d.err == nil {
		fi := t.fields[d.string()]
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
				for d.err == nil {
					tf.l = append(tf.l, d.message(fi.msg, depth+1))
					if !d.eat(',') {
						d.expect(']')
						break
					}
				}
			}
		case fi.msg != nil:
			tf.n = d.message(fi.msg, depth+1)
		default:
			tf.s = d.scalar()
		}
		n.fields = append(n.fields, tf)
		if !d.eat(',') {
			d.expect('}')
			break
		}
	}
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
		for d.i < len(d.s) && strings.IndexByte("0123456789+-.eEtrufalsn", d.s[d.i]) >= 0 {
			d.i++
		}
		if d.i == start {
			d.fail()
		}
		return d.s[start:d.i]
	}
}

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
