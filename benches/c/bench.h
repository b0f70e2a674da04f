/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Timing for the C lookup benchmarks (scripts/bench-c.sh): each sample times one pass
 * over a benchmark's queries; a benchmark prints the median time per query and the
 * median absolute deviation of the samples, in nanoseconds.
 */
#ifndef CCATTR_BENCH_H
#define CCATTR_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BENCH_SAMPLES 101

/* The first part of every benchmark's name: "c", or the build's flavour (bench-c.sh). */
#ifndef BENCH_PREFIX
#define BENCH_PREFIX "c"
#endif

/* Keeps a result alive without letting the compiler see through it. */
static volatile uint64_t bench_sink;

/*
 * Integers only, no floating point: the benchmarks build with the kernel's
 * -mgeneral-regs-only as well as without (scripts/bench-c.sh), and the timing must not
 * be what changes.
 */
static uint64_t bench_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int bench_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static uint64_t bench_median(uint64_t *v, int n)
{
	qsort(v, n, sizeof(v[0]), bench_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Picoseconds per query: the median and the median absolute deviation, in ns. */
static void bench_report(const char *name, uint64_t *per_query_ps)
{
	uint64_t dev[BENCH_SAMPLES];
	uint64_t median = bench_median(per_query_ps, BENCH_SAMPLES), mad;
	int i;

	for (i = 0; i < BENCH_SAMPLES; i++)
		dev[i] = per_query_ps[i] > median ? per_query_ps[i] - median : median - per_query_ps[i];
	mad = bench_median(dev, BENCH_SAMPLES);
	printf("%s median_ns=%llu.%03llu mad_ns=%llu.%03llu\n", name,
	       (unsigned long long)(median / 1000), (unsigned long long)(median % 1000),
	       (unsigned long long)(mad / 1000), (unsigned long long)(mad % 1000));
}

/*
 * BENCH(name, n, expr): evaluate expr for q = queries[0..n), summing it, once to warm
 * up and then BENCH_SAMPLES times, and report the time per query.
 */
#define BENCH(name, queries, n, expr)                                          \
	do {                                                                   \
		uint64_t per_query_[BENCH_SAMPLES];                            \
		int s_;                                                        \
		for (s_ = -1; s_ < BENCH_SAMPLES; s_++) {                      \
			uint64_t sum_ = 0;                                     \
			uint64_t t0_ = bench_now_ns();                         \
			size_t i_;                                             \
			for (i_ = 0; i_ < (n); i_++) {                         \
				const uint64_t q = (queries)[i_];              \
				sum_ += (uint64_t)(expr);                      \
			}                                                      \
			bench_sink = sum_;                                     \
			if (s_ >= 0)                                           \
				per_query_[s_] = (bench_now_ns() - t0_) * 1000 / (n); \
		}                                                              \
		bench_report(name, per_query_);                                \
	} while (0)

#endif /* CCATTR_BENCH_H */
