package poison

import (
	"strings"
	"testing"
)

func TestNames(t *testing.T) {
	fs := Names([]string{"read_file", "reаd_file", "write_file", "ｗrite_file", "list_dir", "list_dlr", "delete", "dе1ete", "send_mail", "get_weather"})
	var got []string
	for _, f := range fs {
		got = append(got, f.Where)
	}
	j := strings.Join(got, " ")
	for _, want := range []string{"reаd_file", "ｗrite_file", "dе1ete"} {
		if !strings.Contains(j, want) {
			t.Errorf("%q not flagged: %v", want, fs)
		}
	}
	for _, ok := range []string{"read_file", "send_mail", "get_weather", "list_dir", "list_dlr"} {
		for _, f := range fs {
			if f.Where == ok && !strings.Contains(f.Detail, "looks like") {
				t.Errorf("%q flagged: %v", ok, f)
			}
		}
	}
	if fs := Names([]string{"погода", "météo", "天気", "get_weather", "mail", "mall", "list_dir", "list_dlr"}); len(fs) != 0 {
		t.Errorf("single-script names flagged: %v", fs)
	}
}
