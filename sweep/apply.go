package sweep

import (
	"fmt"
	"strconv"
	"strings"
)

// seg is one part of a dotted path: a key, with an index when it names
// one table of an array of tables ("detector[1]").
type seg struct {
	name string
	idx  int // −1: no index
}

// splitPath splits "detector[0].jitter" into its segments.
func splitPath(path string) ([]seg, error) {
	if path == "" {
		return nil, fmt.Errorf("empty path")
	}
	var out []seg
	for _, part := range strings.Split(path, ".") {
		s := seg{name: part, idx: -1}
		if i := strings.IndexByte(part, '['); i >= 0 {
			if !strings.HasSuffix(part, "]") {
				return nil, fmt.Errorf("%s: bad index in %q (want name[N])", path, part)
			}
			n, err := strconv.Atoi(part[i+1 : len(part)-1])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("%s: bad index in %q (want name[N], N ≥ 0)", path, part)
			}
			s = seg{name: part[:i], idx: n}
		}
		if s.name == "" {
			return nil, fmt.Errorf("%s: empty key in path", path)
		}
		out = append(out, s)
	}
	return out, nil
}

// setPath sets the value at path in a decoded TOML document, creating
// missing tables. A path through an array of tables without an index
// ("detector.jitter") sets the key in every table of the array.
func setPath(m map[string]any, path []seg, v any) error {
	s := path[0]
	cur, exists := m[s.name]
	if len(path) == 1 {
		if s.idx >= 0 {
			return fmt.Errorf("an index selects a table of an array of tables, not a value")
		}
		switch cur.(type) {
		case map[string]any, []map[string]any:
			return fmt.Errorf("%s is a table: sweep a key inside it", s.name)
		}
		m[s.name] = v
		return nil
	}
	switch t := cur.(type) {
	case nil:
		if exists {
			return fmt.Errorf("%s is not a table", s.name)
		}
		if s.idx >= 0 {
			return fmt.Errorf("%s[%d]: the base chip has no [[%s]] tables", s.name, s.idx, s.name)
		}
		sub := map[string]any{}
		m[s.name] = sub
		return setPath(sub, path[1:], v)
	case map[string]any:
		if s.idx >= 0 {
			return fmt.Errorf("%s is a table, not an array of tables", s.name)
		}
		return setPath(t, path[1:], v)
	case []map[string]any:
		if s.idx >= len(t) {
			return fmt.Errorf("%s[%d]: the base chip has %d [[%s]] table(s)", s.name, s.idx, len(t), s.name)
		}
		if s.idx >= 0 {
			return setPath(t[s.idx], path[1:], v)
		}
		for _, sub := range t {
			if err := setPath(sub, path[1:], v); err != nil {
				return err
			}
		}
		return nil
	default:
		return fmt.Errorf("%s is a value, not a table", s.name)
	}
}

// deepCopy copies a decoded TOML value so that points never share tables.
func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = deepCopy(x)
		}
		return out
	case []map[string]any:
		out := make([]map[string]any, len(t))
		for i, x := range t {
			out[i] = deepCopy(x).(map[string]any)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = deepCopy(x)
		}
		return out
	case nil:
		return map[string]any{}
	}
	return v
}
