package netlist

import (
	"encoding"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Unit-bearing values. Each type implements encoding.TextUnmarshaler, so a
// bad value is reported by the TOML decoder at its line and column. A bare
// number (TOML integer or float, or a string without a unit) is read in the
// SI base unit of the type.

// Frequency is a frequency in hertz ("1.2GHz", "10kHz").
type Frequency float64

// Duration is a time in seconds ("250ps", "50ns").
type Duration float64

// Current is a current in amperes ("30uA").
type Current float64

// Voltage is a voltage in volts ("1.0V", "900mV").
type Voltage float64

// Capacitance is a capacitance in farads ("10fF").
type Capacitance float64

// Resistance is a resistance in ohms ("5kOhm", "5kΩ").
type Resistance float64

// Length is a length in metres ("65nm", "0.2um").
type Length float64

// Area is an area in square metres ("4.5um2", "1.2mm2").
type Area float64

// Power is a power in watts ("75uW").
type Power float64

// Energy is an energy in joules ("3fJ").
type Energy float64

// Ratio is a dimensionless fraction; "3%" is 0.03 and a bare number is taken
// as the fraction itself.
type Ratio float64

// PhaseNoise is a single-sideband phase-noise figure L(Δf) in the 1/f²
// region, written "-90dBc/Hz@1MHz".
type PhaseNoise struct {
	DBcHz  float64 // L in dBc/Hz
	Offset float64 // offset frequency Δf in Hz
}

// siPrefixes are the SI prefixes every unit-bearing value accepts and
// FormatSI writes, largest first; micro is "u" (parsing also takes "µ").
var siPrefixes = [...]struct {
	sym string
	f   float64
}{{"T", 1e12}, {"G", 1e9}, {"M", 1e6}, {"k", 1e3}, {"", 1}, {"m", 1e-3}, {"u", 1e-6}, {"n", 1e-9}, {"p", 1e-12}, {"f", 1e-15}}

// prefixFactor is the factor of the SI prefix p.
func prefixFactor(p string) (float64, bool) {
	if p == "µ" {
		p = "u"
	}
	for _, x := range siPrefixes {
		if x.sym == p {
			return x.f, true
		}
	}
	return 0, false
}

// SIPrefix returns the prefix FormatSI writes a value of magnitude a with
// and its factor: the largest from "f" to "T" whose factor is at most a
// (within rounding to four digits). Below a femto-unit it returns "f" and
// ok false.
func SIPrefix(a float64) (sym string, factor float64, ok bool) {
	for _, x := range siPrefixes {
		if a >= x.f*0.9995 {
			return x.sym, x.f, true
		}
	}
	return "f", 1e-15, false
}

// UnitRatio is the unit ParseQuantity gives a percentage ("3%" → 0.03).
const UnitRatio = "ratio"

// siUnits are the unit symbols ParseQuantity recognises, longest first so
// that "m2" is tried before "m"; each maps to its canonical symbol.
var siUnits = []struct{ sym, canon string }{
	{"Ohm", "Ohm"}, {"ohm", "Ohm"}, {"Ω", "Ohm"}, {"Hz", "Hz"}, {"m2", "m2"}, {"m²", "m2"},
	{"s", "s"}, {"A", "A"}, {"V", "V"}, {"F", "F"}, {"m", "m"}, {"W", "W"}, {"J", "J"},
}

// splitNumber splits "1.5GHz" into "1.5" and "GHz".
func splitNumber(s string) (num, suffix string) {
	end := 0
	for end < len(s) {
		c := s[end]
		if (c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-' {
			end++
			continue
		}
		if (c == 'e' || c == 'E') && end > 0 && end+1 < len(s) && (s[end+1] == '-' || s[end+1] == '+' || (s[end+1] >= '0' && s[end+1] <= '9')) {
			end++
			continue
		}
		break
	}
	return s[:end], strings.TrimSpace(s[end:])
}

// ParseQuantity reads a number with an optional SI prefix and unit
// ("1.2MHz", "65nm", "4.5um2", "2k", "3%") and returns it in SI base units
// with its canonical unit: "Hz", "s", "A", "V", "F", "Ohm", "m", "m2", "W",
// "J", UnitRatio for a percentage, "" for none. A prefix of m2 is squared
// (1 mm2 = 1e-6 m²). ok is false for text that is not such a value. The
// unit types' UnmarshalText and the sweep's value columns both use it.
func ParseQuantity(s string) (v float64, unit string, ok bool) {
	num, rest := splitNumber(strings.TrimSpace(s))
	x, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, "", false
	}
	if rest == "%" {
		return x / 100, UnitRatio, true
	}
	for _, u := range siUnits {
		if p, found := strings.CutSuffix(rest, u.sym); found {
			if f, ok := prefixFactor(p); ok {
				if u.canon == "m2" {
					f *= f
				}
				return x * f, u.canon, true
			}
		}
	}
	if f, ok := prefixFactor(rest); ok {
		return x * f, "", true
	}
	return 0, "", false
}

// parseSI reads "<number><prefix><unit>" for a quantity whose canonical unit
// is unit (ParseQuantity's symbols); a bare number is taken in that unit.
// what names the quantity in messages.
func parseSI(text []byte, what, unit string) (float64, error) {
	s := strings.TrimSpace(string(text))
	if s == "" {
		return 0, fmt.Errorf("empty %s (want e.g. \"1.5%s\")", what, "k"+unit)
	}
	num, suffix := splitNumber(s)
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a %s (want a number with a unit, e.g. \"2.5%s\")", s, what, "k"+unit)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a finite %s", s, what)
	}
	if suffix == "" {
		return v, nil
	}
	if q, u, ok := ParseQuantity(s); ok && u == unit {
		return q, nil
	}
	want := unit
	if unit == "m2" {
		want = "m2 (or m²)"
	}
	return 0, fmt.Errorf("%q has unit %q, want a %s in %s with an SI prefix (f p n u m k M G)", s, suffix, what, want)
}

// siUnit is the quantity and the SI symbol of each unit type parseSI
// reads: their UnmarshalText and KeyUnit read the one table.
func siUnit(t reflect.Type) (what, symbol string, ok bool) {
	switch t {
	case reflect.TypeFor[Frequency]():
		return "frequency", "Hz", true
	case reflect.TypeFor[Duration]():
		return "duration", "s", true
	case reflect.TypeFor[Current]():
		return "current", "A", true
	case reflect.TypeFor[Voltage]():
		return "voltage", "V", true
	case reflect.TypeFor[Capacitance]():
		return "capacitance", "F", true
	case reflect.TypeFor[Resistance]():
		return "resistance", "Ohm", true
	case reflect.TypeFor[Length]():
		return "length", "m", true
	case reflect.TypeFor[Area]():
		return "area", "m2", true
	case reflect.TypeFor[Power]():
		return "power", "W", true
	case reflect.TypeFor[Energy]():
		return "energy", "J", true
	}
	return "", "", false
}

// setSI parses b into *dst, whose type is one of siUnit's.
func setSI[T ~float64](dst *T, b []byte) error {
	what, symbol, _ := siUnit(reflect.TypeFor[T]())
	v, err := parseSI(b, what, symbol)
	*dst = T(v)
	return err
}

// The UnmarshalText of each unit type of siUnit (a bad value sets the
// value 0 and reports the error): one line a type, same-shaped on purpose.
func (f *Frequency) UnmarshalText(b []byte) error   { return setSI(f, b) }
func (d *Duration) UnmarshalText(b []byte) error    { return setSI(d, b) }
func (c *Current) UnmarshalText(b []byte) error     { return setSI(c, b) }
func (c *Voltage) UnmarshalText(b []byte) error     { return setSI(c, b) }
func (c *Capacitance) UnmarshalText(b []byte) error { return setSI(c, b) }
func (r *Resistance) UnmarshalText(b []byte) error  { return setSI(r, b) }
func (l *Length) UnmarshalText(b []byte) error      { return setSI(l, b) }
func (a *Area) UnmarshalText(b []byte) error        { return setSI(a, b) }
func (p *Power) UnmarshalText(b []byte) error       { return setSI(p, b) }
func (e *Energy) UnmarshalText(b []byte) error      { return setSI(e, b) }

// fromTOML reads a TOML value into a type whose UnmarshalText reads its
// text: a number is formatted exactly ('g', shortest) and a string passed
// on. The TOML decoder's own fallback to UnmarshalText prints a float with
// %f, six decimals, so a bare 2e-15 would read as 0 and 1.2345e-5 as
// 1.2e-5; every number-valued type of this package therefore has the
// UnmarshalTOML below.
func fromTOML(u encoding.TextUnmarshaler, v any) error {
	switch x := v.(type) {
	case float64:
		return u.UnmarshalText([]byte(strconv.FormatFloat(x, 'g', -1, 64)))
	case string:
		return u.UnmarshalText([]byte(x))
	case int64, bool:
		return u.UnmarshalText([]byte(fmt.Sprint(x)))
	}
	return fmt.Errorf("want a number or a string, got %T", v)
}

// The UnmarshalTOML of each number-valued type (fromTOML): one line a
// type, same-shaped on purpose.
func (f *Frequency) UnmarshalTOML(v any) error   { return fromTOML(f, v) }
func (d *Duration) UnmarshalTOML(v any) error    { return fromTOML(d, v) }
func (c *Current) UnmarshalTOML(v any) error     { return fromTOML(c, v) }
func (c *Voltage) UnmarshalTOML(v any) error     { return fromTOML(c, v) }
func (c *Capacitance) UnmarshalTOML(v any) error { return fromTOML(c, v) }
func (r *Resistance) UnmarshalTOML(v any) error  { return fromTOML(r, v) }
func (l *Length) UnmarshalTOML(v any) error      { return fromTOML(l, v) }
func (a *Area) UnmarshalTOML(v any) error        { return fromTOML(a, v) }
func (p *Power) UnmarshalTOML(v any) error       { return fromTOML(p, v) }
func (e *Energy) UnmarshalTOML(v any) error      { return fromTOML(e, v) }
func (r *Ratio) UnmarshalTOML(v any) error       { return fromTOML(r, v) }
func (f *FreqSigma) UnmarshalTOML(v any) error   { return fromTOML(f, v) }

func (r *Ratio) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	scale := 1.0
	if strings.HasSuffix(s, "%") {
		s, scale = strings.TrimSpace(strings.TrimSuffix(s, "%")), 0.01
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%q is not a ratio (want e.g. \"3%%\" or 0.03)", string(b))
	}
	*r = Ratio(v * scale)
	return nil
}

func (p *PhaseNoise) UnmarshalText(b []byte) error {
	s := strings.ReplaceAll(string(b), " ", "")
	l, off, ok := strings.Cut(s, "@")
	if !ok || !strings.HasSuffix(l, "dBc/Hz") {
		return fmt.Errorf("%q is not a phase-noise figure (want e.g. \"-90dBc/Hz@1MHz\")", string(b))
	}
	v, err := strconv.ParseFloat(strings.TrimSuffix(l, "dBc/Hz"), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%q: bad dBc/Hz value (want e.g. \"-90dBc/Hz@1MHz\")", string(b))
	}
	f, err := parseSI([]byte(off), "offset frequency", "Hz")
	if err != nil {
		return err
	}
	p.DBcHz, p.Offset = v, f
	return nil
}

// Linewidth returns the full width at half maximum (Hz) of the Lorentzian
// line of an oscillator whose 1/f² phase noise is p: with A = L·Δf² (L as a
// linear ratio), FWHM = 2π·A (Demir, Mehrotra & Roychowdhury, TCAS-I 47(5),
// 2000; docs/model.md §2).
func (p PhaseNoise) Linewidth() float64 {
	return 2 * math.Pi * math.Pow(10, p.DBcHz/10) * p.Offset * p.Offset
}

// FormatSI formats v with an SI prefix and unit, e.g. FormatSI(1.4e9, "Hz")
// is "1.4GHz".
func FormatSI(v float64, unit string) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', 4, 64) + unit
	}
	s, f, _ := SIPrefix(math.Abs(v))
	return strconv.FormatFloat(v/f, 'g', 4, 64) + s + unit
}
