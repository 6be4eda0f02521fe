package poison

import (
	"encoding/base64"
	"unicode"
	"unicode/utf8"
)

// decodeText decodes a base64 run and reports whether it is mostly
// readable text (so worth scanning as an instruction).
func decodeText(s string) (string, bool) {
	var b []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding} {
		if b, err = enc.DecodeString(s); err == nil {
			break
		}
	}
	if err != nil || !utf8.Valid(b) {
		return "", false
	}
	letters := 0
	for _, r := range string(b) {
		if unicode.IsLetter(r) || r == ' ' {
			letters++
		}
	}
	return string(b), letters*10 >= utf8.RuneCount(b)*8
}
