package bench

import (
	"strings"
	"testing"
)

func TestWriteConfusion(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	WriteConfusion(&b, "  ", [][]int{{5, 1}, {0, 7}})
	want := "  confusion (rows: true, columns: predicted)\n" +
		"           0    1\n" +
		"      0    5    1\n" +
		"      1    0    7\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
