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

/* Keeps a result alive without letting the compiler see through it. */
static volatile uint64_t bench_sink;

static double bench_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double bench_median(double *v, int n)
{
	qsort(v, n, sizeof(v[0]), bench_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void bench_report(const char *name, double *per_query)
{
	double dev[BENCH_SAMPLES];
	double median = bench_median(per_query, BENCH_SAMPLES);
	int i;

	for (i = 0; i < BENCH_SAMPLES; i++)
		dev[i] = per_query[i] > median ? per_query[i] - median : median - per_query[i];
	printf("%s median_ns=%.3f mad_ns=%.3f\n", name, median, bench_median(dev, BENCH_SAMPLES));
}

/*
 * BENCH(name, n, expr): evaluate expr for q = queries[0..n), summing it, once to warm
 * up and then BENCH_SAMPLES times, and report the time per query.
 */
#define BENCH(name, queries, n, expr)                                          \
	do {                                                                   \
		double per_query_[BENCH_SAMPLES];                              \
		int s_;                                                        \
		for (s_ = -1; s_ < BENCH_SAMPLES; s_++) {                      \
			uint64_t sum_ = 0;                                     \
			double t0_ = bench_now_ns();                           \
			size_t i_;                                             \
			for (i_ = 0; i_ < (n); i_++) {                         \
				const uint64_t q = (queries)[i_];              \
				sum_ += (uint64_t)(expr);                      \
			}                                                      \
			bench_sink = sum_;                                     \
			if (s_ >= 0)                                           \
				per_query_[s_] = (bench_now_ns() - t0_) / (double)(n); \
		}                                                              \
		bench_report(name, per_query_);                                \
	} while (0)

#endif /* CCATTR_BENCH_H */
