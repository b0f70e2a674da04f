// SPDX-License-Identifier: GPL-2.0
/*
 * A module that asks the generated policy how Hyper-V vTOM guests map the IO-APIC
 * and vTPM pages, the decision hv_is_private_mmio() hard-codes.
 */
#include <linux/module.h>
#include <linux/printk.h>

#include "hyperv_vtom.h"

static int __init vtom_demo_init(void)
{
	u64 attrs = HYPERV_VTOM_PLATFORM_HYPERV_VTOM_PARAVISOR;

	pr_info("vtom_demo: ioapic private=%d vtpm private=%d tpm locality 1 private=%d\n",
		hyperv_vtom_is_private_mmio(attrs, 0xFEC00000),
		hyperv_vtom_is_private_mmio(attrs, 0xFED40000),
		hyperv_vtom_is_private_mmio(attrs, 0xFED41000));
	return 0;
}

static void __exit vtom_demo_exit(void)
{
}

module_init(vtom_demo_init);
module_exit(vtom_demo_exit);
MODULE_DESCRIPTION("ccattr example: the generated vTOM MMIO policy");
MODULE_LICENSE("GPL");
