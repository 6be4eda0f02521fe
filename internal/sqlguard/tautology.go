package sqlguard

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// The tautology check folds constant expressions the way PostgreSQL
// would: literals, casts of literals, comparisons, arithmetic, string
// concatenation, IN, BETWEEN, LIKE, IS [NOT] NULL/TRUE/FALSE/DISTINCT FROM
// ANY/ALL over ARRAY[…], subqueries that read no table (EXISTS (SELECT 1),
// (SELECT 1) = 1) and AND/OR/NOT with three-valued logic, plus a column
// compared with itself. Anything else (function calls, subqueries that
// read a table, parameters) is not constant, so OR length('a') = 1 or
// OR EXISTS (SELECT 1 FROM users) are not caught.

type kind uint8

const (
	kUnknown kind = iota // not a constant the folder understands
	kNull
	kBool
	kNum
	kText    // a typed string
	kLiteral // an untyped string literal: text, or a number or boolean in context
)

type cval struct {
	k kind
	b bool
	f float64
	s string
}

var unknown = cval{}

// maxFold bounds the work of folding one expression.
const maxFold = 256

// alwaysTrue reports an expression that is true whatever the row.
func alwaysTrue(n *tnode) bool {
	budget := maxFold
	b, ok := asBool(fold(n, &budget))
	return ok && b
}

func fold(n *tnode, budget *int) cval {
	*budget--
	if n == nil || *budget < 0 {
		return unknown
	}
	switch n.t.name {
	case "A_Const":
		return constant(n)
	case "TypeCast":
		return cast(fold(n.child("arg"), budget), n.child("typeName"))
	case "BoolExpr":
		return boolExpr(n.str("boolop"), n.list("args"), budget)
	case "NullTest":
		v := fold(n.child("arg"), budget)
		if v.k == kUnknown {
			return unknown
		}
		return cval{k: kBool, b: (v.k == kNull) == (n.str("nulltesttype") == "IS_NULL")}
	case "BooleanTest":
		return booleanTest(n.str("booltesttype"), fold(n.child("arg"), budget))
	case "A_Expr":
		return aExpr(n, budget)
	case "SubLink":
		return subLink(n, budget)
	}
	return unknown
}

// bareSelect reports a SELECT that reads no table and filters nothing
// (SELECT 1, SELECT 'a'): it yields exactly one row of constants.
func bareSelect(s *tnode) bool {
	if !s.is("SelectStmt") || s.str("op") != "SETOP_NONE" {
		return false
	}
	for _, f := range s.fields {
		if f.f.name != "targetList" && f.f.name != "limitOption" && f.f.name != "op" {
			return false
		}
	}
	return true
}

// subLink folds EXISTS (SELECT …), (SELECT x) and x IN (SELECT y) over a
// bare SELECT.
func subLink(n *tnode, budget *int) cval {
	sub := n.child("subselect")
	if !bareSelect(sub) {
		return unknown
	}
	tl := sub.list("targetList")
	switch n.str("subLinkType") {
	case "EXISTS_SUBLINK":
		return cval{k: kBool, b: true}
	case "EXPR_SUBLINK":
		if len(tl) == 1 {
			return fold(tl[0].child("val"), budget)
		}
	case "ANY_SUBLINK":
		op := "="
		if names := n.list("operName"); len(names) > 0 {
			op = names[len(names)-1].sval()
		}
		if len(tl) == 1 {
			return binary(op, fold(n.child("testexpr"), budget), fold(tl[0].child("val"), budget))
		}
	}
	return unknown
}

// constant reads an A_Const; JSON leaves out zero values, so {"ival":{}}
// is 0 and {"boolval":{}} is false.
func constant(c *tnode) cval {
	switch {
	case c.str("isnull") == "true":
		return cval{k: kNull}
	case c.has("ival"):
		iv := c.child("ival").str("ival")
		if iv == "" {
			iv = "0"
		}
		f, err := strconv.ParseFloat(iv, 64)
		if err != nil {
			return unknown
		}
		return cval{k: kNum, f: f}
	case c.has("fval"):
		f, err := strconv.ParseFloat(c.child("fval").str("fval"), 64)
		if err != nil && !math.IsInf(f, 0) {
			return unknown
		}
		return cval{k: kNum, f: f}
	case c.has("boolval"):
		return cval{k: kBool, b: c.child("boolval").str("boolval") == "true"}
	case c.has("sval"):
		return cval{k: kLiteral, s: c.child("sval").sval()}
	}
	return unknown
}

func cast(v cval, t *tnode) cval {
	names := t.list("names")
	if len(names) == 0 || t.has("arrayBounds") {
		return unknown
	}
	return castTo(v, names[len(names)-1].sval())
}

// castTo casts v to the type named typ (its last name part).
func castTo(v cval, typ string) cval {
	if v.k == kUnknown {
		return unknown
	}
	if v.k == kNull {
		return v
	}
	switch typ {
	case "bool", "boolean":
		if b, ok := asBool(v); ok {
			return cval{k: kBool, b: b}
		}
		if v.k == kNum {
			return cval{k: kBool, b: v.f != 0}
		}
	case "int2", "int4", "int8", "int", "integer", "smallint", "bigint", "numeric", "decimal", "float4", "float8", "real":
		if f, ok := asNum(v); ok {
			return cval{k: kNum, f: f}
		}
	case "text", "varchar", "bpchar", "char", "name":
		switch v.k {
		case kText, kLiteral:
			return cval{k: kText, s: v.s}
		case kNum:
			return cval{k: kText, s: strconv.FormatFloat(v.f, 'f', -1, 64)}
		case kBool:
			return cval{k: kText, s: strconv.FormatBool(v.b)}
		}
	}
	return unknown
}

// asBool reads v as a boolean the way PostgreSQL reads boolean input.
func asBool(v cval) (bool, bool) {
	switch v.k {
	case kBool:
		return v.b, true
	case kLiteral:
		s := strings.ToLower(strings.TrimSpace(v.s))
		switch {
		case s == "":
			return false, false
		case strings.HasPrefix("true", s), strings.HasPrefix("yes", s), s == "on", s == "1":
			return true, true
		case strings.HasPrefix("false", s), strings.HasPrefix("no", s), s == "off", s == "0":
			return false, true
		}
	}
	return false, false
}

func asNum(v cval) (float64, bool) {
	switch v.k {
	case kNum:
		return v.f, true
	case kLiteral, kText:
		f, err := strconv.ParseFloat(strings.TrimSpace(v.s), 64)
		return f, err == nil
	}
	return 0, false
}

func boolExpr(op string, args []*tnode, budget *int) cval {
	vals := make([]cval, 0, len(args))
	for _, a := range args {
		vals = append(vals, fold(a, budget))
	}
	return logic(op, vals)
}

// logic applies AND_EXPR, OR_EXPR or NOT_EXPR with three-valued logic.
func logic(op string, vals []cval) cval {
	switch op {
	case "NOT_EXPR":
		if len(vals) != 1 {
			return unknown
		}
		if vals[0].k == kNull {
			return vals[0]
		}
		if b, ok := asBool(vals[0]); ok {
			return cval{k: kBool, b: !b}
		}
	case "AND_EXPR", "OR_EXPR":
		or := op == "OR_EXPR"
		known, sawNull := true, false
		for _, v := range vals {
			if v.k == kNull {
				sawNull = true
				continue
			}
			b, ok := asBool(v)
			if !ok {
				known = false
			} else if b == or { // a true operand decides OR, a false one AND
				return cval{k: kBool, b: or}
			}
		}
		switch {
		case !known:
			return unknown
		case sawNull:
			return cval{k: kNull}
		}
		return cval{k: kBool, b: !or}
	}
	return unknown
}

func booleanTest(test string, v cval) cval {
	isNull := v.k == kNull
	b, ok := asBool(v)
	if !ok && !isNull {
		return unknown
	}
	var r bool
	switch test {
	case "IS_TRUE":
		r = !isNull && b
	case "IS_NOT_TRUE":
		r = isNull || !b
	case "IS_FALSE":
		r = !isNull && !b
	case "IS_NOT_FALSE":
		r = isNull || b
	case "IS_UNKNOWN":
		r = isNull
	case "IS_NOT_UNKNOWN":
		r = !isNull
	default:
		return unknown
	}
	return cval{k: kBool, b: r}
}

func aExpr(e *tnode, budget *int) cval {
	var op string
	if names := e.list("name"); len(names) > 0 {
		op = names[len(names)-1].sval()
	}
	lexpr, rexpr := e.child("lexpr"), e.child("rexpr")
	switch kind := e.str("kind"); kind {
	case "AEXPR_OP":
		if (op == "=" || op == "<=" || op == ">=") && sameColumn(lexpr, rexpr) {
			return cval{k: kBool, b: true} // x = x: true for every row where x is not null
		}
		r := fold(rexpr, budget)
		if lexpr == nil { // prefix operator
			if f, ok := asNum(r); ok && (op == "-" || op == "+") {
				if op == "-" {
					f = -f
				}
				return cval{k: kNum, f: f}
			}
			return unknown
		}
		return binary(op, fold(lexpr, budget), r)
	case "AEXPR_OP_ANY", "AEXPR_OP_ALL":
		// x = ANY (ARRAY[…]) is an OR of comparisons, ALL an AND; so over
		// an array literal ('{1,2}', '{1,2}'::int[], ARRAY[…]::int[]).
		items, ok := arrayItems(rexpr, budget)
		if !ok {
			return unknown
		}
		return combine(op, fold(lexpr, budget), items, kind == "AEXPR_OP_ALL")
	case "AEXPR_DISTINCT", "AEXPR_NOT_DISTINCT":
		if sameColumn(lexpr, rexpr) {
			return cval{k: kBool, b: kind == "AEXPR_NOT_DISTINCT"} // null or not, x is x
		}
		l, r := fold(lexpr, budget), fold(rexpr, budget)
		if l.k == kUnknown || r.k == kUnknown {
			return unknown
		}
		var same bool
		if l.k == kNull || r.k == kNull {
			same = l.k == r.k
		} else if eq, ok := asBool(binary("=", l, r)); ok {
			same = eq
		} else {
			return unknown
		}
		return cval{k: kBool, b: same == (kind == "AEXPR_NOT_DISTINCT")}
	case "AEXPR_IN":
		// IN is = any of the list, NOT IN is <> all of it.
		if !rexpr.is("List") {
			return unknown
		}
		return compareEach(op, lexpr, rexpr.list("items"), op == "<>", budget)
	case "AEXPR_BETWEEN", "AEXPR_NOT_BETWEEN":
		bounds := rexpr.list("items")
		if !rexpr.is("List") || len(bounds) != 2 {
			return unknown
		}
		l := fold(lexpr, budget)
		v := logic("AND_EXPR", []cval{binary(">=", l, fold(bounds[0], budget)), binary("<=", l, fold(bounds[1], budget))})
		if kind == "AEXPR_NOT_BETWEEN" {
			return logic("NOT_EXPR", []cval{v})
		}
		return v
	case "AEXPR_LIKE", "AEXPR_ILIKE":
		l, r := fold(lexpr, budget), fold(rexpr, budget)
		if l.k == kNull || r.k == kNull {
			return cval{k: kNull}
		}
		if (op == "~~" || op == "~~*") && isText(r) && onlyPercent(r.s) {
			return cval{k: kBool, b: true} // x LIKE '%': true for every row where x is not null, as x = x
		}
		if !isText(l) || !isText(r) || len(l.s) > maxFold || len(r.s) > maxFold {
			return unknown
		}
		s, p := l.s, r.s
		if kind == "AEXPR_ILIKE" {
			s, p = strings.ToLower(s), strings.ToLower(p)
		}
		m := like(s, p)
		if op == "!~~" || op == "!~~*" {
			m = !m
		}
		return cval{k: kBool, b: m}
	}
	return unknown
}

// compareEach compares l with each item and combines the results with
// AND (all) or OR (any).
func compareEach(op string, l *tnode, items []*tnode, all bool, budget *int) cval {
	if len(items) == 0 {
		return unknown
	}
	vals := make([]cval, 0, len(items))
	for _, it := range items {
		vals = append(vals, fold(it, budget))
	}
	return combine(op, fold(l, budget), vals, all)
}

// arrayItems folds the elements of a constant array: ARRAY[…], an array
// literal '{…}' (untyped, or cast to an array type) and ARRAY[…] cast to
// one; a cast's element type applies to each element.
func arrayItems(n *tnode, budget *int) ([]cval, bool) {
	elemType := ""
	if n.is("TypeCast") {
		t := n.child("typeName")
		names := t.list("names")
		if !t.has("arrayBounds") || len(names) == 0 {
			return nil, false
		}
		elemType = names[len(names)-1].sval()
		n = n.child("arg")
	}
	var items []cval
	switch {
	case n.is("A_ArrayExpr"):
		for _, e := range n.list("elements") {
			items = append(items, fold(e, budget))
		}
	case n.is("A_Const") && n.has("sval"):
		var ok bool
		if items, ok = arrayLiteral(n.child("sval").sval()); !ok {
			return nil, false
		}
		*budget -= len(items)
	default:
		return nil, false
	}
	if elemType != "" {
		for i, v := range items {
			items[i] = castTo(v, elemType)
		}
	}
	return items, len(items) > 0 && *budget >= 0
}

// arrayLiteral reads PostgreSQL's array input syntax ({1,2}, {"a b",NULL},
// nested braces flattened as ANY reads them) into untyped literals; false
// for anything else (dimension decorations, unbalanced braces).
func arrayLiteral(s string) ([]cval, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '{' || len(s) > 4*maxFold {
		return nil, false
	}
	var items []cval
	depth := 0
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '{':
			depth++
			i++
		case c == '}':
			depth--
			i++
			if depth < 0 || depth == 0 && strings.TrimSpace(s[i:]) != "" {
				return nil, false
			}
		case c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case depth == 0:
			return nil, false
		case c == '"':
			var b strings.Builder
			for i++; ; i++ {
				if i >= len(s) {
					return nil, false
				}
				if s[i] == '\\' && i+1 < len(s) {
					i++
				} else if s[i] == '"' {
					i++
					break
				}
				b.WriteByte(s[i])
			}
			// "1"x is one element, 1x: only a separator may follow.
			if rest := strings.TrimLeft(s[i:], " \t\n\r"); rest == "" || rest[0] != ',' && rest[0] != '}' {
				return nil, false
			}
			items = append(items, cval{k: kLiteral, s: b.String()})
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(",{}\"", rune(s[j])) {
				j++
			}
			e := strings.TrimSpace(s[i:j])
			i = j
			if strings.ContainsRune(e, '\\') || i < len(s) && s[i] == '"' {
				return nil, false
			}
			if strings.EqualFold(e, "null") {
				items = append(items, cval{k: kNull})
			} else {
				items = append(items, cval{k: kLiteral, s: e})
			}
		}
		if len(items) > maxFold {
			return nil, false
		}
	}
	return items, depth == 0
}

// combine compares lv with each value and combines the results with AND
// (all) or OR (any).
func combine(op string, lv cval, items []cval, all bool) cval {
	if len(items) == 0 {
		return unknown
	}
	vals := make([]cval, 0, len(items))
	for _, it := range items {
		vals = append(vals, binary(op, lv, it))
	}
	if all {
		return logic("AND_EXPR", vals)
	}
	return logic("OR_EXPR", vals)
}

func isText(v cval) bool { return v.k == kText || v.k == kLiteral }

func binary(op string, l, r cval) cval {
	if l.k == kUnknown || r.k == kUnknown {
		return unknown
	}
	if l.k == kNull || r.k == kNull {
		return cval{k: kNull}
	}
	switch op {
	case "||":
		if isText(l) || isText(r) {
			return cval{k: kText, s: textOf(l) + textOf(r)}
		}
		return unknown
	case "+", "-", "*", "/", "%":
		a, ok1 := asNum(l)
		b, ok2 := asNum(r)
		if !ok1 || !ok2 {
			return unknown
		}
		switch op {
		case "+":
			return cval{k: kNum, f: a + b}
		case "-":
			return cval{k: kNum, f: a - b}
		case "*":
			return cval{k: kNum, f: a * b}
		case "/":
			if b == 0 {
				return unknown
			}
			return cval{k: kNum, f: a / b}
		default:
			if b == 0 {
				return unknown
			}
			return cval{k: kNum, f: math.Mod(a, b)}
		}
	case "=", "<>", "!=", "<", ">", "<=", ">=":
		c, ok := compare(l, r)
		if !ok {
			return unknown
		}
		var b bool
		switch op {
		case "=":
			b = c == 0
		case "<>", "!=":
			b = c != 0
		case "<":
			b = c < 0
		case ">":
			b = c > 0
		case "<=":
			b = c <= 0
		case ">=":
			b = c >= 0
		}
		return cval{k: kBool, b: b}
	}
	return unknown
}

func textOf(v cval) string {
	switch v.k {
	case kNum:
		return strconv.FormatFloat(v.f, 'f', -1, 64)
	case kBool:
		return strconv.FormatBool(v.b)
	}
	return v.s
}

// compare orders two non-null constants, coercing an untyped literal to
// the other side's type as PostgreSQL does.
func compare(l, r cval) (int, bool) {
	switch {
	case l.k == kNum || r.k == kNum:
		a, ok1 := asNum(l)
		b, ok2 := asNum(r)
		if !ok1 || !ok2 || math.IsNaN(a) || math.IsNaN(b) {
			return 0, false
		}
		return cmp3(a < b, a > b), true
	case l.k == kBool || r.k == kBool:
		a, ok1 := asBool(l)
		b, ok2 := asBool(r)
		if !ok1 || !ok2 {
			return 0, false
		}
		return cmp3(!a && b, a && !b), true
	default:
		return strings.Compare(l.s, r.s), true
	}
}

func cmp3(less, more bool) int {
	switch {
	case less:
		return -1
	case more:
		return 1
	}
	return 0
}

// sameColumn reports two references to the same column.
func sameColumn(a, b *tnode) bool {
	if !a.is("ColumnRef") || !b.is("ColumnRef") {
		return false
	}
	fa, fb := a.list("fields"), b.list("fields")
	return len(fa) > 0 && slices.EqualFunc(fa, fb, func(x, y *tnode) bool {
		return x.is("String") && y.is("String") && x.sval() == y.sval()
	})
}

// onlyPercent reports a LIKE pattern of one or more % and nothing else,
// which matches every string: name LIKE '%' is a column compared with
// anything at all.
func onlyPercent(p string) bool {
	if p == "" {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] != '%' {
			return false
		}
	}
	return true
}

// like matches s against a LIKE pattern (% any run, _ one character,
// backslash escapes the next character).
func like(s, p string) bool {
	sr, pr := []rune(s), []rune(p)
	si, pi := 0, 0
	star, mark := -1, 0
	for si < len(sr) {
		switch {
		case pi < len(pr) && pr[pi] == '%':
			star, mark = pi, si
			pi++
		case pi < len(pr) && pr[pi] == '\\' && pi+1 < len(pr) && pr[pi+1] == sr[si]:
			si, pi = si+1, pi+2
		case pi < len(pr) && pr[pi] != '\\' && (pr[pi] == '_' || pr[pi] == sr[si]):
			si, pi = si+1, pi+1
		case star >= 0:
			pi, mark = star+1, mark+1
			si = mark
		default:
			return false
		}
	}
	for pi < len(pr) && pr[pi] == '%' {
		pi++
	}
	return pi == len(pr)
}
