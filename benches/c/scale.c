// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The generated C of a scale spec (many devices) against a linear scan over its rules.
 * Built by scripts/bench-c.sh with gcc -O2 and
 *   -DSPEC=scale_N -DSPEC_HEADER='"scale_N.h"' -DBENCH_DATA='"scale_N_bench.h"'
 * where BENCH_DATA (from ccattr-bench-gen) holds the queries, the attribute set and
 * the rules as a flat list.
 */
#include <stdbool.h>
#include <stdint.h>

#include SPEC_HEADER
#include BENCH_DATA
#include "bench.h"

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define DECIDE CAT(SPEC, _decide)
#define IS_PRIVATE_MMIO CAT(SPEC, _is_private_mmio)
#define PAGE_SIZE 0x1000ULL
#define NR_QUERIES (sizeof(bench_queries) / sizeof(bench_queries[0]))
#define NR_LINEAR_QUERIES 256
#define ENCRYPTED 1

/* The deepest entry that holds decides, the first of them in source order. */
static int linear_decide_byte(u64 attrs, u64 addr)
{
	size_t i;
	long best = -1;
	int map = 0;

	for (i = 0; i < sizeof(linear_entries) / sizeof(linear_entries[0]); i++) {
		const struct linear_entry *e = &linear_entries[i];

		if (e->start <= addr && addr <= e->last && (attrs & e->mask) == e->value &&
		    (long)e->depth > best) {
			best = e->depth;
			map = e->map;
		}
	}
	if (best >= 0)
		return map;
	for (i = 0; i < sizeof(linear_defaults) / sizeof(linear_defaults[0]); i++)
		if ((attrs & linear_defaults[i].mask) == linear_defaults[i].value)
			return linear_defaults[i].map;
	return 0;
}

static volatile u64 boot_attrs = BENCH_ATTRS;
static u64 pages[NR_QUERIES];

int main(void)
{
	u64 attrs = boot_attrs;
	size_t i;

	for (i = 0; i < NR_QUERIES; i++)
		pages[i] = bench_queries[i] & ~(PAGE_SIZE - 1);
	for (i = 0; i < NR_LINEAR_QUERIES; i++) {
		u64 q = bench_queries[i];

		if (IS_PRIVATE_MMIO(attrs, q) != (linear_decide_byte(attrs, q) == ENCRYPTED) ||
		    (int)DECIDE(attrs, q, 1) != linear_decide_byte(attrs, q)) {
			fprintf(stderr, "generated and linear scan disagree at %#llx\n",
				(unsigned long long)q);
			return 1;
		}
	}

	BENCH(BENCH_PREFIX "/" BENCH_NAME "/is_private_mmio/generated", bench_queries, NR_QUERIES,
	      IS_PRIVATE_MMIO(attrs, q));
	BENCH(BENCH_PREFIX "/" BENCH_NAME "/decide/generated", pages, NR_QUERIES,
	      DECIDE(attrs, q, PAGE_SIZE));
	BENCH(BENCH_PREFIX "/" BENCH_NAME "/is_private_mmio/linear-scan", bench_queries, NR_LINEAR_QUERIES,
	      linear_decide_byte(attrs, q) == ENCRYPTED);
	return 0;
}
