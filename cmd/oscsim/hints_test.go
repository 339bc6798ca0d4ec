package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Exit codes keep the README's word: 2 for bad usage (flags included), 3
// for a crash, never 2.
func TestExitCodes(t *testing.T) {
	if code, _, errs := runCLI(t, "run", "--seed", "abc"); code != 2 || !strings.Contains(errs, `invalid value "abc" for flag -seed`) {
		t.Errorf("bad flag value: exit %d, stderr %q; want 2", code, errs)
	}
	if code, _, _ := runCLI(t, "validate", "--no-such-flag"); code != 2 {
		t.Errorf("unknown flag: exit %d, want 2", code)
	}
	if code, _, _ := runCLI(t, "run", "-h"); code != 0 {
		t.Errorf("-h: exit %d, want 0", code)
	}
	cmds := map[string]command{"boom": {func(context.Context, []string, io.Writer, io.Writer) error {
		var s []int
		return fmt.Errorf("unreachable %d", s[len(s)]) // a bug: index out of range
	}, ""}}
	var out, errb bytes.Buffer
	if code := dispatch(context.Background(), cmds, []string{"boom"}, &out, &errb); code != exitInternal || !strings.Contains(errb.String(), "internal error") {
		t.Errorf("panic: exit %d, stderr %q; want %d and an internal error", code, errb.String(), exitInternal)
	}
}

func TestShardGlob(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		dir  string
		i, n int
		want string
	}{
		{"results/noise/shard-2-of-8", 2, 8, "results/noise/shard-*-of-8"},
		{"out/custom-1", 1, 11, "out/custom-*"},
		{"run11", 1, 12, "SHARD_DIR_0 run11 SHARD_DIR_2 SHARD_DIR_3 SHARD_DIR_4 SHARD_DIR_5 SHARD_DIR_6 SHARD_DIR_7 SHARD_DIR_8 SHARD_DIR_9 SHARD_DIR_10 SHARD_DIR_11"},
		{"/shared/x/shard-11", 11, 12, "/shared/x/shard-*"},
	} {
		if got := shardGlob(c.dir, c.i, c.n); got != c.want {
			t.Errorf("shardGlob(%q, %d, %d) = %q, want %q", c.dir, c.i, c.n, got, c.want)
		}
	}
}

func TestValidateSweepFile(t *testing.T) {
	code, out, errs := runCLI(t, "validate", "../../configs/sweeps/maxcut-noise.toml")
	if code != 0 || !strings.Contains(out, "sweep maxcut-noise: 15 points") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// The deck hint is a command that simulates (ngspice -b alone runs
// nothing without an output file).
func TestSpiceDeckHint(t *testing.T) {
	deck := filepath.Join(t.TempDir(), "two.cir")
	code, out, errs := runCLI(t, "spice", "../../configs/two-rings-inphase.toml", "-o", deck)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	raw := strings.TrimSuffix(deck, ".cir") + ".raw"
	if want := "ngspice -b -r " + raw + " " + deck; !strings.Contains(out, want) {
		t.Errorf("hint %q lacks %q", out, want)
	}
	if _, err := os.Stat(deck); err != nil {
		t.Error(err)
	}
}
