// Package learn holds the trainers that produce oscillator-network
// weights. It currently implements OscNet v1.5 (Cai, Li, Wang, Wang, Lee,
// "OscNet v1.5: Energy Efficient Hopfield Network on CMOS Oscillators",
// ICCV Workshops 2025; arXiv 2506.12610), forward passes only, following
// the method as written in docs/oscnet.md §1.3–§1.14 (the sections cited
// below).
//
// # What it models
//
// A sparse Hopfield classifier: pixels binarised to spins x ∈ {-1,+1}^N
// (Binarize, §1.3); one Hebbian similarity matrix per class, eq (10),
// W^c = (1/n_c) Σ x x^T with zero diagonal (Hebbian, §1.4); normalisation
// along the class axis ("Dim 1") and the pixel axis ("Dim 2") (Normalize,
// §1.5); per-pixel top-k couplings, rules TopABS, Top or fully connected
// (Sparsify, §1.6); and classification by the lowest Hopfield energy,
// eq (11), E_c(x) = -Σ_i Σ_{j∈S_c(i)} S2[c,i,j] x_i x_j (Classifier,
// §1.7). It also keeps the class prototypes p^c = sign(mean x), ties → -1,
// that the pairwise-elimination inference of eq (15) builds its two-pattern
// networks from (§1.10).
//
// It does not model oscillators, coupling hardware, quantisation or noise:
// package chip takes a Model's couplings (CSR per class, CSR.Symmetric for
// a symmetric array) and prototypes and simulates the hardware.
//
// # Choices the paper leaves open ([A] in the spec)
//
// Every one is a field of Settings, saved with the model:
//
//   - Threshold 0.5 on [0,1] (ink iff pixel > 127).
//   - Accumulate: mean (1/n_c, spec default) or raw sum.
//   - Normalisation operator per axis (ClassOp, PixelOp: zscore, center, l2,
//     l1, softmax) and the extent of the pixel axis (Scope: row, col,
//     class). The spec's first guess (SpecSettings: z-score on both axes,
//     per-row Dim 2) gives 55% at TopABS k=56 instead of the paper's
//     86.55%, because the class-axis z-score blows pairs whose similarity
//     barely varies between classes (background pairs) up to ±3.
//     DefaultSettings uses the combination that matched all of Table 2
//     best in a sweep on the full split: L2 division along the class axis,
//     mean subtraction along each column (c, j) for Dim 2 (84.7% at k=56;
//     see DefaultSettings and docs/oscnet.md).
//   - Top rule split: ceil(k/2) most positive + floor(k/2) most negative.
//   - Masks are per class and per row, so a class network is a directed
//     graph; CSR.Symmetric makes the OR (or AND) symmetric version with the
//     average (S2_ij + S2_ji)/2 for oscillator runs (docs/oscnet.md §1.9).
//
// # File layout (.npz, written by Model.Save)
//
// A zip of .npy arrays that numpy.load opens directly:
//
//	meta          uint8 (L,)       UTF-8 JSON: {"format": "oscsim.oscnet", "version": 1,
//	                               "classes": C, "pixels": N, "settings": {...}}
//	indptr        int64 (C*N+1,)   row pointers of all classes stacked: row r = c*N + i
//	indices       int32 (nnz,)     partner pixel j of each coupling, ascending per row
//	data          float32 (nnz,)   S2[c,i,j]
//	data_reverse  float32 (nnz,)   S2[c,j,i] for the same (i, j) (optional)
//	prototypes    int8 (C, N)      ±1 class prototypes (optional)
//	counts        int64 (C,)       training samples per class (optional)
//
// so that, in Python,
//
//	z = np.load("weights.npz"); meta = json.loads(z["meta"].tobytes())
//	C, N = meta["classes"], meta["pixels"]
//	W = scipy.sparse.csr_matrix((z["data"], z["indices"], z["indptr"]),
//	                            shape=(C*N, N)).toarray().reshape(C, N, N)
//
// Load reads that layout, and also weights made elsewhere: an .npz with a
// dense "weights" array of shape (C, N, N) or (N, N) (plus optional
// "prototypes" (C, N)), or a plain .npy holding such an array. Nonzero
// off-diagonal entries become the couplings; shapes, dtypes, NaN/Inf and a
// nonzero diagonal are rejected with the file and array named.
//
// # Speed
//
// With ±1 data, Σ_x x_i x_j = n_c - 2·popcount(b_i XOR b_j) over
// bit-packed pixel columns, so the 60,000 MNIST images train in well under
// a second on two cores, and the classifier scores an image in
// O(|ink|·k) per class. Results never depend on the number of goroutines.
package learn
