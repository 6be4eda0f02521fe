package sqlguard

import (
	"errors"
	"slices"
	"strings"
	"testing"

	pg "github.com/pganalyze/pg_query_go/v6"
	"github.com/pganalyze/pg_query_go/v6/parser"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// protoShape lists the message types and strings of pg_query_go's own
// protobuf tree (Node wrappers left out), sorted.
func protoShape(m protoreflect.Message, out *[]string) {
	if name := m.Descriptor().Name(); name != "Node" {
		*out = append(*out, string(name))
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.Kind() == protoreflect.StringKind && !fd.IsList():
			*out = append(*out, fd.TextName()+"="+v.String())
		case fd.Kind() != protoreflect.MessageKind:
		case fd.IsList():
			for i := 0; i < v.List().Len(); i++ {
				protoShape(v.List().Get(i).Message(), out)
			}
		default:
			protoShape(v.Message(), out)
		}
		return true
	})
}

func treeShape(n *tnode, out *[]string) {
	if n == nil {
		return
	}
	*out = append(*out, n.t.name)
	for _, f := range n.fields {
		if f.f.msg == nil && f.s != "" && !f.f.list && isStringField(n.t.name, f.f.name) {
			*out = append(*out, f.f.protoName+"="+f.s)
		}
		treeShape(f.n, out)
		for _, c := range f.l {
			treeShape(c, out)
		}
	}
}

var stringFields = map[string]bool{}

func init() {
	for _, t := range []protoreflect.MessageDescriptor{(&pg.ParseResult{}).ProtoReflect().Descriptor()} {
		ms := t.ParentFile().Messages()
		for i := 0; i < ms.Len(); i++ {
			fs := ms.Get(i).Fields()
			for j := 0; j < fs.Len(); j++ {
				if f := fs.Get(j); f.Kind() == protoreflect.StringKind {
					stringFields[string(ms.Get(i).Name())+"."+f.JSONName()] = true
				}
			}
		}
	}
}

func isStringField(msg, field string) bool { return stringFields[msg+"."+field] }

// sameTree reports whether the JSON tree the guard judges holds exactly
// the nodes and strings of the protobuf tree (for queries that parse).
func sameTree(t *testing.T, q string) {
	t.Helper()
	pb, err := pg.Parse(q)
	if err != nil {
		return
	}
	js, err := parser.ParseToJSON(q)
	if err != nil {
		t.Fatalf("%.200q: protobuf parses, JSON does not: %v", q, err)
	}
	tree, err := decodeTree(js)
	if errors.Is(err, errTooDeep) {
		return // refused before it is judged
	}
	if err != nil {
		t.Fatalf("%.200q: JSON tree not decoded: %v\n%.2000s", q, err, js)
	}
	var a, b []string
	protoShape(pb.ProtoReflect(), &a)
	treeShape(tree, &b)
	if len(pb.Stmts) > 0 && len(a) < 3 {
		t.Fatalf("%.200q: empty protobuf tree", q)
	}
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		t.Fatalf("%.200q: trees differ\nprotobuf: %.2000s\njson:     %.2000s", q, strings.Join(a, " "), strings.Join(b, " "))
	}
}

func TestTreeMatchesProtobuf(t *testing.T) {
	for _, tc := range attacks {
		sameTree(t, tc.sql)
	}
	for _, tc := range benign {
		sameTree(t, tc.sql)
	}
	sameTree(t, `SELECT E'\u00e9\t"\\', U&'\+01F600', '😀', "weird ""name"""`)
}
