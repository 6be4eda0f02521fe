package secrets

// A key read out over the phone, or spelled by a model told to hide it,
// is a run of words: the NATO alphabet (alfa bravo …), digits as words,
// "capital" before a capital letter, the names of '_', '-', '.', '/'.
// spelledView writes such a run of minSpelled or more characters back as
// the key; shorter runs (a booking code, a call sign) are left.

const (
	minSpelled = 16
	maxWord    = 10 // "underscore"
)

var spelledWords = map[string]byte{
	"alfa": 'a', "alpha": 'a', "bravo": 'b', "charlie": 'c', "delta": 'd', "echo": 'e',
	"foxtrot": 'f', "golf": 'g', "hotel": 'h', "india": 'i', "juliett": 'j', "juliet": 'j',
	"kilo": 'k', "lima": 'l', "mike": 'm', "november": 'n', "oscar": 'o', "papa": 'p',
	"quebec": 'q', "romeo": 'r', "sierra": 's', "tango": 't', "uniform": 'u', "victor": 'v',
	"whiskey": 'w', "whisky": 'w', "xray": 'x', "yankee": 'y', "zulu": 'z',
	"zero": '0', "one": '1', "two": '2', "three": '3', "four": '4', "five": '5', "six": '6',
	"seven": '7', "eight": '8', "nine": '9', "niner": '9',
	"underscore": '_', "dash": '-', "hyphen": '-', "minus": '-', "dot": '.', "period": '.',
	"slash": '/', "plus": '+', "equals": '=',
	"capital": 'A', "uppercase": 'A', "upper": 'A', // the next letter in capitals
}

// spelledWordAt reads the word of letters at s[i] and returns what it
// spells (0 when it spells nothing) and its end.
func spelledWordAt(s string, i int) (byte, int) {
	var buf [maxWord]byte
	j := i
	for j < len(s) && ('a' <= s[j]|0x20 && s[j]|0x20 <= 'z') {
		if j-i < maxWord {
			buf[j-i] = s[j] | 0x20
		}
		j++
	}
	if j-i < 3 || j-i > maxWord {
		return 0, j
	}
	return spelledWords[string(buf[:j-i])], j
}

// spelledView decodes runs of spelled characters (words separated by
// spaces, commas or hyphens); at maps each character to its first word.
func spelledView(s string) (out string, at []int, ok bool) {
	var v view
	copied := 0
	for i := 0; i < len(s); {
		// Words start after a byte that is not a letter.
		if !('a' <= s[i]|0x20 && s[i]|0x20 <= 'z') {
			i++
			continue
		}
		c, j := spelledWordAt(s, i)
		if c == 0 {
			i = j
			continue
		}
		// A run: words that spell, with short separators between them.
		type ch struct {
			c  byte
			at int
		}
		var run []ch
		capital := false
		end := i
		for p := i; ; {
			c, q := spelledWordAt(s, p)
			if c == 0 {
				break
			}
			switch {
			case c == 'A' && !capital && q-p > 4: // capital, upper, uppercase
				capital = true
			case capital && 'a' <= c && c <= 'z':
				run = append(run, ch{c - 'a' + 'A', p})
				capital = false
			default:
				run = append(run, ch{c, p})
				capital = false
			}
			end = q
			k := q
			for k < len(s) && k-q < 3 && (s[k] == ' ' || s[k] == ',' || s[k] == '-') {
				k++
			}
			if k == q || k >= len(s) {
				break
			}
			p = k
		}
		if len(run) >= minSpelled {
			v.keep(s, copied, i)
			for _, r := range run {
				v.put(s, r.c, r.at)
			}
			copied = end
		}
		i = end
	}
	return v.done(s, copied)
}
