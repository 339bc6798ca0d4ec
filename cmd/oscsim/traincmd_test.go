package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"oscsim/learn"
)

// trainTestDir writes a synthetic 4×4 two-class data set in IDX format:
// class 0 inks the left half, class 1 the right half, with 10% noise.
func trainTestDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 1))
	for _, sp := range []struct {
		prefix string
		n      int
	}{{"train", 200}, {"t10k", 100}} {
		var img, lbl bytes.Buffer
		binary.Write(&img, binary.BigEndian, []uint32{0x803, uint32(sp.n), 4, 4})
		binary.Write(&lbl, binary.BigEndian, []uint32{0x801, uint32(sp.n)})
		for k := 0; k < sp.n; k++ {
			c := k % 2
			lbl.WriteByte(byte(c))
			for p := 0; p < 16; p++ {
				ink := (p%4 < 2) == (c == 0)
				if rng.Float64() < 0.1 {
					ink = !ink
				}
				v := byte(0)
				if ink {
					v = 255
				}
				img.WriteByte(v)
			}
		}
		os.WriteFile(filepath.Join(dir, sp.prefix+"-images-idx3-ubyte"), img.Bytes(), 0o644)
		os.WriteFile(filepath.Join(dir, sp.prefix+"-labels-idx1-ubyte"), lbl.Bytes(), 0o644)
	}
	return dir
}

func TestTrainCommand(t *testing.T) {
	dir := trainTestDir(t)
	out := filepath.Join(t.TempDir(), "w.npz")
	var stdout, stderr bytes.Buffer
	err := runTrain(context.Background(), []string{"oscnet", "--data", dir, "--k", "4", "-o", out}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("runTrain: %v\n%s", err, stderr.String())
	}
	for _, want := range []string{"200 train, 100 test images of 16 pixels", "accuracy  ", "weights   " + out} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
		}
	}
	m, err := learn.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if m.Classes != 2 || m.Pixels != 16 || m.NNZ() != 2*16*4 || m.Settings.K != 4 {
		t.Errorf("saved model: %d classes, %d pixels, %d couplings, k=%d", m.Classes, m.Pixels, m.NNZ(), m.Settings.K)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr is not a terminal but got %q", stderr.String())
	}
}

func TestTrainTable(t *testing.T) {
	dir := trainTestDir(t)
	var stdout, stderr bytes.Buffer
	if err := runTrain(context.Background(), []string{"oscnet", "--table", "--data", dir, "--train", "100"}, &stdout, &stderr); err != nil {
		t.Fatalf("runTrain --table: %v", err)
	}
	for _, want := range []string{"Table 2", "86.55", "full", "Table 4", "15.49", "100 train / 100 test"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, stdout.String())
		}
	}
}

func TestTrainUsageErrors(t *testing.T) {
	dir := trainTestDir(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{}, "name the trainer"},
		{[]string{"hopfield"}, "name the trainer"},
		{[]string{"oscnet", "--rule", "best"}, "rule must be topabs, top or full"},
		{[]string{"oscnet", "--op", "max"}, "class_op must be"},
		{[]string{"oscnet", "--table", "-o", "x.npz"}, "drop -o"},
		{[]string{"oscnet", "--dataset", "cifar"}, "--dataset must be"},
		{[]string{"oscnet", "--train", "-1"}, ">= 0"},
	} {
		err := runTrain(context.Background(), append(tc.args, "--data", dir), &bytes.Buffer{}, &bytes.Buffer{})
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want a usage error containing %q", tc.args, err, tc.want)
		}
	}
	// A data directory without IDX files is a data error naming the file.
	err := runTrain(context.Background(), []string{"oscnet", "--data", t.TempDir()}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || errors.Is(err, errUsage) || !strings.Contains(err.Error(), "train-images-idx3-ubyte") {
		t.Errorf("empty data dir: %v", err)
	}
}

func TestDataUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{}, "want 'oscsim data fetch NAME'"},
		{[]string{"get", "mnist"}, "want 'oscsim data fetch NAME'"},
		{[]string{"fetch", "cifar"}, `unknown data set "cifar"`},
	} {
		err := runData(context.Background(), tc.args, &bytes.Buffer{}, &bytes.Buffer{})
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want a usage error containing %q", tc.args, err, tc.want)
		}
	}
}

// TestTrainSyncOnlineFlags: the online rule's options reach the rule, and
// bad values are refused naming the flag.
func TestTrainSyncOnlineFlags(t *testing.T) {
	base := []string{"sync", "--task", "basic", "--arch", "reference", "--online", "--side", "6", "--iterations", "2"}
	var stdout, stderr bytes.Buffer
	if err := runTrain(context.Background(), append(base, "--push", "natural", "--push-weight", "1", "--decay", "0"), &stdout, &stderr); err != nil {
		t.Fatalf("runTrain: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "accuracy  train") {
		t.Errorf("no accuracy line:\n%s", stdout.String())
	}
	for _, bad := range [][]string{{"--push", "sideways"}, {"--push-weight", "-1"}, {"--decay", "NaN"}} {
		err := runTrain(context.Background(), append(base, bad...), &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(bad[0], "--")) {
			t.Errorf("%v: error %v, want one naming %s", bad, err, bad[0])
		}
	}
}
