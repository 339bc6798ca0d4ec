package repro

import (
	"bytes"
	"fmt"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"oscsim/internal/atomicfile"
)

// writeTiles draws plots row by row on a grid of cols columns, each tile
// w × h, into path (PNG, or SVG or PDF by the extension), written
// atomically. Every plot file of the package goes through it.
func writeTiles(path string, cols int, w, h vg.Length, plots []*plot.Plot) error {
	if len(plots) == 0 || cols < 1 {
		return fmt.Errorf("plot %s: nothing to draw", path)
	}
	ext := filepath.Ext(path)
	if ext == "" {
		return fmt.Errorf("plot %s: no file extension (want .png, .svg or .pdf)", path)
	}
	cols = min(cols, len(plots))
	rows := (len(plots) + cols - 1) / cols
	c, err := draw.NewFormattedCanvas(w*vg.Length(cols), h*vg.Length(rows), ext[1:])
	if err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	dc := draw.New(c)
	tiles := draw.Tiles{Rows: rows, Cols: cols}
	for k, p := range plots {
		p.Draw(tiles.At(dc, k%cols, k/cols))
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	return atomicfile.WriteFile(path, buf.Bytes())
}
