package netlist

import "strings"

// Pos is a position in a TOML file (1-based line and column).
type Pos struct{ Line, Col int }

// keyPositions maps every key of a TOML document to the position where it is
// written. Keys inside [[array]] tables carry their index, e.g.
// "coupling[2].from". Keys inside inline tables and values are not listed;
// the enclosing key is. BurntSushi/toml keeps this information private, so
// semantic errors found after decoding use this map to point at their line.
func keyPositions(src string) map[string]Pos {
	pos := map[string]Pos{}
	counts := map[string]int{}
	table := ""
	depth := 0    // open [ and { across lines
	inMulti := "" // the delimiter of an open multi-line string
	lines := strings.Split(src, "\n")
	for ln, line := range lines {
		i := 0
		if inMulti != "" {
			k := strings.Index(line, inMulti)
			if k < 0 {
				continue
			}
			i = k + len(inMulti)
			inMulti = ""
		}
		if depth == 0 && inMulti == "" && i == 0 {
			t := strings.TrimSpace(line)
			col := strings.Index(line, t) + 1
			switch {
			case strings.HasPrefix(t, "[["):
				name := strings.TrimSpace(t[2:strings.Index(t+"]]", "]]")])
				table = name + "[" + itoa(counts[name]) + "]"
				counts[name]++
				pos[table] = Pos{ln + 1, col}
				continue
			case strings.HasPrefix(t, "["):
				table = strings.TrimSpace(t[1:strings.Index(t+"]", "]")])
				pos[table] = Pos{ln + 1, col}
				continue
			case t == "" || t[0] == '#':
				continue
			}
			if eq := strings.Index(t, "="); eq > 0 {
				key := strings.Trim(strings.TrimSpace(t[:eq]), `"'`)
				key = strings.ReplaceAll(strings.ReplaceAll(key, " ", ""), `"`, "")
				full := key
				if table != "" {
					full = table + "." + key
				}
				pos[full] = Pos{ln + 1, col}
				i = strings.Index(line, "=") + 1
			}
		}
		// Scan the rest of the line for brackets, strings and comments.
		for i < len(line) {
			c := line[i]
			switch {
			case c == '#':
				i = len(line)
				continue
			case strings.HasPrefix(line[i:], `"""`) || strings.HasPrefix(line[i:], `'''`):
				d := line[i : i+3]
				k := strings.Index(line[i+3:], d)
				if k < 0 {
					inMulti = d
					i = len(line)
					continue
				}
				i += 3 + k + 3
				continue
			case c == '"' || c == '\'':
				j := i + 1
				for j < len(line) && line[j] != c {
					if c == '"' && line[j] == '\\' {
						j++
					}
					j++
				}
				i = j + 1
				continue
			case c == '[' || c == '{':
				depth++
			case c == ']' || c == '}':
				if depth > 0 {
					depth--
				}
			}
			i++
		}
	}
	return pos
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
