// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The generated C of examples/hyperv_vtom.ccattr against the kernel's hand-written
 * hv_is_private_mmio() (arch/x86/hyperv/ivm.c, v6.4) and the decision that
 * __ioremap_check_other() draws from it. Built by scripts/bench-c.sh with gcc -O2.
 *
 * "inline": the lookup is inlined into the loop over the queries. "callback": it is
 * called through a function pointer with the attribute set bound, as the kernel calls
 * x86_platform.hyper.is_private_mmio().
 */
#include <stdbool.h>
#include <stdint.h>

#include "hyperv_vtom.h"
#include "vtom_bench.h"
#include "bench.h"

#define HV_IOAPIC_BASE_ADDRESS 0xfec00000ULL
#define VTPM_BASE_ADDRESS 0xfed40000ULL
#define PAGE_SIZE 0x1000ULL
#define NR_QUERIES (sizeof(vtom_queries) / sizeof(vtom_queries[0]))

static bool hv_is_private_mmio(u64 addr)
{
	/* Trusted Platform Module (TPM) and IO-APIC in the trusted hardware */
	if (addr >= HV_IOAPIC_BASE_ADDRESS && addr < (HV_IOAPIC_BASE_ADDRESS + PAGE_SIZE))
		return true;

	/* Same with a vTPM */
	if (addr >= VTPM_BASE_ADDRESS && addr < (VTPM_BASE_ADDRESS + PAGE_SIZE))
		return true;

	return false;
}

/* The attribute set, bound at boot: read at run time, never a constant. */
static u64 bound_attrs;
static volatile u64 boot_attrs = HYPERV_VTOM_PLATFORM_HYPERV_VTOM_PARAVISOR;

/* What __ioremap_check_other() decides with the hand-written callback. */
static enum hyperv_vtom_map hv_ioremap_decide(u64 attrs, u64 addr, u64 size)
{
	if (!size || addr + (size - 1) < addr)
		return HYPERV_VTOM_MAP_INVALID;
	if (!(attrs & (1ULL << HYPERV_VTOM_BIT_GUEST_MEM_ENCRYPT)))
		return HYPERV_VTOM_MAP_UNSPECIFIED;
	return hv_is_private_mmio(addr) ? HYPERV_VTOM_MAP_ENCRYPTED : HYPERV_VTOM_MAP_DECRYPTED;
}

static bool generated_private(u64 addr)
{
	return hyperv_vtom_is_private_mmio(bound_attrs, addr);
}

static int hand_written_decide(u64 addr)
{
	return hv_ioremap_decide(bound_attrs, addr, PAGE_SIZE);
}

static int generated_decide(u64 addr)
{
	return hyperv_vtom_decide(bound_attrs, addr, PAGE_SIZE);
}

static bool (*volatile private_hand)(u64) = hv_is_private_mmio;
static bool (*volatile private_generated)(u64) = generated_private;
static int (*volatile decide_hand)(u64) = hand_written_decide;
static int (*volatile decide_generated)(u64) = generated_decide;

static u64 pages[NR_QUERIES];

int main(void)
{
	bool (*ph)(u64) = private_hand, (*pg)(u64) = private_generated;
	int (*dh)(u64) = decide_hand, (*dg)(u64) = decide_generated;
	u64 attrs;
	size_t i;

	bound_attrs = boot_attrs;
	attrs = bound_attrs;
	for (i = 0; i < NR_QUERIES; i++) {
		u64 q = vtom_queries[i];

		pages[i] = q & ~(PAGE_SIZE - 1);
		if (hv_is_private_mmio(q) != hyperv_vtom_is_private_mmio(attrs, q) ||
		    hv_ioremap_decide(attrs, pages[i], PAGE_SIZE) !=
			    hyperv_vtom_decide(attrs, pages[i], PAGE_SIZE)) {
			fprintf(stderr, "vtom: generated and hand-written disagree at %#llx\n",
				(unsigned long long)q);
			return 1;
		}
	}

	BENCH(BENCH_PREFIX "/vtom/is_private_mmio/hand-written/inline", vtom_queries, NR_QUERIES,
	      hv_is_private_mmio(q));
	BENCH(BENCH_PREFIX "/vtom/is_private_mmio/generated/inline", vtom_queries, NR_QUERIES,
	      hyperv_vtom_is_private_mmio(attrs, q));
	BENCH(BENCH_PREFIX "/vtom/is_private_mmio/hand-written/callback", vtom_queries, NR_QUERIES, ph(q));
	BENCH(BENCH_PREFIX "/vtom/is_private_mmio/generated/callback", vtom_queries, NR_QUERIES, pg(q));
	BENCH(BENCH_PREFIX "/vtom/decide/hand-written/inline", pages, NR_QUERIES,
	      hv_ioremap_decide(attrs, q, PAGE_SIZE));
	BENCH(BENCH_PREFIX "/vtom/decide/generated/inline", pages, NR_QUERIES,
	      hyperv_vtom_decide(attrs, q, PAGE_SIZE));
	BENCH(BENCH_PREFIX "/vtom/decide/hand-written/callback", pages, NR_QUERIES, dh(q));
	BENCH(BENCH_PREFIX "/vtom/decide/generated/callback", pages, NR_QUERIES, dg(q));
	return 0;
}
