package mcpwire

// StringMember returns the text of the string member key of obj.
func StringMember(obj []byte, key string) (string, bool) {
	v, ok := Get(obj, key)
	if !ok || v[0] != '"' {
		return "", false
	}
	return unquote(v), true
}

// Meta returns the raw _meta object of params, or nil when there is none
// or it is not an object.
func Meta(params []byte) []byte {
	v, ok := Get(params, "_meta")
	if !ok || v[0] != '{' {
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
