/*
 * ceiling.c: what two cores of this machine give together, without the
 * engine: run one copy alone and two at once on different CPUs (taskset)
 * and compare each copy's rate (docs/performance.md, "Two workers", fifth
 * session). Two copies at their single-copy rate mean the cores share
 * neither execution units nor the memory path that loop uses.
 *
 *     gcc -O2 -march=native -pthread -o ceiling bench/peers/csrc/ceiling.c
 *     ./ceiling compute SECONDS       vector multiply-adds in registers
 *     ./ceiling stream KB SECONDS     read-modify-write sweeps over KB kilobytes
 *     ./ceiling pingpong ROUNDS       one cache line bounced between CPUs 0 and 1
 *
 * e.g. taskset -c 0 ./ceiling stream 1536 2 & taskset -c 1 ./ceiling stream 1536 2; wait
 * (1.5 MB: about one oscnet784 step's data at B = 64; 262144 KB: memory).
 * pingpong prints the round trip of a line written alternately by two
 * threads pinned to CPUs 0 and 1: twice what one transfer of a line between
 * the cores costs.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + 1e-9 * t.tv_nsec;
}

static void pin(int cpu) {
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	sched_setaffinity(0, sizeof s, &s);
}

/* compute: 8 independent chains of 16-lane multiply-adds (the compiler
 * vectorises the inner loop at -march=native). */
static void compute(double secs) {
	float a[8][16];
	for (int k = 0; k < 8; k++)
		for (int l = 0; l < 16; l++)
			a[k][l] = 1.0f + 1e-3f * (k + l);
	long n = 0;
	double t0 = now();
	while (now() - t0 < secs) {
		for (int r = 0; r < 1000000; r++)
			for (int k = 0; k < 8; k++)
				for (int l = 0; l < 16; l++)
					a[k][l] = a[k][l] * 0.999999f + 1e-6f;
		n += 1000000;
	}
	double t = now() - t0;
	float s = 0;
	for (int k = 0; k < 8; k++)
		for (int l = 0; l < 16; l++)
			s += a[k][l];
	printf("compute: %.3g 16-lane multiply-adds/s (check %g)\n", n * 8 / t, s);
}

/* stream: sweeps that read every float and write one per cache line. */
static void stream(long kb, double secs) {
	long n = kb * 1024 / 4;
	float *x = aligned_alloc(64, n * 4);
	for (long i = 0; i < n; i++)
		x[i] = 1e-3f * (i & 1023);
	float s[16] = {0};
	long sweeps = 0;
	double t0 = now();
	while (now() - t0 < secs) {
		for (int r = 0; r < 10; r++, sweeps++)
			for (long i = 0; i < n; i += 16) {
				for (int l = 0; l < 16; l++)
					s[l] += x[i + l];
				x[i] += 1e-9f;
			}
	}
	double t = now() - t0, c = 0;
	for (int l = 0; l < 16; l++)
		c += s[l];
	printf("stream %ld KB: %.3g GB/s (check %g)\n", kb, sweeps * (double)n * 4 / t / 1e9, c);
	free(x);
}

static _Atomic long flag __attribute__((aligned(64)));
static long rounds;

static void *pong(void *arg) {
	(void)arg;
	pin(1);
	for (long i = 0; i < rounds; i++) {
		while (atomic_load_explicit(&flag, memory_order_acquire) != 2 * i + 1)
			;
		atomic_store_explicit(&flag, 2 * i + 2, memory_order_release);
	}
	return 0;
}

static void pingpong(long n) {
	rounds = n;
	pin(0);
	pthread_t th;
	pthread_create(&th, 0, pong, 0);
	double t0 = now();
	for (long i = 0; i < n; i++) {
		atomic_store_explicit(&flag, 2 * i + 1, memory_order_release);
		while (atomic_load_explicit(&flag, memory_order_acquire) != 2 * i + 2)
			;
	}
	double t = now() - t0;
	pthread_join(th, 0);
	printf("pingpong: %.1f ns a round trip\n", t / n * 1e9);
}

int main(int argc, char **argv) {
	if (argc >= 3 && !strcmp(argv[1], "compute")) {
		compute(atof(argv[2]));
	} else if (argc >= 4 && !strcmp(argv[1], "stream")) {
		stream(atol(argv[2]), atof(argv[3]));
	} else if (argc >= 3 && !strcmp(argv[1], "pingpong")) {
		pingpong(atol(argv[2]));
	} else {
		fprintf(stderr, "usage: ceiling compute SECONDS | stream KB SECONDS | pingpong ROUNDS\n");
		return 2;
	}
	return 0;
}
