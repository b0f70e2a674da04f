// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * ccattr's kernel test module: the generated headers of the examples, built into one
 * module. examples/linux_6_1.ccattr mirrors this kernel's enum cc_attr (and checks
 * it); every other example with the CC_ATTR_ prefix (examples/hyperv_vtom.ccattr
 * among them) is a client that uses the attributes the kernel has and adds its own.
 * queries.h, which tests/kernel.rs writes, includes the headers and holds the specs
 * and their queries.
 *
 * At load time the module puts every query to the generated code and prints one line
 * per answer, which tests/kernel.rs compares with `ccattr explain`:
 *
 *	ccattr_test: answer SPEC SET BASE FULL ADDR SIZE DECISION PRIVATE
 *
 * SET is a platform of the spec (its full set is the spec's NAME_PLATFORM_* constant,
 * and BASE is "-") or "kernel": the set that NAME_kernel_base() reads from the real
 * cc_platform_has(), with PRIVATE from the bound callback NAME_kernel_is_private_mmio().
 * For a spec with base attributes that the kernel lacks, "kernel+extra" is the same
 * with those attributes reported through NAME_EXTRA_BASE.
 *
 * The specs with probed devices (examples/tdisp.ccattr and the corner cases of
 * test-support/specs/probed.ccattr) are decided by NAME_decide_probed() for every
 * platform, probed device and capability set of queries.h:
 *
 *	ccattr_test: probed SPEC SET DEVICE CAPS DECISION
 *
 * Numbers are in hex; PRIVATE is 0 or 1. The last line is "ccattr_test: done N", N
 * the number of answers of both kinds.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

struct ccattr_set {
	const char *name;
	u64 attrs;
};

struct ccattr_range {
	u64 addr;
	u64 size;
};

struct ccattr_spec {
	const char *name;
	unsigned int (*decide)(u64 attrs, u64 addr, u64 size);
	bool (*is_private_mmio)(u64 attrs, u64 addr);
	u64 (*close)(u64 base);
	u64 (*kernel_base)(void);
	u64 (*kernel_attrs)(void);
	/* The exact shape of x86_platform.hyper.is_private_mmio() (v6.4 and later). */
	bool (*kernel_is_private_mmio)(u64 addr);
	/* What NAME_EXTRA_BASE reads, and the base attributes that the kernel lacks. */
	u64 *extra;
	u64 extra_bits;
	const struct ccattr_set *sets;
	unsigned int nr_sets;
	const struct ccattr_range *ranges;
	unsigned int nr_ranges;
};

/* A probed device and the capability sets to decide it with. */
struct ccattr_device {
	const char *name;
	const u32 *caps;
	unsigned int nr_caps;
};

struct ccattr_probed_spec {
	const char *name;
	/* NAME_decide_probed(), with the device as its value in enum NAME_probed. */
	unsigned int (*decide_probed)(u64 attrs, unsigned int dev, u32 caps);
	unsigned int nr_probed;
	const struct ccattr_set *sets;
	unsigned int nr_sets;
	const struct ccattr_device *devices;
	unsigned int nr_devices;
};

#include "ccattr_decision.h"
#include "queries.h"

/* Every range of @spec for one platform's full set. */
static unsigned int __init answer_platform(const struct ccattr_spec *spec,
					   const struct ccattr_set *set)
{
	unsigned int i;

	for (i = 0; i < spec->nr_ranges; i++) {
		const struct ccattr_range *r = &spec->ranges[i];

		pr_info("answer %s %s - %llx %llx %llx %s %d\n", spec->name, set->name,
			set->attrs, r->addr, r->size,
			ccattr_decision_name(spec->decide(set->attrs, r->addr, r->size)),
			spec->is_private_mmio(set->attrs, r->addr));
	}
	return spec->nr_ranges;
}

/*
 * Every range of @spec for the running kernel's set, through the helpers that read it
 * from cc_platform_has() and the bound callback. Returns the answers, or 0 when the
 * helpers disagree with each other.
 */
static unsigned int __init answer_kernel(const struct ccattr_spec *spec, const char *label)
{
	u64 base = spec->kernel_base();
	u64 full = spec->kernel_attrs();
	unsigned int i;

	if (full != spec->close(base)) {
		pr_err("error: %s: kernel_attrs() is %llx, attrs_close(kernel_base()) %llx\n",
		       spec->name, full, spec->close(base));
		return 0;
	}
	for (i = 0; i < spec->nr_ranges; i++) {
		const struct ccattr_range *r = &spec->ranges[i];

		pr_info("answer %s %s %llx %llx %llx %llx %s %d\n", spec->name, label, base,
			full, r->addr, r->size,
			ccattr_decision_name(spec->decide(full, r->addr, r->size)),
			spec->kernel_is_private_mmio(r->addr));
	}
	return spec->nr_ranges;
}

/*
 * Every capability set of every probed device of @spec, under each of its platforms.
 * Returns the answers, or 0 when the devices are not the header's.
 */
static unsigned int __init answer_probed(const struct ccattr_probed_spec *spec)
{
	unsigned int answers = 0;
	unsigned int i, j, k;

	if (spec->nr_devices != spec->nr_probed ||
	    spec->decide_probed(0, spec->nr_probed, 0) != CCATTR_TEST_MAP_INVALID) {
		pr_err("error: %s: %u devices of %u, or one past the last is not invalid\n",
		       spec->name, spec->nr_devices, spec->nr_probed);
		return 0;
	}
	for (i = 0; i < spec->nr_sets; i++) {
		const struct ccattr_set *set = &spec->sets[i];

		for (j = 0; j < spec->nr_devices; j++) {
			const struct ccattr_device *dev = &spec->devices[j];

			for (k = 0; k < dev->nr_caps; k++) {
				u32 caps = dev->caps[k];
				unsigned int map = spec->decide_probed(set->attrs, j, caps);

				pr_info("probed %s %s %s %x %s\n", spec->name, set->name, dev->name,
					caps, ccattr_decision_name(map));
			}
			answers += dev->nr_caps;
		}
	}
	return answers;
}

static int __init ccattr_test_init(void)
{
	unsigned int answers = 0;
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(specs); i++) {
		const struct ccattr_spec *spec = &specs[i];

		for (j = 0; j < spec->nr_sets; j++)
			answers += answer_platform(spec, &spec->sets[j]);
		answers += answer_kernel(spec, "kernel");
		if (spec->extra) {
			*spec->extra = spec->extra_bits;
			answers += answer_kernel(spec, "kernel+extra");
			*spec->extra = 0;
		}
	}
	for (i = 0; i < ARRAY_SIZE(probed_specs); i++)
		answers += answer_probed(&probed_specs[i]);
	pr_info("done %u\n", answers);
	return 0;
}
module_init(ccattr_test_init);

MODULE_DESCRIPTION("ccattr: generated headers against the real cc_platform_has()");
MODULE_LICENSE("Dual MIT/GPL");
