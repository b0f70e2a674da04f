// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * A test fixture for `ccattr kernel-check`: a small file in the shape of mainline
 * Linux's arch/x86/coco/core.c (no Hyper-V vendor since v6.4; an AMD vTOM guest
 * answers from a function of its own; attributes kept in flags), written for the
 * test. Not kernel code.
 */

#include <linux/cc_platform.h>

enum cc_vendor cc_vendor __ro_after_init = CC_VENDOR_NONE;

static struct cc_attr_flags {
	__u64 host_sev_snp : 1,
	      __resv : 63;
} cc_flags;

static bool noinstr intel_cc_platform_has(enum cc_attr attr)
{
	switch (attr) {
	case CC_ATTR_GUEST_UNROLL_STRING_IO:
	case CC_ATTR_GUEST_MEM_ENCRYPT:
	case CC_ATTR_MEM_ENCRYPT:
		return true;
	default:
		return false;
	}
}

/* A vTOM guest: memory encryption without the C-bit. */
static __always_inline bool amd_cc_platform_vtom(enum cc_attr attr)
{
	switch (attr) {
	case CC_ATTR_GUEST_MEM_ENCRYPT:
	case CC_ATTR_MEM_ENCRYPT:
		return true;
	default:
		return false;
	}
}

static bool noinstr amd_cc_platform_has(enum cc_attr attr)
{
#ifdef CONFIG_AMD_MEM_ENCRYPT
	if (sev_status & MSR_AMD64_SNP_VTOM)
		return amd_cc_platform_vtom(attr);

	switch (attr) {
	case CC_ATTR_MEM_ENCRYPT:
		return sme_me_mask;
	case CC_ATTR_HOST_MEM_ENCRYPT:
		return sme_me_mask && !(sev_status & MSR_AMD64_SEV_ENABLED);
	case CC_ATTR_GUEST_MEM_ENCRYPT:
		return sev_status & MSR_AMD64_SEV_ENABLED;
	case CC_ATTR_GUEST_STATE_ENCRYPT:
		return sev_status & MSR_AMD64_SEV_ES_ENABLED;
	case CC_ATTR_GUEST_UNROLL_STRING_IO:
		return (sev_status & MSR_AMD64_SEV_ENABLED) &&
			!(sev_status & MSR_AMD64_SEV_ES_ENABLED);
	case CC_ATTR_GUEST_SEV_SNP:
		return sev_status & MSR_AMD64_SEV_SNP_ENABLED;
	case CC_ATTR_GUEST_SNP_SECURE_TSC:
		return sev_status & MSR_AMD64_SNP_SECURE_TSC;
	case CC_ATTR_HOST_SEV_SNP:
		return cc_flags.host_sev_snp;
	case CC_ATTR_SNP_SECURE_AVIC:
		return sev_status & MSR_AMD64_SNP_SECURE_AVIC;
	default:
		return false;
	}
#else
	return false;
#endif
}

bool noinstr cc_platform_has(enum cc_attr attr)
{
	switch (cc_vendor) {
	case CC_VENDOR_AMD:
		return amd_cc_platform_has(attr);
	case CC_VENDOR_INTEL:
		return intel_cc_platform_has(attr);
	default:
		return false;
	}
}
