package eqprop

// The digit glyphs of the associative-memory task, as data: '#' is a
// pixel at phase 0 (+1), '.' one at phase π (−1). The 10×6 set (60 rings,
// ten stored patterns: P/N = 1/6, strongly correlated) is the task of
// repro's ep-memory; the 5×3 set (15 rings) serves the tests.

// Glyphs10x6 are the digits 0–9 at 10 rows × 6 columns.
const Glyphs10x6 = `
.####.
##..##
##..##
##..##
##..##
##..##
##..##
##..##
##..##
.####.

..##..
.###..
####..
..##..
..##..
..##..
..##..
..##..
..##..
######

.####.
##..##
....##
....##
...##.
..##..
.##...
##....
##....
######

.####.
##..##
....##
....##
..###.
..###.
....##
....##
##..##
.####.

...##.
..###.
.####.
##.##.
##.##.
######
######
...##.
...##.
...##.

######
##....
##....
#####.
....##
....##
....##
....##
##..##
.####.

.####.
##..##
##....
##....
#####.
##..##
##..##
##..##
##..##
.####.

######
....##
....##
...##.
...##.
..##..
..##..
.##...
.##...
.##...

.####.
##..##
##..##
##..##
.####.
.####.
##..##
##..##
##..##
.####.

.####.
##..##
##..##
##..##
##..##
.#####
....##
....##
##..##
.####.
`

// Glyphs5x3 are the digits 0–9 at 5 rows × 3 columns.
const Glyphs5x3 = `
###
#.#
#.#
#.#
###

.#.
##.
.#.
.#.
###

###
..#
###
#..
###

###
..#
###
..#
###

#.#
#.#
###
..#
..#

###
#..
###
..#
###

###
#..
###
#.#
###

###
..#
..#
..#
..#

###
#.#
###
#.#
###

###
#.#
###
..#
###
`

// Digits returns the glyph set src (Glyphs10x6 or Glyphs5x3) as patterns.
func Digits(src string) []Pattern {
	p, err := ParseGlyphs(src)
	if err != nil {
		panic(err) // the constants above are fixed data
	}
	return p
}
