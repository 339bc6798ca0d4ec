package learn

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"oscsim/dataset"
)

// tinySpins is the hand-worked example: 3 classes × 4 pixels.
//
//	class 0: [+ + - -], [+ - - -]
//	class 1: [- - + +]
//	class 2: [+ + + +], [+ + + -], [- + + +]
func tinySpins(t *testing.T) (Spins, dataset.Labels) {
	t.Helper()
	x, err := NewSpins([][]int8{
		{1, 1, -1, -1}, {1, -1, -1, -1},
		{-1, -1, 1, 1},
		{1, 1, 1, 1}, {1, 1, 1, -1}, {-1, 1, 1, 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	return x, dataset.Labels{0, 0, 1, 2, 2, 2}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*(1+math.Abs(b)) }

func TestHebbianHandWorked(t *testing.T) {
	t.Parallel()
	x, y := tinySpins(t)
	s, err := Hebbian(context.Background(), x, y)
	if err != nil {
		t.Fatal(err)
	}
	// Eq (10) by hand: W^c_ij = mean over class c of x_i x_j.
	want := [3][4][4]float64{
		{{0, 0, -1, -1}, {0, 0, 0, 0}, {-1, 0, 0, 1}, {-1, 0, 1, 0}},
		{{0, 1, -1, -1}, {1, 0, -1, -1}, {-1, -1, 0, 1}, {-1, -1, 1, 0}},
		{{0, 1. / 3, 1. / 3, -1. / 3}, {1. / 3, 0, 1, 1. / 3}, {1. / 3, 1, 0, 1. / 3}, {-1. / 3, 1. / 3, 1. / 3, 0}},
	}
	for c := 0; c < 3; c++ {
		for i := 0; i < 4; i++ {
			for j := 0; j < 4; j++ {
				if !near(s.At(c, i, j), want[c][i][j]) {
					t.Errorf("W[%d,%d,%d] = %v, want %v", c, i, j, s.At(c, i, j), want[c][i][j])
				}
			}
		}
	}
	if !slices.Equal(s.Counts, []int{2, 1, 3}) {
		t.Errorf("counts %v", s.Counts)
	}
	// Prototypes: sign of the class mean, the tie of pixel 1 in class 0 → -1.
	wantP := []int8{1, -1, -1, -1, -1, -1, 1, 1, 1, 1, 1, 1}
	if !slices.Equal(s.Prototypes, wantP) {
		t.Errorf("prototypes %v, want %v", s.Prototypes, wantP)
	}
}

// randomSpins draws count samples of n spins with class-dependent ink
// probabilities, labels cycling over classes.
func randomSpins(rng *rand.Rand, n, count, classes int) (Spins, dataset.Labels) {
	xs := make([][]int8, count)
	y := make(dataset.Labels, count)
	for k := range xs {
		y[k] = uint8(k % classes)
		xs[k] = make([]int8, n)
		for i := range xs[k] {
			p := 0.2 + 0.6*float64((i+int(y[k])*7)%n)/float64(n)
			xs[k][i] = -1
			if rng.Float64() < p {
				xs[k][i] = 1
			}
		}
	}
	x, _ := NewSpins(xs)
	return x, y
}

func TestHebbianMatchesNaiveAndIsDeterministic(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	// 70 pixels and 3×~67 samples: several words per sample and per column.
	x, y := randomSpins(rng, 70, 200, 3)
	ctx := context.Background()
	s1, err := hebbian(ctx, x, y, 1)
	if err != nil {
		t.Fatal(err)
	}
	s3, _ := hebbian(ctx, x, y, 3)
	if !slices.Equal(s1.W, s3.W) {
		t.Fatal("result depends on the number of goroutines")
	}
	for c := 0; c < 3; c++ {
		for i := 0; i < x.N; i++ {
			for j := 0; j < x.N; j++ {
				sum, n := 0, 0
				for k := 0; k < x.Count; k++ {
					if int(y[k]) == c {
						sum += int(x.At(k, i)) * int(x.At(k, j))
						n++
					}
				}
				want := float64(sum) / float64(n)
				if i == j {
					want = 0
				}
				if !near(s1.At(c, i, j), want) {
					t.Fatalf("W[%d,%d,%d] = %v, naive %v", c, i, j, s1.At(c, i, j), want)
				}
			}
		}
	}
}

func TestHebbianErrors(t *testing.T) {
	t.Parallel()
	x, _ := tinySpins(t)
	ctx := context.Background()
	if _, err := Hebbian(ctx, x, dataset.Labels{0, 0, 2, 2, 2, 2}); err == nil || !strings.Contains(err.Error(), "class 1 has no training samples") {
		t.Errorf("missing class: %v", err)
	}
	if _, err := Hebbian(ctx, x, dataset.Labels{0, 1}); err == nil || !strings.Contains(err.Error(), "6 samples but 2 labels") {
		t.Errorf("label count: %v", err)
	}
}

func TestApplyOp(t *testing.T) {
	t.Parallel()
	s6 := math.Sqrt(1.5) // population std of {1,2,3} is sqrt(2/3); 1/sqrt(2/3)
	tests := []struct {
		name string
		op   Op
		in   []float64
		want []float64
	}{
		{"zscore", OpZScore, []float64{1, 2, 3}, []float64{-s6, 0, s6}},
		{"zscore constant → 0", OpZScore, []float64{0.7, 0.7, 0.7}, []float64{0, 0, 0}},
		{"center", OpCenter, []float64{1, 2, 6}, []float64{-2, -1, 3}},
		{"l2", OpL2, []float64{3, -4}, []float64{0.6, -0.8}},
		{"l2 zero", OpL2, []float64{0, 0}, []float64{0, 0}},
		{"l1", OpL1, []float64{1, -3}, []float64{0.25, -0.75}},
		{"softmax", OpSoftmax, []float64{0, math.Log(3)}, []float64{0.25, 0.75}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := slices.Clone(tc.in)
			applyOp(tc.op, v, 0)
			for k := range v {
				if !near(v[k], tc.want[k]) {
					t.Fatalf("%s(%v) = %v, want %v", tc.op, tc.in, v, tc.want)
				}
			}
		})
	}
}

func TestNormalizeHandWorked(t *testing.T) {
	t.Parallel()
	x, y := tinySpins(t)
	s, _ := Hebbian(context.Background(), x, y)
	set := DefaultSettings()
	set.Norm, set.ClassOp, set.Eps = NormClass, OpZScore, 0
	s1, err := Normalize(s, set)
	if err != nil {
		t.Fatal(err)
	}
	// Pair (0,1) over classes: {0, 1, 1/3}, mean 4/9, variance 42/243.
	sd := math.Sqrt(42. / 243)
	for c, want := range []float64{-4. / 9 / sd, 5. / 9 / sd, -1. / 9 / sd} {
		if got := s1.At(c, 0, 1); !near(got, want) || !near(s1.At(c, 1, 0), want) {
			t.Errorf("class z-score [%d,0,1] = %v, want %v", c, got, want)
		}
	}
	// Pair (0,2): {-1, -1, 1/3}, mean -5/9, variance 96/243.
	sd = math.Sqrt(96. / 243)
	for c, want := range []float64{-4. / 9 / sd, -4. / 9 / sd, 8. / 9 / sd} {
		if got := s1.At(c, 0, 2); !near(got, want) {
			t.Errorf("class z-score [%d,0,2] = %v, want %v", c, got, want)
		}
	}
	// Class L2 on (2,3): {1, 1, 1/3}, norm sqrt(19/9).
	set.ClassOp = OpL2
	s1, _ = Normalize(s, set)
	if got, want := s1.At(2, 2, 3), (1./3)/math.Sqrt(19./9); !near(got, want) {
		t.Errorf("class l2 [2,2,3] = %v, want %v", got, want)
	}
	// Sum accumulation multiplies class c by n_c before anything else.
	set.Norm, set.Accumulate = NormNone, AccumSum
	s1, _ = Normalize(s, set)
	if got := s1.At(2, 0, 1); !near(got, 1) {
		t.Errorf("sum [2,0,1] = %v, want 1 (= 3 × 1/3)", got)
	}
	// The input is never modified and the diagonal stays 0.
	if s.At(2, 0, 1) != 1./3 {
		t.Error("Normalize modified its input")
	}
	set = DefaultSettings()
	s2, _ := Normalize(s, set)
	for c := 0; c < 3; c++ {
		for i := 0; i < 4; i++ {
			if s2.At(c, i, i) != 0 {
				t.Errorf("diagonal [%d,%d,%d] = %v", c, i, i, s2.At(c, i, i))
			}
		}
	}
}

// TestNormalizePixelScopes checks row, column and class scope on an
// asymmetric matrix against applyOp on the hand-gathered vectors.
func TestNormalizePixelScopes(t *testing.T) {
	t.Parallel()
	n := 3
	w := []float64{0, 1, 2, 4, 0, 8, 3, 9, 0}
	s := &Similarity{C: 1, N: n, W: w, Counts: []int{1}, Prototypes: []int8{1, 1, 1}}
	set := DefaultSettings()
	set.Norm, set.PixelOp, set.Eps = NormPixel, OpL1, 0
	for _, tc := range []struct {
		scope Scope
		want  []float64
	}{
		{ScopeRow, []float64{0, 1. / 3, 2. / 3, 4. / 12, 0, 8. / 12, 3. / 12, 9. / 12, 0}},
		{ScopeCol, []float64{0, 1. / 10, 2. / 10, 4. / 7, 0, 8. / 10, 3. / 7, 9. / 10, 0}},
		{ScopeClass, []float64{0, 1. / 27, 2. / 27, 4. / 27, 0, 8. / 27, 3. / 27, 9. / 27, 0}},
	} {
		set.Scope = tc.scope
		got, err := Normalize(s, set)
		if err != nil {
			t.Fatal(err)
		}
		for k := range tc.want {
			if !near(got.W[k], tc.want[k]) {
				t.Errorf("scope %s: W = %v, want %v", tc.scope, got.W, tc.want)
				break
			}
		}
	}
}

func TestSparsifyRules(t *testing.T) {
	t.Parallel()
	// One class, 5 pixels; row 0 is [diag, 0.5, -0.9, 0.1, -0.2].
	n := 5
	w := make([]float64, n*n)
	copy(w, []float64{0, 0.5, -0.9, 0.1, -0.2})
	for i := 1; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j {
				w[i*n+j] = 0.25 // all ties: the smaller j wins
			}
		}
	}
	s := &Similarity{C: 1, N: n, W: w, Counts: []int{1}, Prototypes: make([]int8, n)}
	for i := range s.Prototypes {
		s.Prototypes[i] = 1
	}
	tests := []struct {
		rule  Rule
		k     int
		row0  []int32
		row3  []int32
		nnzPR int
	}{
		{RuleTopAbs, 2, []int32{1, 2}, []int32{0, 1}, 2},
		{RuleTop, 3, []int32{1, 2, 3}, []int32{0, 1, 4}, 3}, // 2 most positive + 1 most negative
		{RuleTop, 1, []int32{1}, []int32{0}, 1},
		{RuleTopAbs, 99, []int32{1, 2, 3, 4}, []int32{0, 1, 2, 4}, 4}, // clipped to N-1
		{RuleFull, 0, []int32{1, 2, 3, 4}, []int32{0, 1, 2, 4}, 4},
	}
	for _, tc := range tests {
		set := DefaultSettings()
		set.Rule, set.K = tc.rule, tc.k
		m, err := Sparsify(s, set)
		if err != nil {
			t.Fatal(err)
		}
		idx, val := m.Nets[0].Row(0)
		if !slices.Equal(idx, tc.row0) {
			t.Errorf("%s k=%d: row 0 keeps %v, want %v", tc.rule, tc.k, idx, tc.row0)
		}
		for k, j := range idx {
			if float64(val[k]) != float64(float32(w[j])) {
				t.Errorf("%s k=%d: weight (0,%d) = %v, want %v", tc.rule, tc.k, j, val[k], w[j])
			}
			if m.Nets[0].Reverse[k] != float32(w[int(j)*n]) {
				t.Errorf("%s k=%d: reverse of (0,%d) = %v, want %v", tc.rule, tc.k, j, m.Nets[0].Reverse[k], w[int(j)*n])
			}
		}
		if idx3, _ := m.Nets[0].Row(3); !slices.Equal(idx3, tc.row3) {
			t.Errorf("%s k=%d: row 3 keeps %v, want %v", tc.rule, tc.k, idx3, tc.row3)
		}
		if m.NNZ() != n*tc.nnzPR {
			t.Errorf("%s k=%d: %d couplings, want %d", tc.rule, tc.k, m.NNZ(), n*tc.nnzPR)
		}
	}
}

func TestSymmetric(t *testing.T) {
	t.Parallel()
	// Stored (0,1)=1 [S(1,0)=3], (1,2)=2 [S(2,1)=4], (2,1)=4 [S(1,2)=2].
	m := CSR{N: 3, Indptr: []int64{0, 1, 2, 3}, Indices: []int32{1, 2, 1}, Data: []float32{1, 2, 4}, Reverse: []float32{3, 4, 2}}
	or := m.Symmetric(SymOr).Dense()
	if want := []float64{0, 2, 0, 2, 0, 3, 0, 3, 0}; !slices.Equal(or, want) {
		t.Errorf("OR = %v, want %v", or, want)
	}
	and := m.Symmetric(SymAnd).Dense()
	if want := []float64{0, 0, 0, 0, 0, 3, 0, 3, 0}; !slices.Equal(and, want) {
		t.Errorf("AND = %v, want %v", and, want)
	}
	// Exact: (M_ij·S_ij + M_ji·S_ji)/2: (0,1) only one way: 1/2; (1,2)
	// both ways: (2+4)/2.
	ex := m.Symmetric(SymExact).Dense()
	if want := []float64{0, 0.5, 0, 0.5, 0, 3, 0, 3, 0}; !slices.Equal(ex, want) {
		t.Errorf("exact = %v, want %v", ex, want)
	}
	// Its energy −Σ_ij w_ij x_i x_j is eq (11)'s for every state.
	for s := 0; s < 8; s++ {
		x := []float64{float64(1 - 2*(s&1)), float64(1 - 2*(s>>1&1)), float64(1 - 2*(s>>2&1))}
		var e11, es float64
		for i := 0; i < 3; i++ {
			idx, val := m.Row(i)
			for k, j := range idx {
				e11 -= float64(val[k]) * x[i] * x[j]
			}
			for j := 0; j < 3; j++ {
				es -= ex[i*3+j] * x[i] * x[j]
			}
		}
		if e11 != es {
			t.Errorf("state %v: eq (11) %g, exact symmetrisation %g", x, e11, es)
		}
	}
	// Without Reverse, a one-way coupling keeps its own value.
	m.Reverse = nil
	if or := m.Symmetric(SymOr).Dense(); or[1] != 1 || or[3] != 1 || or[5] != 3 {
		t.Errorf("OR without reverse = %v", or)
	}
}

// TestClassifierMatchesEnergy checks the fast scorer (sparse and dense
// paths) against the reference eq (11).
func TestClassifierMatchesEnergy(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	n := 300
	x, y := randomSpins(rng, n, 400, 4)
	s, _ := Hebbian(context.Background(), x, y)
	for _, tc := range []struct {
		rule Rule
		k    int
	}{{RuleTopAbs, 7}, {RuleTop, 40}, {RuleFull, 0}} { // full uses the dense path
		set := DefaultSettings()
		set.Rule, set.K = tc.rule, tc.k
		s2, _ := Normalize(s, set)
		m, _ := Sparsify(s2, set)
		cl := m.Classifier()
		if tc.rule == RuleFull && cl.nets[0].dense == nil {
			t.Fatal("full network not scored densely")
		}
		var e []float64
		for k := 0; k < 20; k++ {
			xs := x.Sample(k, nil)
			e = cl.Energies(xs, e)
			for c := range e {
				if ref := m.Energy(c, xs); math.Abs(e[c]-ref) > 1e-9*(1+math.Abs(ref)) {
					t.Fatalf("%s: E_%d = %v, reference %v", tc.rule, c, e[c], ref)
				}
			}
		}
		pred, _ := cl.Predict(context.Background(), x.Slice(0, 20))
		for k, p := range pred {
			if want := cl.Classify(x.Sample(k, nil)); p != want {
				t.Fatalf("Predict[%d] = %d, Classify = %d", k, p, want)
			}
		}
	}
}

// TestTrainSynthetic trains on two noisy prototypes and expects the
// minimum-energy classifier to separate them.
func TestTrainSynthetic(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	n := 64
	protos := [3][]int8{}
	for c := range protos {
		protos[c] = make([]int8, n)
		for i := range protos[c] {
			protos[c][i] = int8(2*rng.IntN(2) - 1)
		}
	}
	draw := func(count int) (Spins, dataset.Labels) {
		xs := make([][]int8, count)
		y := make(dataset.Labels, count)
		for k := range xs {
			c := k % 3
			y[k] = uint8(c)
			xs[k] = slices.Clone(protos[c])
			for i := range xs[k] {
				if rng.Float64() < 0.15 { // 15 % pixel flips
					xs[k][i] = -xs[k][i]
				}
			}
		}
		x, _ := NewSpins(xs)
		return x, y
	}
	xtr, ytr := draw(300)
	xte, yte := draw(300)
	set := DefaultSettings()
	set.K = 16
	m, err := Train(context.Background(), xtr, ytr, set)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := m.Classifier().Evaluate(context.Background(), xte, yte)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Accuracy() < 0.95 {
		t.Errorf("accuracy %.3f on well-separated prototypes, want >= 0.95", sc.Accuracy())
	}
	for c := range protos {
		if !slices.Equal(m.Prototype(c), protos[c]) {
			t.Errorf("prototype %d differs from the generating pattern", c)
		}
	}
}

func TestSettingsValidate(t *testing.T) {
	t.Parallel()
	if err := DefaultSettings().Validate(); err != nil {
		t.Fatal(err)
	}
	bad := Settings{Threshold: 1, Norm: "dim3", ClassOp: "max", PixelOp: OpL2, Scope: "diag", Eps: -1, Rule: RuleTop, K: 0, Accumulate: "median"}
	err := bad.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"threshold", "norm", "class_op", "scope", "eps", "k must be >= 1", "accumulate"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestBinarize(t *testing.T) {
	t.Parallel()
	im := dataset.Images{N: 2, Rows: 1, Cols: 3, Pix: []uint8{0, 127, 128, 255, 64, 200}}
	x, err := Binarize(im, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if got := x.Sample(0, nil); !slices.Equal(got, []int8{-1, -1, 1}) {
		t.Errorf("sample 0 = %v (127 is background, 128 ink at threshold 0.5)", got)
	}
	if got := x.Sample(1, nil); !slices.Equal(got, []int8{1, -1, 1}) {
		t.Errorf("sample 1 = %v", got)
	}
	if _, err := Binarize(im, 1); err == nil {
		t.Error("threshold 1 accepted")
	}
}
