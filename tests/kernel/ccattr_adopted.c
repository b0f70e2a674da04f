// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Built against a kernel tree that has adopted a spec as the source of its enum
 * cc_attr (docs/kernel.md, "Adopting the header in a kernel tree"): the tree's
 * <linux/cc_platform.h> defines CC_ATTRS_DEFINES_CC_ATTR and includes
 * <linux/cc_attrs.h>, generated from include/linux/cc_attrs.ccattr.
 *
 * The generated header comes first, before any kernel header, to show that it defines
 * the enum whichever header is included first; then the header of another spec, which
 * learns from it what the kernel's enum has.
 */

#include <linux/cc_attrs.h>

#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

#include "hyperv_vtom.h"

#ifndef CCATTR_KERNEL_ENUM_SPEC
#error "<linux/cc_attrs.h> does not describe the kernel's enum cc_attr"
#endif

/* The kernel's enum is the spec's: its values are the table bits. */
static_assert((int)CC_ATTR_MEM_ENCRYPT == (int)CC_ATTRS_BIT_MEM_ENCRYPT);
static_assert((int)CC_ATTR_HOTPLUG_DISABLED == (int)CC_ATTRS_BIT_HOTPLUG_DISABLED);
static_assert(CC_ATTRS_NR_ATTRS == 7);

static int __init ccattr_adopted_init(void)
{
	u64 attrs = cc_attrs_attrs_close(1ULL << CC_ATTR_GUEST_SEV_SNP);

	pr_info("SEV-SNP guest: %llx, the IO-APIC %s, here %d\n", attrs,
		cc_attrs_is_private_mmio(attrs, 0xfec00000) ? "private" : "shared",
		hyperv_vtom_kernel_is_private_mmio(0xfec00000));
	return 0;
}
module_init(ccattr_adopted_init);

MODULE_DESCRIPTION("ccattr: a kernel tree whose enum cc_attr comes from a spec");
MODULE_LICENSE("Dual MIT/GPL");
