package bench

import (
	"fmt"
	"io"
)

// WriteConfusion prints a confusion matrix m[true][predicted] as text, each
// line after indent: a title, the predicted classes as column heads, then
// one row a true class, counts in columns of five. The workloads' reports
// (OscNet's, the layered EP classifier's) print their matrices with it.
func WriteConfusion(w io.Writer, indent string, m [][]int) {
	fmt.Fprintf(w, "%sconfusion (rows: true, columns: predicted)\n%s     ", indent, indent)
	for c := range m {
		fmt.Fprintf(w, "%5d", c)
	}
	fmt.Fprintln(w)
	for y, row := range m {
		fmt.Fprintf(w, "%s%5d", indent, y)
		for _, v := range row {
			fmt.Fprintf(w, "%5d", v)
		}
		fmt.Fprintln(w)
	}
}
