/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A stand-in for the kernel's <linux/types.h> (and the bool constants of
 * <linux/stddef.h>): what a generated header uses of them, so that tests can build
 * the header's __KERNEL__ side without a kernel tree.
 */
#ifndef _LINUX_TYPES_H
#define _LINUX_TYPES_H

typedef unsigned long long u64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;
typedef _Bool bool;

enum {
	false = 0,
	true = 1
};

#endif /* _LINUX_TYPES_H */
