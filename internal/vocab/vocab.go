// Package vocab holds the one implementation behind oscsim's vocabulary
// types (netlist.Model, netlist.Topology, shil.Kind, sweep.Streams, …):
// string types whose UnmarshalText accepts only their words, so the TOML
// decoder reports a bad word at its line and column.
//
// Every vocabulary is written the same way on purpose: a string type, its
// words as constants, and a one-line UnmarshalText calling Set. The
// duplicates tool sees those blocks as same-shaped; they are deliberate.
// An integer vocabulary (constants from iota, used as indices) keeps its
// words in a list and calls Name and Index.
package vocab

import (
	"fmt"
	"strings"
)

// Set sets *dst to the word b if it is one of words, else returns
// `unknown what "b" (want "w1", "w2" or "w3")`.
func Set[T ~string](dst *T, b []byte, what string, words ...T) error {
	if err := Check(T(b), what, words...); err != nil {
		return err
	}
	*dst = T(b)
	return nil
}

// Check reports x if it is none of words.
func Check[T ~string](x T, what string, words ...T) error {
	for _, w := range words {
		if x == w {
			return nil
		}
	}
	return fmt.Errorf("unknown %s %q (want %s)", what, string(x), OneOf(words...))
}

// OneOf lists words as `"a", "b" or "c"` for messages.
func OneOf[T ~string](words ...T) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = fmt.Sprintf("%q", string(w))
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// Name is the String method of an integer vocabulary whose words are
// names, in the order of its constants: names[i], or "what(i)" when i is
// none of them.
func Name[T ~int](i T, what string, names ...string) string {
	if i >= 0 && int(i) < len(names) {
		return names[i]
	}
	return fmt.Sprintf("%s(%d)", what, int(i))
}

// Index is the UnmarshalText of an integer vocabulary whose words are
// names, in the order of its constants: it sets *dst to the index of b, or
// returns `unknown what "b" (want "n1", "n2" or "n3")`.
func Index[T ~int](dst *T, b []byte, what string, names ...string) error {
	for i, n := range names {
		if string(b) == n {
			*dst = T(i)
			return nil
		}
	}
	return fmt.Errorf("unknown %s %q (want %s)", what, string(b), OneOf(names...))
}
