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
// spells (0 when it spells nothing) and, when it spells something, the
// word's end. A word longer than maxWord spells nothing and is read no
// further: data or a long identifier is not walked to its end.
func spelledWordAt(s string, i int) (byte, int) {
	var buf [maxWord + 1]byte
	n := 0
	for i+n < len(s) && n <= maxWord && isLetter(s[i+n]) {
		buf[n] = s[i+n] | 0x20
		n++
	}
	if n < 3 || n > maxWord || spelledLens[buf[0]-'a']&(1<<n) == 0 {
		return 0, i + n
	}
	return spelledWords[string(buf[:n])], i + n
}

// spelledLens holds, by first letter, the lengths of the spelled words:
// most words of a text are told apart from them without a map lookup.
var spelledLens = func() (t [26]uint16) {
	for w := range spelledWords {
		t[w[0]-'a'] |= 1 << len(w)
	}
	return
}()

// spelledStride is how far apart spelledView samples the text: a run of
// minSpelled words of three letters or more and their separators is at
// least 4*minSpelled-1 bytes long, so a sample falls inside it, on one
// of its words or on a separator before one, and words between samples
// are not looked up.
const spelledStride = 4*minSpelled - 4

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

func spelledSep(c byte) bool { return c == ' ' || c == ',' || c == '-' }

// wordStart returns the start of the word of letters that holds s[i] or
// follows it after at most two separator bytes, or -1.
func wordStart(s string, i int) int {
	for k := 0; i < len(s) && !isLetter(s[i]); k++ {
		if k == 3 || !spelledSep(s[i]) {
			return -1
		}
		i++
	}
	if i >= len(s) {
		return -1
	}
	// Back to the word's start, at most maxWord+1 letters: one more
	// letter before them makes the word too long to spell anything.
	lo := max(0, i-maxWord-1)
	j := i
	for j > lo && isLetter(s[j-1]) {
		j--
	}
	if j == lo && j > 0 && isLetter(s[j-1]) {
		return -1
	}
	return j
}

// prevSpelled returns the start of the spelled word before the one at w,
// or -1.
func prevSpelled(s string, w int) int {
	k := w
	for k > 0 && w-k < 3 && spelledSep(s[k-1]) {
		k--
	}
	if k == w || k == 0 || !isLetter(s[k-1]) {
		return -1
	}
	j := k
	for j > 0 && isLetter(s[j-1]) && k-j <= maxWord {
		j--
	}
	if j > 0 && isLetter(s[j-1]) {
		return -1
	}
	if c, _ := spelledWordAt(s, j); c == 0 {
		return -1
	}
	return j
}

// spelledView decodes runs of spelled characters (words separated by
// spaces, commas or hyphens); at maps each character to its first word.
func spelledView(s string) (out string, at []int, ok bool) {
	var v view
	copied := 0
	for p := 0; p < len(s); p += spelledStride {
		w := wordStart(s, p)
		if w < copied || w < 0 {
			continue
		}
		if c, _ := spelledWordAt(s, w); c == 0 {
			continue
		}
		// Back to the run's first word, then read it forward.
		i := w
		for j := prevSpelled(s, i); j >= copied && j >= 0; j = prevSpelled(s, i) {
			i = j
		}
		type ch struct {
			c  byte
			at int
		}
		var run []ch
		capital := false
		end := i
		for q := i; ; {
			c, e := spelledWordAt(s, q)
			if c == 0 {
				break
			}
			switch {
			case c == 'A' && !capital && e-q > 4: // capital, upper, uppercase
				capital = true
			case capital && 'a' <= c && c <= 'z':
				run = append(run, ch{c - 'a' + 'A', q})
				capital = false
			default:
				run = append(run, ch{c, q})
				capital = false
			}
			end = e
			k := e
			for k < len(s) && k-e < 3 && spelledSep(s[k]) {
				k++
			}
			if k == e || k >= len(s) || !isLetter(s[k]) {
				break
			}
			q = k
		}
		if len(run) >= minSpelled {
			v.keep(s, copied, i)
			for _, r := range run {
				v.put(s, r.c, r.at)
			}
			copied = end
		}
		p = max(p, end-spelledStride)
	}
	return v.done(s, copied)
}
