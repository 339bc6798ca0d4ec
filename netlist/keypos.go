package netlist

import (
	"strconv"
	"strings"
)

// Pos is a position in a TOML file (1-based line and column).
type Pos struct{ Line, Col int }

// KeyPositions maps the keys and array elements of a TOML document to where
// they are written, so that problems found after decoding can name their
// line. Chip descriptions, sweep files and workload settings all use it. Keys are dotted paths; tables of arrays carry their index
// ("axis[1].path"), array elements theirs ("axis[1].values[3]"), and keys
// of a table or inline table are joined with dots. Quoted key parts keep
// their dots ("point[0].oscillators.linewidth" for both a dotted and a
// quoted key). BurntSushi/toml keeps positions private, so this is a
// small scanner of its own; it only has to be right on documents the
// decoder accepted, and it ends (without panicking) on any input.
func KeyPositions(src string) map[string]Pos {
	s := &scanner{src: src, line: 1, col: 1, pos: map[string]Pos{}}
	counts := map[string]int{}
	table := ""
	for !s.eof() {
		s.skipSpace(true)
		if s.eof() {
			break
		}
		switch c := s.peek(); {
		case c == '[' && s.has("[["):
			p := s.here()
			s.adv(2)
			name := strings.Join(s.key(), ".")
			s.skipUntil("]]")
			s.adv(2)
			table = name + "[" + strconv.Itoa(counts[name]) + "]"
			counts[name]++
			s.pos[table] = p
		case c == '[':
			p := s.here()
			s.adv(1)
			table = strings.Join(s.key(), ".")
			s.skipUntil("]")
			s.adv(1)
			s.pos[table] = p
		default:
			p := s.here()
			k := strings.Join(s.key(), ".")
			if table != "" {
				k = table + "." + k
			}
			s.pos[k] = p
			s.skipSpace(false)
			if s.peek() == '=' {
				s.adv(1)
			}
			s.skipSpace(false)
			s.value(k)
		}
		s.skipLine()
	}
	return s.pos
}

type scanner struct {
	src       string
	i         int
	line, col int
	pos       map[string]Pos
}

func (s *scanner) eof() bool         { return s.i >= len(s.src) }
func (s *scanner) here() Pos         { return Pos{Line: s.line, Col: s.col} }
func (s *scanner) has(p string) bool { return strings.HasPrefix(s.src[s.i:], p) }

func (s *scanner) peek() byte {
	if s.eof() {
		return 0
	}
	return s.src[s.i]
}

// adv moves n bytes on, counting lines and columns (columns in runes).
func (s *scanner) adv(n int) {
	for k := 0; k < n && !s.eof(); k++ {
		c := s.src[s.i]
		s.i++
		switch {
		case c == '\n':
			s.line++
			s.col = 1
		case c&0xC0 != 0x80: // not a UTF-8 continuation byte
			s.col++
		}
	}
}

// skipSpace skips blanks and comments, and newlines too when nl is true.
func (s *scanner) skipSpace(nl bool) {
	for !s.eof() {
		switch c := s.peek(); {
		case c == ' ' || c == '\t' || c == '\r':
			s.adv(1)
		case c == '\n' && nl:
			s.adv(1)
		case c == '#':
			for !s.eof() && s.peek() != '\n' {
				s.adv(1)
			}
		default:
			return
		}
	}
}

func (s *scanner) skipUntil(p string) {
	for !s.eof() && !s.has(p) {
		s.adv(1)
	}
}

// skipLine skips the rest of the line (after a value or a header).
func (s *scanner) skipLine() {
	for !s.eof() && s.peek() != '\n' {
		s.adv(1)
	}
}

// key reads a possibly dotted, possibly quoted key.
func (s *scanner) key() []string {
	var parts []string
	for {
		s.skipSpace(false)
		switch c := s.peek(); c {
		case '"', '\'':
			parts = append(parts, s.str())
		default:
			st := s.i
			for !s.eof() {
				c := s.peek()
				if c == '.' || c == '=' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '#' || c == '}' || c == ',' {
					break
				}
				s.adv(1)
			}
			parts = append(parts, s.src[st:s.i])
		}
		s.skipSpace(false)
		if s.peek() != '.' {
			return parts
		}
		s.adv(1)
	}
}

// str reads a basic or literal string, single- or multi-line, and returns
// its raw contents (escapes are kept; keys rarely hold any).
func (s *scanner) str() string {
	q := s.src[s.i : s.i+1]
	if s.has(q + q + q) {
		s.adv(3)
		st := s.i
		for !s.eof() && !s.has(q+q+q) {
			if q == `"` && s.peek() == '\\' {
				s.adv(1)
			}
			s.adv(1)
		}
		out := s.src[st:s.i]
		s.adv(3)
		return out
	}
	s.adv(1)
	st := s.i
	for !s.eof() && s.src[s.i:s.i+1] != q && s.peek() != '\n' {
		if q == `"` && s.peek() == '\\' {
			s.adv(1)
		}
		s.adv(1)
	}
	out := s.src[st:min(s.i, len(s.src))]
	s.adv(1)
	return out
}

// value skips one value, recording the positions of array elements
// (prefix[k]) and inline-table keys (prefix.key).
func (s *scanner) value(prefix string) {
	switch c := s.peek(); c {
	case '"', '\'':
		s.str()
	case '[':
		s.adv(1)
		for k := 0; ; k++ {
			s.skipSpace(true)
			if s.eof() || s.peek() == ']' {
				s.adv(1)
				return
			}
			el := prefix + "[" + strconv.Itoa(k) + "]"
			s.pos[el] = s.here()
			at := s.i
			s.value(el)
			s.skipSpace(true)
			if s.peek() == ',' || s.i == at {
				s.adv(1) // a separator, or a stray byte that would stall the scan
			}
		}
	case '{':
		s.adv(1)
		for {
			s.skipSpace(false)
			if s.eof() || s.peek() == '}' {
				s.adv(1)
				return
			}
			p, at := s.here(), s.i
			k := prefix + "." + strings.Join(s.key(), ".")
			s.pos[k] = p
			if s.peek() == '=' {
				s.adv(1)
			}
			s.skipSpace(false)
			s.value(k)
			s.skipSpace(false)
			if s.peek() == ',' || s.i == at {
				s.adv(1) // a separator, or a stray byte that would stall the scan
			}
		}
	default:
		for !s.eof() {
			c := s.peek()
			if c == ',' || c == ']' || c == '}' || c == '\n' || c == '#' {
				return
			}
			s.adv(1)
		}
	}
}
