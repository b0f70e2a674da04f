// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * ccattr's example of a device found at run time: every memory BAR of every PCI
 * function, decided by the pci_bar rules of examples/tdisp.ccattr through the
 * generated tdisp_decide_probed() and mapped as the decision says:
 *
 *	TDISP_MAP_ENCRYPTED	ioremap_encrypted()
 *	TDISP_MAP_DECRYPTED	ioremap()
 *	TDISP_MAP_UNSPECIFIED	ioremap(): no rule decides, so the kernel's own logic
 *				applies, which is what ioremap() does without the table
 *	TDISP_MAP_REFUSED	no mapping: -EPERM
 *	anything else		no mapping: -EINVAL
 *
 * The attributes are the running kernel's: tdisp_attrs_close() of
 * tdisp_kernel_base(), which asks cc_platform_has() about those that Linux 6.1's
 * enum cc_attr has and tdisp_extra_base() about the others.
 * The capabilities are read from the function: MSIX_BAR from its MSI-X capability,
 * TDISP_RUN from pci_dev_tdisp_run().
 *
 * Two parameters try the policy of machines this one is not: platform=NAME takes
 * the full set of a platform of tdisp.ccattr instead of the kernel's, and
 * accepted=1 reports every function as locked and accepted (TDISP RUN), as a TSM
 * would once it has accepted it. tests/kernel.rs loads the module with each.
 *
 * At load time the module prints one line per memory BAR, then a count:
 *
 *	ccattr_tdisp_map: bar SET BASE FULL PCI ID BAR START SIZE CAPS DECISION RESULT
 *	ccattr_tdisp_map: done SET ACCEPTED N
 *
 * SET is "kernel" (BASE is the base set that the kernel reports) or a platform
 * (BASE is "-"); FULL is the full set decided under. PCI is the function's name,
 * ID its vendor and device, BAR the BAR's index, START and SIZE its resource. CAPS
 * is the capability set, DECISION the decision, and RESULT the function that mapped
 * the BAR (each mapping is undone at once) or the negative errno returned. ACCEPTED
 * is the parameter accepted, 0 or 1, and N the number of BARs. Numbers are in hex
 * but RESULT's errno.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/printk.h>
#include <linux/string.h>

#include "ccattr_decision.h"

/*
 * This kernel's enum cc_attr, checked member for member: it tells tdisp.h which of
 * its attributes cc_platform_has() can answer.
 */
#define LINUX_6_1_MIRRORS_CC_ATTR
#include "linux_6_1.h"

/**
 * tdisp_extra_base() - The base attributes of tdisp.ccattr that the kernel lacks
 *
 * Description: Linux 6.1's enum cc_attr has neither CC_ATTR_GUEST_TDISP nor
 * CC_ATTR_GUEST_PRIVATE_MMIO_REQUIRED, so tdisp_kernel_base() cannot ask
 * cc_platform_has() about them: they come from here (TDISP_EXTRA_BASE). In a
 * kernel with the PCI TSM core (v6.19), this would report CC_ATTR_GUEST_TDISP when
 * the guest has a TSM driver that can lock and accept functions (TDX Connect,
 * SEV-TIO), and CC_ATTR_GUEST_PRIVATE_MMIO_REQUIRED when the platform's code
 * requires private device MMIO (the IORES_MUST_ENCRYPT proposal). 6.1 has
 * neither, so this reports nothing.
 *
 * Context: Any context.
 * Return: the attributes, as bits of &enum tdisp_bit.
 */
static u64 tdisp_extra_base(void)
{
	return 0;
}

#define TDISP_EXTRA_BASE tdisp_extra_base()
#include "tdisp.h"

static char *platform;
module_param(platform, charp, 0444);
MODULE_PARM_DESC(platform, "decide under this platform of tdisp.ccattr, not the kernel's set");

static bool accepted;
module_param(accepted, bool, 0444);
MODULE_PARM_DESC(accepted, "report every function as locked and accepted (TDISP RUN)");

static const struct {
	const char *name;
	u64 attrs;
} platforms[] = {
	{ "tdx_guest", TDISP_PLATFORM_TDX_GUEST },
	{ "tdx_connect_guest", TDISP_PLATFORM_TDX_CONNECT_GUEST },
	{ "sev_snp_guest", TDISP_PLATFORM_SEV_SNP_GUEST },
	{ "sev_tio_guest", TDISP_PLATFORM_SEV_TIO_GUEST },
	{ "bare_metal", TDISP_PLATFORM_BARE_METAL },
};

/**
 * pci_dev_tdisp_run() - Whether a function is locked and accepted by the guest
 * @pdev: the PCI function
 *
 * Linux 6.1 has no TDISP state, so no function is ever in TDISP RUN here. From
 * v6.19 the PCI TSM core (drivers/pci/tsm.c, include/linux/pci-tsm.h) connects,
 * locks and binds functions through the TSM driver; the IORES_MUST_ENCRYPT
 * proposal (v2) adds device_cc_accepted(), which answers this question for
 * &pdev->dev, and is what this function would return.
 *
 * Context: Any context.
 * Return: true when @pdev is in TDISP RUN state (or accepted=1 says it is).
 */
static bool pci_dev_tdisp_run(struct pci_dev *pdev)
{
	(void)pdev;
	return accepted;
}

/**
 * pci_bar_holds_msix() - Whether a BAR holds the MSI-X table or PBA
 * @pdev: the PCI function
 * @bar: the BAR's index
 *
 * Reads the table and PBA BAR indicators (BIR) of the function's MSI-X capability.
 *
 * Context: Process context (config space reads may sleep).
 * Return: true when @bar holds the MSI-X table or the PBA of @pdev.
 */
static bool pci_bar_holds_msix(struct pci_dev *pdev, unsigned int bar)
{
	u8 msix = pci_find_capability(pdev, PCI_CAP_ID_MSIX);
	u32 table, pba;

	if (!msix)
		return false;
	pci_read_config_dword(pdev, msix + PCI_MSIX_TABLE, &table);
	pci_read_config_dword(pdev, msix + PCI_MSIX_PBA, &pba);
	return (table & PCI_MSIX_TABLE_BIR) == bar || (pba & PCI_MSIX_PBA_BIR) == bar;
}

/**
 * pci_bar_caps() - The capabilities of tdisp.ccattr that a BAR has
 * @pdev: the PCI function
 * @bar: the BAR's index
 *
 * Context: Process context.
 * Return: an OR of TDISP_CAP_ bits, as tdisp_decide_probed() takes it.
 */
static u32 pci_bar_caps(struct pci_dev *pdev, unsigned int bar)
{
	u32 caps = 0;

	if (pci_dev_tdisp_run(pdev))
		caps |= TDISP_CAP_TDISP_RUN;
	if (pci_bar_holds_msix(pdev, bar))
		caps |= TDISP_CAP_MSIX_BAR;
	return caps;
}

/**
 * tdisp_ioremap() - Map a resource as a decision of tdisp.ccattr says
 * @start: the resource's first byte
 * @len: its size
 * @map: the decision, from tdisp_decide_probed()
 * @mapper: set to the name of the function that mapped it, on success
 *
 * Context: Process context.
 * Return: the mapping; IOMEM_ERR_PTR(-EPERM) when the policy refuses it,
 * IOMEM_ERR_PTR(-EINVAL) when @map is not a decision to map by (a probed device
 * is never %TDISP_MAP_MIXED; %TDISP_MAP_INVALID means the device was not one of
 * the spec's), and IOMEM_ERR_PTR(-ENOMEM) when the mapping fails.
 */
static void __iomem *tdisp_ioremap(resource_size_t start, resource_size_t len,
				   enum tdisp_map map, const char **mapper)
{
	void __iomem *addr;

	switch (map) {
	case TDISP_MAP_ENCRYPTED:
		*mapper = "ioremap_encrypted";
		addr = ioremap_encrypted(start, len);
		break;
	case TDISP_MAP_DECRYPTED:
	/* No rule decides: the kernel's own logic, ioremap() without the table. */
	case TDISP_MAP_UNSPECIFIED:
		*mapper = "ioremap";
		addr = ioremap(start, len);
		break;
	/* Fail rather than map it shared, as IORES_MUST_ENCRYPT would. */
	case TDISP_MAP_REFUSED:
		return IOMEM_ERR_PTR(-EPERM);
	default:
		return IOMEM_ERR_PTR(-EINVAL);
	}
	return addr ? addr : IOMEM_ERR_PTR(-ENOMEM);
}

/* Decide, map and unmap every memory BAR of @pdev; the number of BARs. */
static unsigned int __init map_function(struct pci_dev *pdev, const char *set,
					const char *base, u64 attrs)
{
	unsigned int bars = 0;
	unsigned int bar;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		unsigned long flags = pci_resource_flags(pdev, bar);
		resource_size_t start = pci_resource_start(pdev, bar);
		resource_size_t len = pci_resource_len(pdev, bar);
		const char *mapper = NULL;
		void __iomem *addr;
		enum tdisp_map map;
		char result[24];
		u32 caps;

		if (!(flags & IORESOURCE_MEM) || (flags & IORESOURCE_UNSET) || !len)
			continue;
		caps = pci_bar_caps(pdev, bar);
		map = tdisp_decide_probed(attrs, TDISP_PROBED_PCI_BAR, caps);
		addr = tdisp_ioremap(start, len, map, &mapper);
		if (IS_ERR(addr)) {
			snprintf(result, sizeof(result), "%ld", PTR_ERR(addr));
		} else {
			strscpy(result, mapper, sizeof(result));
			iounmap(addr);
		}
		pr_info("bar %s %s %llx %s %04x:%04x %u %llx %llx %x %s %s\n", set, base, attrs,
			pci_name(pdev), pdev->vendor, pdev->device, bar, (u64)start, (u64)len,
			caps, ccattr_decision_name(map), result);
		bars++;
	}
	return bars;
}

static int __init ccattr_tdisp_map_init(void)
{
	struct pci_dev *pdev = NULL;
	const char *set = "kernel";
	unsigned int bars = 0;
	char base[20];
	u64 attrs;

	if (platform) {
		unsigned int i;

		for (i = 0; i < ARRAY_SIZE(platforms); i++) {
			if (!strcmp(platform, platforms[i].name))
				break;
		}
		if (i == ARRAY_SIZE(platforms)) {
			pr_err("error: tdisp.ccattr has no platform %s\n", platform);
			return -EINVAL;
		}
		set = platforms[i].name;
		attrs = platforms[i].attrs;
		strscpy(base, "-", sizeof(base));
	} else {
		u64 kernel = tdisp_kernel_base();

		attrs = tdisp_attrs_close(kernel);
		snprintf(base, sizeof(base), "%llx", kernel);
	}

	for_each_pci_dev(pdev)
		bars += map_function(pdev, set, base, attrs);
	pr_info("done %s %d %u\n", set, accepted, bars);
	return 0;
}
module_init(ccattr_tdisp_map_init);

static void __exit ccattr_tdisp_map_exit(void)
{
}
module_exit(ccattr_tdisp_map_exit);

MODULE_DESCRIPTION("ccattr: PCI BARs mapped as examples/tdisp.ccattr decides");
MODULE_LICENSE("Dual MIT/GPL");
