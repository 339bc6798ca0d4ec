// Package atomicfile writes files so that a crash or a kill never leaves
// half a file: the data goes to a temporary file in the destination's
// directory, is synced, and is renamed over the destination, which
// POSIX rename makes atomic within one file system. Every command that
// writes results (weights, sweep results, decks, ring models, data
// downloads) goes through it.
package atomicfile

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Write calls write with a buffered writer on a temporary file beside
// path and, if it and every step after it succeed, renames the file to
// path with mode 0644. On any error the temporary file is removed and
// path is untouched. Errors name path.
//
// Temporary files that a killed write left beside path are removed first
// (see removeStale).
func Write(path string, write func(w *bufio.Writer) error) (err error) {
	dir, base := filepath.Dir(path), filepath.Base(path)
	removeStale(dir, base, time.Now())
	f, err := os.CreateTemp(dir, "."+base+"."+strconv.Itoa(os.Getpid())+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriter(f)
	if err = write(bw); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return os.Rename(f.Name(), path)
}

// WriteFile writes data to path atomically (see Write).
func WriteFile(path string, data []byte) error {
	return Write(path, func(w *bufio.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Stale temporary files: a write killed before its rename leaves
// ".NAME.PID.RANDOM.tmp" behind. The next write to NAME removes those whose
// process is gone (on this machine) and that are older than staleAfter, and
// any older than staleAlways (a writer on another machine sharing the
// directory, or a file from before the PID was in the name). A live
// writer's file is never removed within staleAlways; were it removed, its
// rename would fail with an error, never leave a wrong file.
const (
	staleAfter  = time.Minute
	staleAlways = 24 * time.Hour
)

func removeStale(dir, base string, now time.Time) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefix := "." + base + "."
	for _, e := range ents {
		name := e.Name()
		if !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, ".tmp") || e.IsDir() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		age := now.Sub(info.ModTime())
		mid := strings.TrimSuffix(strings.TrimPrefix(name, prefix), ".tmp")
		pidText, _, hasPid := strings.Cut(mid, ".")
		pid, perr := strconv.Atoi(pidText)
		dead := !hasPid || perr != nil || !processAlive(pid)
		if (dead && age > staleAfter) || age > staleAlways {
			os.Remove(filepath.Join(dir, name))
		}
	}
}

// WriteJSON writes v to path atomically as indented JSON (see Write), the
// form of every result file the commands write.
func WriteJSON(path string, v any) error {
	return Write(path, func(w *bufio.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		return enc.Encode(v)
	})
}
