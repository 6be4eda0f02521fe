package idletrim

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// smapsText is /proc/PID/smaps as Linux writes it, cut to the lines
// ParseSmaps reads, for an executable /opt/mw (device fe:00, inode 42).
const smapsText = `00400000-00403000 r--p 00000000 fe:00 42                                 /opt/mw
Size:                 12 kB
Rss:                  12 kB
Anonymous:             0 kB
VmFlags: rd mr mw me sd
00403000-01c70000 r-xp 00003000 fe:00 42                                 /opt/mw
Size:              25012 kB
Rss:               15412 kB
Anonymous:             0 kB
FilePmdMapped:     12288 kB
VmFlags: rd ex mr mw me sd
01c70000-038b5000 r--p 01870000 fe:00 42                                 /opt/mw
Anonymous:             0 kB
038b5000-038ec000 r--p 034b4000 fe:00 42                                 /opt/mw
Anonymous:           220 kB
038ec000-03a0e000 rw-p 034eb000 fe:00 42                                 /opt/mw
Anonymous:           304 kB
03a0e000-05a0e000 rw-p 00000000 00:00 0 
Anonymous:         13056 kB
7f00a0000000-7f00a0100000 r-xp 00026000 fe:00 77                         /usr/lib/x86_64-linux-gnu/libc.so.6
Anonymous:             0 kB
7f00b0000000-7f00b0001000 r--p 00000000 fe:01 42                         /mnt/other/mw
Anonymous:             0 kB
7f00c0000000-7f00c0002000 r-xp 00000000 fe:00 42                         /opt/my dir/mw (deleted)
Rss:                   8 kB
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]
Anonymous:           132 kB
`

func TestParseSmaps(t *testing.T) {
	maps, err := ParseSmaps([]byte(smapsText))
	if err != nil {
		t.Fatal(err)
	}
	if len(maps) != 10 {
		t.Fatalf("got %d mappings, want 10: %+v", len(maps), maps)
	}
	text := maps[1]
	if text.Start != 0x403000 || text.End != 0x1c70000 || text.Perms != "r-xp" || text.Major != 0xfe || text.Minor != 0 || text.Inode != 42 || text.AnonKiB != 0 {
		t.Fatalf("text mapping: %+v", text)
	}
	if maps[3].AnonKiB != 220 || maps[5].AnonKiB != 13056 {
		t.Fatalf("anonymous sizes: %d, %d", maps[3].AnonKiB, maps[5].AnonKiB)
	}
	// Which mappings may be dropped: the executable's read-only ones with
	// no private page. Not RELRO (written by the loader), not the data
	// segment, not another file, not the same inode on another device,
	// and not a mapping whose Anonymous line is missing.
	want := []bool{true, true, true, false, false, false, false, false, false, false}
	for i, m := range maps {
		if got := m.clean(0xfe, 0, 42); got != want[i] {
			t.Errorf("mapping %d %#x-%#x %s anon %d: clean %v, want %v", i, m.Start, m.End, m.Perms, m.AnonKiB, got, want[i])
		}
	}
}

func TestParseSmapsRefusesGarbledHeader(t *testing.T) {
	for _, s := range []string{
		"zz-01 r--p 0 fe:00 42 /x\n",
		"00400000-00401000 r--p 0 fe:00 4x2 /x\n",
		"00400000-00401000 r--p 0 fe00:zz 42 /x\n",
	} {
		if _, err := ParseSmaps([]byte(s)); err == nil {
			t.Errorf("%q: no error", s)
		}
	}
}

func FuzzParseSmaps(f *testing.F) {
	f.Add([]byte(smapsText))
	f.Add([]byte("00400000-00401000 r--p 0 fe:00 42 /x\nAnonymous: -4 kB\n"))
	f.Add([]byte("Anonymous: 0 kB\n00400000-00401000 r--p 0 fe:00 42\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		maps, err := ParseSmaps(data)
		if err != nil {
			return
		}
		for _, m := range maps {
			if m.clean(m.Major, m.Minor, m.Inode) && (m.AnonKiB != 0 || m.End <= m.Start || m.Perms[1] != '-') {
				t.Fatalf("counted clean: %+v", m)
			}
		}
	})
}

// statusKiB reads one "Key: N kB" line of /proc/self/status.
func statusKiB(t *testing.T, key string) int64 {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc:", err)
	}
	m := regexp.MustCompile(`(?m)^` + key + `:\s+(\d+) kB$`).FindSubmatch(data)
	if m == nil {
		t.Fatalf("no %s in /proc/self/status", key)
	}
	n, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return n
}

// TestReleaseDropsExecutablePages runs Release on the test binary itself:
// its file-backed resident pages fall, and the code and read-only data it
// dropped still work afterwards (the kernel maps them back from the file).
func TestReleaseDropsExecutablePages(t *testing.T) {
	// Touch a good part of the binary first: regexp, strconv, time zones.
	re := regexp.MustCompile(`(?i)^(\d+)-([a-z]+)$`)
	before := statusKiB(t, "RssFile")
	r, err := Release(true)
	if err != nil {
		t.Fatal(err)
	}
	after := statusKiB(t, "RssFile")
	if r.MappedBytes <= 0 {
		t.Fatalf("nothing unmapped: %+v", r)
	}
	if after >= before {
		t.Fatalf("RssFile %d KiB before, %d KiB after: %+v", before, after, r)
	}
	if r.RSSBeforeKiB <= 0 || r.RSSAfterKiB <= 0 || r.RSSAfterKiB >= r.RSSBeforeKiB {
		t.Fatalf("VmRSS readings: %+v", r)
	}
	// The dropped pages come back on use, with their content.
	if m := re.FindStringSubmatch("42-Abc"); m == nil || m[2] != "Abc" {
		t.Fatalf("regexp after Release: %q", m)
	}
	if s := strconv.Quote("é\x00"); s != `"é\x00"` {
		t.Fatalf("strconv after Release: %s", s)
	}
	if !strings.Contains(time.Unix(0, 0).UTC().Format(time.RFC1123), "1970") {
		t.Fatal("time after Release")
	}
	t.Logf("RssFile %d → %d KiB, VmRSS %d → %d KiB, %d bytes of mappings dropped", before, after, r.RSSBeforeKiB, r.RSSAfterKiB, r.MappedBytes)
}

func TestSetting(t *testing.T) {
	for _, c := range []struct {
		env  string
		want time.Duration
		bad  bool
	}{
		{"", After, false},
		{"off", 0, false},
		{"30s", 30 * time.Second, false},
		{"1s", time.Second, false},
		{"500ms", 0, true},
		{"0", 0, true},
		{"-5s", 0, true},
		{"soon", 0, true},
	} {
		t.Setenv("MCPWARDEN_IDLE_TRIM", c.env)
		got, err := Setting()
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("MCPWARDEN_IDLE_TRIM=%q: %v, %v; want %v (error %v)", c.env, got, err, c.want, c.bad)
		}
	}
}
