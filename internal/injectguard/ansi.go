package injectguard

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
)

// scanANSI finds terminal escape sequences that hide text (SGR 8,
// conceal), links whose label names another host than their target
// (OSC 8), and OSC commands that act beyond the screen (OSC 52 writes the
// clipboard, OSC 1337 and 5113 transfer files), and text written in
// the colour of its own background. Colours and cursor movement stay.
func scanANSI(text string, out []Finding) []Finding {
	var pen sgrPen
	for i := 0; i < len(text); {
		k := strings.IndexByte(text[i:], 0x1b)
		if k < 0 {
			break
		}
		i += k
		if i+1 >= len(text) {
			break
		}
		switch text[i+1] {
		case '[':
			end, params, final := csi(text, i+2)
			if final == 'm' {
				if conceals(params) {
					out = append(out, Finding{Kind: KindANSIConceal, Start: i, End: end, Control: true,
						Detail: "SGR 8 (conceal) hides the text after it in a terminal"})
				} else if pen.apply(params); pen.invisible() && lettersBeforeEscape(text[end:]) {
					out = append(out, Finding{Kind: KindANSIConceal, Start: i, End: end, Control: true,
						Detail: "text written in its background's colour is invisible in a terminal"})
				}
			}
			i = end
		case ']':
			bodyEnd, end := osc(text, i+2)
			body := text[i+2 : bodyEnd]
			num, rest, _ := strings.Cut(body, ";")
			switch num {
			case "8":
				out = osc8(text, i, end, rest, out)
			case "52", "1337", "5113":
				out = append(out, Finding{Kind: KindOSC, Start: i, End: end, Control: true,
					Detail: "OSC " + num + " acts beyond the screen (clipboard or file transfer)"})
			}
			i = end
		default:
			i += 2
		}
	}
	return out
}

// csi parses the parameters of a control sequence whose body starts at i
// and returns the offset after it, the parameter bytes and the final byte
// (0 when the sequence is cut off).
func csi(text string, i int) (end int, params string, final byte) {
	j := i
	for j < len(text) && text[j] >= 0x30 && text[j] <= 0x3f {
		j++
	}
	params = text[i:j]
	for j < len(text) && text[j] >= 0x20 && text[j] <= 0x2f {
		j++
	}
	if j < len(text) && text[j] >= 0x40 && text[j] <= 0x7e {
		return j + 1, params, text[j]
	}
	return j, params, 0
}

// conceals reports whether SGR parameters switch conceal on. The 8 of an
// extended colour (38;5;8, 48;2;8;8;8) is a colour, not conceal.
func conceals(params string) bool {
	ps := strings.FieldsFunc(params, func(r rune) bool { return r == ';' || r == ':' })
	for k := 0; k < len(ps); k++ {
		n, err := strconv.Atoi(ps[k])
		if err != nil {
			continue
		}
		switch n {
		case 8:
			return true
		case 38, 48, 58:
			if k+1 < len(ps) && ps[k+1] == "5" {
				k += 2
			} else if k+1 < len(ps) && ps[k+1] == "2" {
				k += 4
			}
		}
	}
	return false
}

// osc returns where the body of an operating system command starting at
// i ends and the offset after its terminator (BEL or ESC \).
func osc(text string, i int) (bodyEnd, end int) {
	for j := i; j < len(text); j++ {
		switch text[j] {
		case 0x07:
			return j, j + 1
		case 0x1b:
			if j+1 < len(text) && text[j+1] == '\\' {
				return j, j + 2
			}
			return j, j
		}
	}
	return len(text), len(text)
}

// osc8 judges one OSC 8 hyperlink opening at start: its label runs to
// the next OSC 8. A label that names a host other than the target's is a
// spoof.
func osc8(text string, start, end int, rest string, out []Finding) []Finding {
	_, target, _ := strings.Cut(rest, ";")
	if target == "" {
		return out // the closing OSC 8
	}
	label := text[end:]
	if k := strings.Index(label, "\x1b]8;"); k >= 0 {
		label = label[:k]
	} else if len(label) > 200 {
		label = label[:200]
	}
	th := hostOf(target)
	lh := labelHost(label)
	if lh == "" || th == "" || sameSite(lh, th) {
		if th == "" && lh != "" {
			return append(out, Finding{Kind: KindOSC8Spoof, Start: start, End: end, Control: true,
				Detail: "terminal link labelled " + short(lh) + " points elsewhere"})
		}
		return out
	}
	return append(out, Finding{Kind: KindOSC8Spoof, Start: start, End: end, Control: true,
		Detail: "terminal link labelled " + short(lh) + " points to " + short(th)})
}

func hostOf(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimPrefix(u.Hostname(), "www."))
}

// labelHost finds a host name written in a link label ("example.com",
// "https://example.com/x"), or "".
func labelHost(label string) string {
	for _, w := range strings.Fields(label) {
		w = strings.Trim(w, "<>()[]\"'.,;:!?")
		if strings.Contains(w, "://") {
			if h := hostOf(w); h != "" {
				return h
			}
			continue
		}
		host, _, _ := strings.Cut(w, "/")
		if dot := strings.LastIndexByte(host, '.'); dot > 0 && dot < len(host)-2 && isHostname(host) {
			return strings.ToLower(strings.TrimPrefix(host, "www."))
		}
	}
	return ""
}

func isHostname(s string) bool {
	letters := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letters = true
		case c >= '0' && c <= '9' || c == '-' || c == '.':
		default:
			return false
		}
	}
	tld := s[strings.LastIndexByte(s, '.')+1:]
	return letters && len(tld) >= 2 && strings.Trim(tld, "0123456789") == tld
}

// sameSite is true when one host is the other or a subdomain of it.
func sameSite(a, b string) bool {
	return a == b || strings.HasSuffix(a, "."+b) || strings.HasSuffix(b, "."+a)
}

// sgrPen is the foreground and background colour that SGR sequences
// have set, each 0 for the terminal's default, 1–256 for a palette
// index (the 16 basic colours are indexes 0–15 of the 256-colour
// palette, so 30 and 38;5;0 are the same black) or 1<<24 and up for a
// 24-bit colour. Probe set z56: "\x1b[30;40m" black on black hides text
// as SGR 8 does.
type sgrPen struct{ fg, bg int }

func (p *sgrPen) apply(params string) {
	if params == "" {
		*p = sgrPen{}
		return
	}
	ps := strings.FieldsFunc(params, func(r rune) bool { return r == ';' || r == ':' })
	num := func(k int) int {
		if k >= len(ps) {
			return -1
		}
		n, err := strconv.Atoi(ps[k])
		if err != nil {
			return -1
		}
		return n
	}
	for k := 0; k < len(ps); k++ {
		n := num(k)
		switch {
		case n == 0:
			*p = sgrPen{}
		case n >= 30 && n <= 37:
			p.fg = n - 30 + 1
		case n >= 90 && n <= 97:
			p.fg = n - 90 + 8 + 1
		case n == 39:
			p.fg = 0
		case n >= 40 && n <= 47:
			p.bg = n - 40 + 1
		case n >= 100 && n <= 107:
			p.bg = n - 100 + 8 + 1
		case n == 49:
			p.bg = 0
		case n == 38 || n == 48:
			c := 0
			switch num(k + 1) {
			case 5:
				if v := num(k + 2); v >= 0 && v < 256 {
					c = v + 1
				}
				k += 2
			case 2:
				r, g, b := num(k+2), num(k+3), num(k+4)
				if r >= 0 && g >= 0 && b >= 0 {
					c = 1<<24 | (r&0xff)<<16 | (g&0xff)<<8 | b&0xff
				}
				k += 4
			}
			if n == 38 {
				p.fg = c
			} else {
				p.bg = c
			}
		}
	}
}

// invisible: both colours set, and the same.
func (p sgrPen) invisible() bool { return p.fg != 0 && p.fg == p.bg }

// lettersBeforeEscape reports a letter in s before its next escape: a
// bar drawn in spaces or blocks in one colour hides nothing.
func lettersBeforeEscape(s string) bool {
	if k := strings.IndexByte(s, 0x1b); k >= 0 {
		s = s[:k]
	}
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}
