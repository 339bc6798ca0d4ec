package atomicfile

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// A failed write leaves the old file and no temporary file; a good one
// replaces it whole.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.txt")
	if err := WriteFile(p, []byte("old")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(p, func(w *bufio.Writer) error {
		w.WriteString("half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want the writer's error", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Fatalf("after a failed write the file holds %q, want \"old\"", b)
	}
	if err := WriteFile(p, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Fatalf("file holds %q, want \"new\"", b)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("directory holds %d entries, want only out.txt", len(ents))
	}
}

// A write removes the temporary files killed writes left behind, and
// keeps a live writer's.
func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.txt")
	old := time.Now().Add(-2 * staleAfter)
	mk := func(name string, mod time.Time) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(f, mod, mod)
		return f
	}
	dead := mk(".out.txt.999999999.123.tmp", old)                   // no such process
	legacy := mk(".out.txt.4567.tmp", old)                          // no PID in the name
	live := mk(".out.txt."+strconv.Itoa(os.Getpid())+".5.tmp", old) // this process: a write in flight
	fresh := mk(".out.txt.999999999.7.tmp", time.Now())             // too young to judge
	other := mk(".other.txt.999999999.1.tmp", old)                  // another file's
	if err := WriteFile(p, []byte("new")); err != nil {
		t.Fatal(err)
	}
	for f, want := range map[string]bool{dead: false, legacy: false, live: true, fresh: true, other: true} {
		if _, err := os.Stat(f); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", filepath.Base(f), err == nil, want)
		}
	}
}
