// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Builds only where linux_6_1.h, generated from a spec that claims to mirror the
 * kernel's enum cc_attr, does: every attribute at its position in the kernel, and no
 * member of the kernel's enum missing from the spec. The build errors name the
 * attributes that differ.
 */

#include <linux/module.h>

#define LINUX_6_1_MIRRORS_CC_ATTR
#include "linux_6_1.h"

MODULE_DESCRIPTION("ccattr: linux_6_1.ccattr against the kernel's enum cc_attr");
MODULE_LICENSE("Dual MIT/GPL");
