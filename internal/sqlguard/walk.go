package sqlguard

import (
	"math"
	"slices"
	"strings"
)

// readNodes are the node kinds of a raw parse tree that a query which
// only reads may contain: expressions, FROM items and SELECT clauses.
// SelectStmt, WithClause, RangeVar and FuncCall are judged by the walker
// itself; anything not listed is refused (RuleConstruct).
var readNodes = map[string]bool{}

func init() {
	for _, n := range []string{
		"List", "Integer", "Float", "Boolean", "String", "BitString", "A_Const",
		"ResTarget", "ColumnRef", "ColumnDef", "A_Star", "A_Indirection", "A_Indices", "A_ArrayExpr", "ParamRef",
		"A_Expr", "BoolExpr", "TypeCast", "TypeName", "CollateClause", "NamedArgExpr",
		"SubLink", "CaseExpr", "CaseWhen", "CoalesceExpr", "MinMaxExpr", "NullTest", "BooleanTest",
		"RowExpr", "SQLValueFunction", "XmlExpr", "XmlSerialize", "GroupingFunc", "GroupingSet",
		"Alias", "RangeSubselect", "RangeFunction", "JoinExpr", "RangeTableSample",
		"RangeTableFunc", "RangeTableFuncCol",
		"SortBy", "WindowDef", "CommonTableExpr", "CTESearchClause", "CTECycleClause",
		"JsonFormat", "JsonReturning", "JsonValueExpr", "JsonOutput", "JsonArgument",
		"JsonFuncExpr", "JsonTablePathSpec", "JsonTable", "JsonTableColumn", "JsonKeyValue",
		"JsonParseExpr", "JsonScalarExpr", "JsonSerializeExpr", "JsonObjectConstructor",
		"JsonArrayConstructor", "JsonArrayQueryConstructor", "JsonAggConstructor",
		"JsonObjectAgg", "JsonArrayAgg", "JsonIsPredicate", "JsonBehavior",
	} {
		readNodes[n] = true
	}
}

// rootDenial names the rule for a root statement that is not a SELECT.
func rootDenial(n *tnode) Decision {
	kind := "an empty statement"
	if n != nil {
		kind = n.t.name
	}
	rule := RuleStatement
	switch kind {
	case "InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt":
		rule = RuleWrite
	case "CopyStmt":
		rule = RuleCopy
	case "DoStmt", "PrepareStmt", "ExecuteStmt", "DeallocateStmt", "DeclareCursorStmt", "FetchStmt":
		rule = RuleDynamic
	case "VariableSetStmt", "VariableShowStmt", "AlterSystemStmt", "DiscardStmt", "ConstraintsSetStmt":
		rule = RuleSet
	case "ListenStmt", "NotifyStmt", "UnlistenStmt":
		rule = RuleNotify
	case "CallStmt":
		rule = RuleCall
	case "TransactionStmt", "LockStmt":
		rule = RuleTransaction
	case "GrantStmt", "GrantRoleStmt", "AlterDefaultPrivilegesStmt", "CreateRoleStmt", "AlterRoleStmt",
		"AlterRoleSetStmt", "DropRoleStmt", "ReassignOwnedStmt", "DropOwnedStmt":
		rule = RuleDCL
	default:
		for _, p := range []string{"Create", "Alter", "Drop", "Truncate", "Rename", "Comment", "SecLabel",
			"Index", "View", "Rule", "Define", "Reindex", "Cluster", "Vacuum", "RefreshMatView", "ImportForeign"} {
			if strings.HasPrefix(kind, p) {
				rule = RuleDDL
				break
			}
		}
	}
	return deny(rule, "only a SELECT is allowed; this is %s", strings.TrimSuffix(kind, "Stmt"))
}

// walker visits every node of one statement's tree and keeps the first
// denial.
type walker struct {
	o      *Options
	ctes   []string // CTE names in scope, innermost last
	denied *Decision
	rows   float64 // product of the constant generate_series sizes seen
}

func (w *walker) fail(d Decision) {
	if w.denied == nil {
		w.denied = &d
	}
}

// node judges one node and descends into it.
func (w *walker) node(n *tnode) {
	if w.denied != nil || n == nil {
		return
	}
	switch name := n.t.name; name {
	case "SelectStmt":
		w.selectStmt(n)
		return
	case "RangeVar":
		w.relation(n)
	case "FuncCall":
		w.funcCall(n)
	case "BoolExpr":
		if w.o.NoTautology && n.str("boolop") == "OR_EXPR" {
			for _, a := range n.list("args") {
				if alwaysTrue(a) {
					w.fail(deny(RuleTautology, "an OR with an operand that is always true"))
					return
				}
			}
		}
	case "InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt":
		w.fail(deny(RuleWrite, "a data-modifying statement (%s) inside the query", strings.TrimSuffix(name, "Stmt")))
		return
	case "IntoClause":
		w.fail(deny(RuleSelectInto, "SELECT … INTO creates a table"))
		return
	case "LockingClause":
		w.fail(deny(RuleLocking, "a locking clause (FOR UPDATE/SHARE) takes row locks"))
		return
	default:
		if !readNodes[name] {
			w.fail(deny(RuleConstruct, "%s is not part of a read-only query", name))
			return
		}
	}
	w.children(n, "")
}

// children visits every node below n except those of field skip.
func (w *walker) children(n *tnode, skip string) {
	for i := range n.fields {
		f := &n.fields[i]
		if f.f.name == skip {
			continue
		}
		w.node(f.n)
		for _, c := range f.l {
			w.node(c)
		}
	}
}

// selectStmt judges a SELECT (or a set operation) and the CTE scope it
// opens: its CTE names shadow relations in its own body, in later CTEs,
// and, when RECURSIVE, in every CTE of the list.
func (w *walker) selectStmt(s *tnode) {
	if w.denied != nil {
		return
	}
	if s.has("intoClause") {
		w.fail(deny(RuleSelectInto, "SELECT … INTO creates a table"))
		return
	}
	if len(s.list("lockingClause")) > 0 {
		w.fail(deny(RuleLocking, "a locking clause (FOR UPDATE/SHARE) takes row locks"))
		return
	}
	mark := len(w.ctes)
	defer func() { w.ctes = w.ctes[:mark] }()
	if wc := s.child("withClause"); wc != nil {
		ctes := wc.list("ctes")
		names := make([]string, 0, len(ctes))
		for _, c := range ctes {
			if !c.is("CommonTableExpr") {
				w.fail(deny(RuleConstruct, "a WITH entry that is not a common table expression"))
				return
			}
			names = append(names, c.str("ctename"))
		}
		recursive := wc.str("recursive") == "true"
		for i, c := range ctes {
			switch q := c.child("ctequery"); {
			case q.is("SelectStmt"):
			case q.is("InsertStmt"), q.is("UpdateStmt"), q.is("DeleteStmt"), q.is("MergeStmt"):
				w.fail(deny(RuleWrite, "a data-modifying CTE (%s)", quoteName(names[i])))
				return
			default:
				w.fail(deny(RuleConstruct, "a CTE (%s) that is not a SELECT", quoteName(names[i])))
				return
			}
			visible := names[:i]
			if recursive {
				visible = names
			}
			w.ctes = append(w.ctes[:mark], visible...)
			w.children(c, "")
			if w.denied != nil {
				return
			}
		}
		w.ctes = append(w.ctes[:mark], names...)
	}
	w.children(s, "withClause")
}

// relation judges a relation the query reads.
func (w *walker) relation(rv *tnode) {
	catalog, schema, rel := rv.str("catalogname"), rv.str("schemaname"), rv.str("relname")
	if catalog == "" && schema == "" && slices.Contains(w.ctes, rel) {
		return // a CTE in scope, not a relation
	}
	name := rel
	if schema != "" {
		name = schema + "." + name
	}
	if catalog != "" {
		name = catalog + "." + name
	}
	if len(w.o.Tables) > 0 {
		if !slices.Contains(w.o.Tables, name) {
			w.fail(deny(RuleTable, "reads %s, which is not on the tables list", quoteName(name)))
		}
		return
	}
	if sensitiveCatalogs[strings.ToLower(rel)] {
		w.fail(deny(RuleCatalog, "reads %s, a catalog of credentials or server files", quoteName(name)))
	}
}

// funcCall judges a function call by name, in whatever position it stands.
func (w *walker) funcCall(fc *tnode) {
	fn := fc.list("funcname")
	parts := make([]string, 0, len(fn))
	for _, n := range fn {
		parts = append(parts, strings.ToLower(n.sval()))
	}
	if len(parts) == 0 {
		w.fail(deny(RuleConstruct, "a function call without a name"))
		return
	}
	name := parts[len(parts)-1]
	qual := strings.Join(parts, ".")
	why, bad := deniedFunction(name)
	if !bad && len(parts) > 1 {
		why, bad = deniedSchemas[parts[len(parts)-2]]
	}
	if bad {
		w.fail(deny(RuleFunction, "calls %s, which %s", quoteName(qual), why))
		return
	}
	if name == "generate_series" && (len(parts) == 1 || parts[0] == "pg_catalog") {
		if n := seriesRows(fc.list("args")); n > 1 {
			if w.rows == 0 {
				w.rows = 1
			}
			if w.rows *= n; w.rows > maxSeriesRows {
				w.fail(deny(RuleHeavy, "generate_series with constant bounds makes about %.0e rows (more than %.0e): a timer or a load, not a report", w.rows, float64(maxSeriesRows)))
				return
			}
		}
	}
	if name == "current_setting" {
		var setting string
		if args := fc.list("args"); len(args) > 0 && args[0].is("A_Const") {
			setting = strings.ToLower(args[0].child("sval").sval())
		}
		if setting == "" || sensitiveSetting(setting) {
			w.fail(deny(RuleSetting, "reads a server setting that may name files, commands or secrets"))
			return
		}
	}
	if len(w.o.Functions) > 0 && !slices.Contains(w.o.Functions, qual) &&
		!(len(parts) == 2 && parts[0] == "pg_catalog" && slices.Contains(w.o.Functions, name)) {
		w.fail(deny(RuleFunction, "calls %s, which is not on the functions list", quoteName(qual)))
	}
}

// maxSeriesRows bounds the rows that the constant generate_series calls of
// one query may make together (their product: joined, nested or in a
// select list they multiply). Ten million rows take PostgreSQL about a
// second to count, the delay a time-based blind injection needs without
// pg_sleep; a report's calendar or bucket series is far smaller.
const maxSeriesRows = 10_000_000

// seriesRows is the number of rows of generate_series(start, stop[, step])
// over constant numbers, or 0 when the arguments are not such constants
// (timestamps, columns, parameters).
func seriesRows(args []*tnode) float64 {
	if len(args) != 2 && len(args) != 3 {
		return 0
	}
	var v [3]float64
	v[2] = 1
	for i, a := range args {
		budget := maxFold
		c := fold(a, &budget)
		if c.k != kNum {
			return 0
		}
		v[i] = c.f
	}
	if v[2] == 0 || math.IsNaN(v[0]) || math.IsNaN(v[1]) || math.IsNaN(v[2]) {
		return 0
	}
	n := math.Floor((v[1]-v[0])/v[2]) + 1
	if n < 1 || math.IsNaN(n) {
		return 0
	}
	return n
}

// quoteName keeps a name from the query printable and short in a reason.
func quoteName(s string) string { return printable(s, 64) }
