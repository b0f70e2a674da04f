// Print how each Hyper-V vTOM platform maps a few MMIO pages, from the header that
// ccattr generates from examples/hyperv_vtom.ccattr.
#include <stdio.h>

#include "hyperv_vtom.h"

static const char *decision(enum hyperv_vtom_map m)
{
	switch (m) {
	case HYPERV_VTOM_MAP_UNSPECIFIED:
		return "unspecified";
	case HYPERV_VTOM_MAP_ENCRYPTED:
		return "encrypted";
	case HYPERV_VTOM_MAP_DECRYPTED:
		return "decrypted";
	case HYPERV_VTOM_MAP_MIXED:
		return "mixed";
	case HYPERV_VTOM_MAP_INVALID:
		return "invalid";
	}
	return "?";
}

int main(void)
{
	static const struct {
		const char *name;
		u64 attrs;
	} platforms[] = {
		{ "hyperv_vtom_paravisor", HYPERV_VTOM_PLATFORM_HYPERV_VTOM_PARAVISOR },
		{ "hyperv_snp_enlightened", HYPERV_VTOM_PLATFORM_HYPERV_SNP_ENLIGHTENED },
		{ "bare_metal", HYPERV_VTOM_PLATFORM_BARE_METAL },
	};
	static const struct {
		const char *name;
		u64 addr;
	} pages[] = {
		{ "ioapic", 0xFEC00000 },
		{ "vtpm", 0xFED40000 },
		{ "tpm_locality_1", 0xFED41000 },
		{ "ram", 0x1000 },
	};

	for (size_t p = 0; p < sizeof(platforms) / sizeof(platforms[0]); p++)
		for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
			printf("%s %s %#llx: %s\n", platforms[p].name, pages[i].name,
			       (unsigned long long)pages[i].addr,
			       decision(hyperv_vtom_decide(platforms[p].attrs, pages[i].addr, 1)));
	return 0;
}
