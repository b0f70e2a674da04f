/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A stand-in for the kernel's <linux/cc_platform.h> (Linux 6.1): its enum cc_attr,
 * which a generated header of a spec with the CC_ATTR_ prefix uses in a kernel build,
 * and cc_platform_has(). tests/kernel.rs builds against the real one.
 */
#ifndef _LINUX_CC_PLATFORM_H
#define _LINUX_CC_PLATFORM_H

#include <linux/types.h>

enum cc_attr {
	CC_ATTR_MEM_ENCRYPT,
	CC_ATTR_HOST_MEM_ENCRYPT,
	CC_ATTR_GUEST_MEM_ENCRYPT,
	CC_ATTR_GUEST_STATE_ENCRYPT,
	CC_ATTR_GUEST_UNROLL_STRING_IO,
	CC_ATTR_GUEST_SEV_SNP,
	CC_ATTR_HOTPLUG_DISABLED,
};

bool cc_platform_has(enum cc_attr attr);

#endif /* _LINUX_CC_PLATFORM_H */
