/*
 * spmm.c: the sparse product alone, in C, the floor a hand-written
 * simulator's step cannot go below: Y = K·X for the chip's coupling matrix
 * K (CSR, float32, as exported by go run ./bench/peers) and a dense N×2B
 * block X (sin φ ‖ cos φ of B inputs, the batch inner, oscsim's layout),
 * each row's products summed in CSR order. No sine, no noise, no update.
 *
 * go run ./bench/peers compiles it with gcc -O3 -march=native and runs
 *
 *     spmm DIR BATCH STEPS REPEAT
 *
 * which prints two JSON lines, the plain loop (spmm) and the register-blocked
 * one (spmmW, "fixed": true; for B = 1, 16, 64): coupling-updates per second
 * of wall clock and per CPU-second (one product = nnz·B coupling-updates),
 * best of REPEAT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void *slurp(const char *dir, const char *name, long *size) {
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	*size = ftell(f);
	fseek(f, 0, SEEK_SET);
	void *p = malloc(*size);
	if (fread(p, 1, *size, f) != (size_t)*size) {
		perror(path);
		exit(1);
	}
	fclose(f);
	return p;
}

static double now(clockid_t c) {
	struct timespec t;
	clock_gettime(c, &t);
	return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* spmm sets Y = K·X for X, Y of n rows of w values. */
static void spmm(int n, int w, const int *restrict rowptr, const int *restrict col, const float *restrict val,
                 const float *restrict X, float *restrict Y) {
	for (int i = 0; i < n; i++) {
		float *restrict y = Y + (size_t)i * w;
		for (int b = 0; b < w; b++)
			y[b] = 0;
		for (int x = rowptr[i]; x < rowptr[i + 1]; x++) {
			const float v = val[x];
			const float *restrict s = X + (size_t)col[x] * w;
			for (int b = 0; b < w; b++)
				y[b] += v * s[b];
		}
	}
}

/* spmmW is spmm with the block's width a compile-time constant and each
 * row's sums in a local array, which gcc keeps in vector registers: the
 * register-blocked product a careful C programmer would write. */
#define SPMMW(W)                                                                                              \
	static void spmm##W(int n, const int *restrict rowptr, const int *restrict col, const float *restrict val, \
	                    const float *restrict X, float *restrict Y) {                                         \
		for (int i = 0; i < n; i++) {                                                                         \
			float acc[W] = {0};                                                                               \
			for (int x = rowptr[i]; x < rowptr[i + 1]; x++) {                                                 \
				const float v = val[x];                                                                       \
				const float *restrict s = X + (size_t)col[x] * W;                                             \
				for (int b = 0; b < W; b++)                                                                   \
					acc[b] += v * s[b];                                                                       \
			}                                                                                                 \
			memcpy(Y + (size_t)i * W, acc, sizeof acc);                                                       \
		}                                                                                                     \
	}
SPMMW(2)
SPMMW(32)
SPMMW(128)

/* product runs the fixed-width version for w when there is one. */
static void product(int fixed, int n, int w, const int *rowptr, const int *col, const float *val, const float *X, float *Y) {
	if (fixed && w == 2)
		spmm2(n, rowptr, col, val, X, Y);
	else if (fixed && w == 32)
		spmm32(n, rowptr, col, val, X, Y);
	else if (fixed && w == 128)
		spmm128(n, rowptr, col, val, X, Y);
	else
		spmm(n, w, rowptr, col, val, X, Y);
}

int main(int argc, char **argv) {
	if (argc != 5) {
		fprintf(stderr, "usage: spmm DIR BATCH STEPS REPEAT\n");
		return 2;
	}
	const char *dir = argv[1];
	int B = atoi(argv[2]), steps = atoi(argv[3]), repeat = atoi(argv[4]);
	long sr, sc, sk;
	int *rowptr = slurp(dir, "rowptr.i32", &sr);
	int *col = slurp(dir, "col.i32", &sc);
	double *k = slurp(dir, "k.f64", &sk);
	int n = (int)(sr / 4) - 1, nnz = (int)(sc / 4), w = 2 * B;
	float *val = malloc(sizeof(float) * nnz);
	for (int x = 0; x < nnz; x++)
		val[x] = (float)k[x];
	float *X = aligned_alloc(64, sizeof(float) * ((size_t)n * w + 16));
	float *Y = aligned_alloc(64, sizeof(float) * ((size_t)n * w + 16));
	unsigned s = 1;
	for (size_t i = 0; i < (size_t)n * w; i++) {
		s = s * 1664525u + 1013904223u;
		X[i] = (float)(s >> 8) / (float)(1 << 24) * 2 - 1;
	}
	for (int fixed = 0; fixed < 2; fixed++) {
		double best = 0, bestCPU = 0, sum = 0;
		for (int r = 0; r < repeat; r++) {
			product(fixed, n, w, rowptr, col, val, X, Y); /* warm up */
			double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
			for (int t = 0; t < steps; t++) {
				product(fixed, n, w, rowptr, col, val, X, Y);
				sum += Y[(size_t)(t % n) * w];
			}
			double dt = now(CLOCK_MONOTONIC) - t0, dc = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
			double upd = (double)nnz * B * steps;
			if (upd / dt > best)
				best = upd / dt;
			if (upd / dc > bestCPU)
				bestCPU = upd / dc;
		}
		printf("{\"batch\": %d, \"dtype\": \"float32\", \"fixed\": %s, \"steps\": %d, \"updates_per_s\": %g, \"updates_per_cpu_s\": %g, \"checksum\": %g}\n",
		       B, fixed ? "true" : "false", steps, best, bestCPU, sum);
	}
	return 0;
}
