package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"oscsim/sweep"
)

// buildOscsim builds the oscsim binary into a temporary directory.
func buildOscsim(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "oscsim")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// killSweep writes a sweep of 24 points × 4 runs on the small test chip,
// about a second of work on two cores.
func killSweep(t *testing.T) string {
	t.Helper()
	chipPath, err := filepath.Abs("../../sweep/testdata/ring6.toml")
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf(`[sweep]
chip = %q
seed = 3
instances = 2
seeds = 2
accuracy = "success_rate"
metrics = ["mean_cut"]

[workload]
kind = "maxcut"
runs = 8

[[axis]]
path = "oscillators.linewidth"
from = 0
to = 30e6
count = 12

[[axis]]
path = "couplings.sigma"
values = [0.0, "10%%"]
`, chipPath)
	path := filepath.Join(t.TempDir(), "kill.toml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func sameSweepFiles(t *testing.T, want, got string) {
	t.Helper()
	if err := sweep.SameResults(want, got); err != nil {
		t.Error(err)
	}
}

func oscsim(t *testing.T, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oscsim %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// TestSweepProcesses runs the sweep as separate processes: killed with
// SIGKILL at random moments and resumed, its results equal one
// uninterrupted run; so do 4 shards run as separate processes and merged.
// An invalid sweep file fails with its path, line and column.
func TestSweepProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs subprocesses")
	}
	bin := buildOscsim(t)
	sw := killSweep(t)
	ref := filepath.Join(t.TempDir(), "ref")
	start := time.Now()
	oscsim(t, bin, "sweep", sw, "-o", ref)
	full := time.Since(start)

	// Kill at random moments, then resume until done.
	dir := filepath.Join(t.TempDir(), "killed")
	rng := rand.New(rand.NewPCG(11, 12))
	killed := 0
	for i := 0; i < 6; i++ {
		cmd := exec.Command(bin, "sweep", sw, "-o", dir, "--resume")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Float64() * float64(full) * 0.3))
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		if ee, ok := err.(*exec.ExitError); ok && ee.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL {
			killed++
		}
	}
	out := oscsim(t, bin, "sweep", sw, "-o", dir, "--resume")
	if killed < 3 {
		t.Errorf("%d runs killed before they finished, want ≥ 3: the sweep is too short for the test", killed)
	}
	t.Logf("%d kills over a %v sweep; last resume: %s", killed, full, out[strings.LastIndex(out[:len(out)-1], "\n")+1:])
	sameSweepFiles(t, ref, dir)

	// 4 shards in parallel processes, merged.
	root := t.TempDir()
	var cmds []*exec.Cmd
	for i := 0; i < 4; i++ {
		cmd := exec.Command(bin, "sweep", sw, "--shard", fmt.Sprintf("%d/4", i), "-o", filepath.Join(root, fmt.Sprintf("shard-%d", i)), "--jobs", "1")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	merged := filepath.Join(root, "merged")
	args := []string{"merge", "-o", merged}
	for i := 0; i < 4; i++ {
		args = append(args, filepath.Join(root, fmt.Sprintf("shard-%d", i)))
	}
	oscsim(t, bin, args...)
	sameSweepFiles(t, ref, merged)

	// Plots of the merged result.
	plots := oscsim(t, bin, "plot", merged, "--format", "png")
	if !strings.Contains(plots, "accuracy-vs-oscillators-linewidth.png") {
		t.Errorf("plot wrote\n%s", plots)
	}

	// An invalid sweep: exit code 1 and the file's line and column.
	bad := filepath.Join(t.TempDir(), "bad.toml")
	src, _ := os.ReadFile(sw)
	os.WriteFile(bad, bytes.Replace(src, []byte("oscillators.linewidth"), []byte("oscillators.linewdth"), 1), 0o644)
	cmd := exec.Command(bin, "sweep", bad, "-o", filepath.Join(t.TempDir(), "x"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("invalid sweep: %v, want exit code 1", err)
	}
	want := bad + `:14:1: axis[0].path: oscillators.linewdth: unknown key (did you mean "linewidth"?)`
	if !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr\n%s\nwant\n%s", stderr.String(), want)
	}
}

func TestParseShard(t *testing.T) {
	for _, c := range []struct {
		in   string
		i, n int
		ok   bool
	}{{"0/4", 0, 4, true}, {"3/4", 3, 4, true}, {"4/4", 0, 0, false}, {"-1/4", 0, 0, false}, {"1", 0, 0, false}, {"0/0", 0, 0, false}} {
		i, n, err := parseShard(c.in)
		if (err == nil) != c.ok || i != c.i || n != c.n {
			t.Errorf("parseShard(%q) = %d, %d, %v", c.in, i, n, err)
		}
	}
}
