package sweep

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"oscsim/internal/atomicfile"
)

// Merge joins the results directories of the shards of one sweep (run
// with --shard i/n for every i) into out, which then holds the same files,
// byte for byte, as an unsharded run of the sweep. Every shard must be
// complete; a shard with points missing is named with the command to
// finish it.
func Merge(out string, dirs []string) (Meta, error) {
	if len(dirs) == 0 {
		return Meta{}, fmt.Errorf("sweep: merge: no shard directories")
	}
	var whole Meta
	var wholeJSON []byte
	var shards int
	seen := map[int]string{}
	var blocks []block
	breakdown := map[int][][]string{}
	for _, dir := range dirs {
		m, err := ReadMeta(dir)
		if err != nil {
			return Meta{}, err
		}
		if m.Shard == "" {
			return Meta{}, fmt.Errorf("sweep: merge: %s is not a shard (it holds a whole sweep)", dir)
		}
		i, n, err := splitShard(m.Shard)
		if err != nil {
			return Meta{}, fmt.Errorf("sweep: merge: %s: %v", dir, err)
		}
		w := m
		w.Shard = ""
		if wholeJSON == nil {
			whole, wholeJSON, shards = w, w.encode(), n
		} else if !bytes.Equal(w.encode(), wholeJSON) || n != shards {
			return Meta{}, fmt.Errorf("sweep: merge: %s is a shard of another sweep than %s (%s differs)", dir, dirs[0], MetaFile)
		}
		if prev, ok := seen[i]; ok {
			return Meta{}, fmt.Errorf("sweep: merge: shard %d/%d given twice (%s and %s)", i, n, prev, dir)
		}
		seen[i] = dir

		path := filepath.Join(dir, RunsFile)
		data, err := os.ReadFile(path)
		if err != nil {
			return Meta{}, fmt.Errorf("sweep: merge: %w", err)
		}
		bs, valid, err := scanRuns(data, m, func(b block) error {
			if b.point < 0 || b.point >= m.Points || b.point%n != i {
				return fmt.Errorf("not a point of shard %d/%d", i, n)
			}
			return nil
		})
		if err != nil {
			return Meta{}, fmt.Errorf("sweep: merge: %s: %v", path, err)
		}
		want := 0
		for p := i; p < m.Points; p += n {
			want++
		}
		if valid < len(data) || len(bs) < want {
			return Meta{}, fmt.Errorf("sweep: merge: %w: %s has %d of its %d points; finish it with 'oscsim sweep SWEEP.toml --shard %d/%d -o %s --resume'",
				ErrIncomplete, dir, len(bs), want, i, n, dir)
		}
		blocks = append(blocks, bs...)
		bd, err := readBreakdown(dir, m)
		if err != nil {
			return Meta{}, fmt.Errorf("sweep: merge: %v", err)
		}
		for p, rows := range bd {
			breakdown[p] = rows
		}
	}
	if len(seen) != shards {
		var missing []string
		for i := 0; i < shards; i++ {
			if _, ok := seen[i]; !ok {
				missing = append(missing, strconv.Itoa(i))
			}
		}
		return Meta{}, fmt.Errorf("sweep: merge: %w: shard(s) %s of %d missing", ErrIncomplete, strings.Join(missing, ", "), shards)
	}

	if err := os.MkdirAll(out, 0o755); err != nil {
		return Meta{}, err
	}
	unlock, err := lockDir(out)
	if err != nil {
		return Meta{}, err
	}
	defer unlock()
	if old, err := os.ReadFile(filepath.Join(out, MetaFile)); err == nil && !bytes.Equal(old, wholeJSON) {
		return Meta{}, fmt.Errorf("sweep: merge: %s holds results of another sweep; choose another directory", out)
	}
	for _, w := range []func() error{
		func() error { return atomicfile.WriteFile(filepath.Join(out, MetaFile), wholeJSON) },
		func() error { return writeRuns(out, whole, blocks) },
		func() error { return writeSummary(out, whole, blocks) },
		func() error { return writeBreakdown(out, whole, breakdown) },
	} {
		if err := w(); err != nil {
			return Meta{}, err
		}
	}
	return whole, nil
}

func splitShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	if ok {
		if i, err = strconv.Atoi(a); err == nil {
			n, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil || n < 2 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("bad shard %q in %s", s, MetaFile)
	}
	return i, n, nil
}

// ResultFiles are the files a finished sweep writes in its directory.
var ResultFiles = []string{MetaFile, RunsFile, SummaryFile, BreakdownFile}

// SameResults reports whether the sweeps in directories a and b hold the
// same results, byte for byte: nil, or an error naming the first file that
// differs or cannot be read. A merged sweep equals the unsharded one, and
// the number of runs in flight never matters; this is how to check it.
func SameResults(a, b string) error {
	for _, f := range ResultFiles {
		x, err := os.ReadFile(filepath.Join(a, f))
		if err != nil {
			return err
		}
		y, err := os.ReadFile(filepath.Join(b, f))
		if err != nil {
			return err
		}
		if !bytes.Equal(x, y) {
			return fmt.Errorf("sweep: %s differs between %s and %s", f, a, b)
		}
	}
	return nil
}
