package mcpwire

// StringMember returns the text of the string member key of obj.
//
// Get trusts obj to have been validated and may hand back odd values from
// a broken one, so the value is checked before it is read.
func StringMember(obj []byte, key string) (string, bool) {
	v, ok := Get(obj, key)
	if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	return unquote(v), true
}

// Meta returns the raw _meta object of params, or nil when there is none
// or it is not an object.
func Meta(params []byte) []byte {
	v, ok := Get(params, "_meta")
	if !ok || len(v) == 0 || v[0] != '{' {
		return nil
	}
	return v
}

// MetaString returns the text of the string member key of params._meta.
func MetaString(params []byte, key string) (string, bool) {
	m := Meta(params)
	if m == nil {
		return "", false
	}
	return StringMember(m, key)
}
