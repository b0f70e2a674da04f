/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
{%- for line in head %}
{{ line }}
{%- endfor %}
{%- if kernel_enum %}
{%- for line in kernel.kernel_if %}
{{ line }}
{%- endfor %}
{%- for line in kernel.include_comment %}
{{ line }}
{%- endfor %}
#include <linux/cc_platform.h>
{%- for line in kernel.kernel_endif %}
{{ line }}
{%- endfor %}
{%- endif %}
#ifndef {{ guard }}
#define {{ guard }}

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stdint.h>

/*
 * The kernel's fixed-width types. A program that already has u64, u32, u16 and u8
 * defines CCATTR_HAVE_KERNEL_TYPES before including this header; the first ccattr
 * header included defines it for the others.
 */
#ifndef CCATTR_HAVE_KERNEL_TYPES
#define CCATTR_HAVE_KERNEL_TYPES
typedef uint64_t u64;
typedef uint32_t u32;
typedef uint16_t u16;
typedef uint8_t u8;
#endif
#endif /* __KERNEL__ */
{% block attr_enum %}
{%- if kernel_enum %}
{%- for line in kernel.mode_comment %}
{{ line }}
{%- endfor %}
{%- for line in kernel.kernel_if %}
{{ line }}
{%- endfor %}
#define __{{ upper }}_KERNEL_CC_ATTR
{%- for line in kernel.kernel_endif %}
{{ line }}
{%- endfor %}
{%- for line in kernel.both_if %}
{{ line }}
{%- endfor %}
#error "ccattr: a header cannot both define and mirror enum cc_attr"
{%- for line in kernel.both_endif %}
{{ line }}
{%- endfor %}

#ifndef __{{ upper }}_KERNEL_CC_ATTR
{%- endif %}
{%- if !attrs.is_empty() %}
{%- for line in attr_enum_doc %}
{{ line }}
{%- endfor %}
enum {{ attr_enum }} {
{%- for attr in attrs %}
{%- for line in attr.doc %}
{{ line }}
{%- endfor %}
	{{ attr.name }},
{%- endfor %}
};
{%- endif %}
{%- if kernel_enum %}
{%- if !former.is_empty() %}

/* Former names of attributes, so that code written against them still builds. */
{%- for line in former %}
{{ line }}
{%- endfor %}
{%- endif %}

#ifdef {{ upper }}_DEFINES_CC_ATTR
#define __{{ upper }}_DESCRIBES_CC_ATTR
#endif
#endif /* !__{{ upper }}_KERNEL_CC_ATTR */
{% else if !attrs.is_empty() %}
{#- Outside kernel mode, the blank line after the enum. #}
{% endif %}
{%- endblock attr_enum %}
#define {{ upper }}_NR_ATTRS	{{ nr_attrs }}
{%- if !bits.is_empty() %}
{% for line in bit_enum_doc %}
{{ line }}
{%- endfor %}
enum {{ bit_enum }} {
{%- for line in bits %}
{{ line }}
{%- endfor %}
};
{%- endif %}
{%- if !kernel_enum && !former.is_empty() %}

/* Former names of attributes, so that code written against them still builds. */
{%- for line in former %}
{{ line }}
{%- endfor %}
{%- endif %}
{%- if kernel_enum %}
{% for line in kernel.mirror_if %}
{{ line }}
{%- endfor %}
{%- for line in kernel.mirror_comment %}
{{ line }}
{%- endfor %}
{%- for line in kernel.asserts %}
{{ line }}
{%- endfor %}

#pragma GCC diagnostic push
#pragma GCC diagnostic error "-Wswitch"
static inline bool __{{ name }}_mirrors_cc_attr(enum cc_attr attr)
{
	switch (attr) {
{%- for line in kernel.cases %}
{{ line }}
{%- endfor %}
	}
	return false;
}
#pragma GCC diagnostic pop
{%- if !former.is_empty() %}

/* Former names of attributes, so that code written against them still builds. */
{%- for line in former %}
{{ line }}
{%- endfor %}
{%- endif %}
#define __{{ upper }}_DESCRIBES_CC_ATTR
{%- for line in kernel.mirror_endif %}
{{ line }}
{%- endfor %}

#ifdef __{{ upper }}_DESCRIBES_CC_ATTR
{%- for line in kernel.describe_comment %}
{{ line }}
{%- endfor %}
#ifdef CCATTR_KERNEL_ENUM_SPEC
#error "ccattr: the header of another spec already describes the kernel's enum cc_attr"
#endif
#define CCATTR_KERNEL_ENUM_SPEC	"{{ name }}"
{%- for line in kernel.knowledge %}
{{ line }}
{%- endfor %}
#endif /* __{{ upper }}_DESCRIBES_CC_ATTR */
{%- endif %}
{%- if !platforms.is_empty() %}

/*
 * Full attribute sets of the known platforms, as {{ name }}_attrs_close() gives them
 * for the base attributes that each platform's code reports.
 */
{%- for platform in platforms %}
{% for line in platform.comment %}
{{ line }}
{%- endfor %}
{{ platform.define }}
{%- endfor %}
{%- endif %}
{%- if !v2.caps.is_empty() %}
{% for line in v2.caps_doc %}
{{ line }}
{%- endfor %}
{%- for cap in v2.caps %}
{% for line in cap.comment %}
{{ line }}
{%- endfor %}
{{ cap.define }}
{%- endfor %}
{%- endif %}

/**
 * enum {{ name }}_map - How to map an MMIO range
 * @{{ upper }}_MAP_UNSPECIFIED: No rule decides: the caller's own logic applies.
 * @{{ upper }}_MAP_ENCRYPTED: Map it encrypted (private).
 * @{{ upper }}_MAP_DECRYPTED: Map it decrypted (shared).
 * @{{ upper }}_MAP_MIXED: Its bytes are decided differently: refuse the mapping.
 * @{{ upper }}_MAP_INVALID: The range is empty or runs past 2^64.
{%- if v2.on %}
 * @{{ upper }}_MAP_REFUSED: A rule refuses it: the mapping must fail.
{%- endif %}
 */
enum {{ name }}_map {
	{{ upper }}_MAP_UNSPECIFIED = 0,
	{{ upper }}_MAP_ENCRYPTED,
	{{ upper }}_MAP_DECRYPTED,
	{{ upper }}_MAP_MIXED,
	{{ upper }}_MAP_INVALID,
{%- if v2.on %}
	{{ upper }}_MAP_REFUSED,
{%- endif %}
};
{%- if v2.on %}

{{ v2.nr_probed }}
{%- endif %}
{%- if !v2.probed.is_empty() %}
{% for line in v2.probed_doc %}
{{ line }}
{%- endfor %}
enum {{ name }}_probed {
{%- for line in v2.probed %}
{{ line }}
{%- endfor %}
};
{%- endif %}

/**
 * {{ name }}_attrs_close() - Complete a set of base attributes
 * @base: the base attributes that platform code reports
 *
 * Adds what the attributes in @base imply, then computes the derived attributes.
 * Bits of @base that are not base attributes are ignored. Bit N of @base and of
 * the result is the attribute of value N in &enum {{ set_enum }}.
 *
 * Return: the full attribute set, as {{ name }}_decide() takes it.
 */
{{ proto_close }}
{
{%- if !implies.is_empty() %}
	/* Each base attribute with what it implies. */
	static const u64 implies[{{ upper }}_NR_ATTRS] = {
{%- for line in implies %}
{{ line }}
{%- endfor %}
	};
{%- endif %}
{%- if !terms.is_empty() %}
	/* The derived attributes in evaluation order: present when any term matches. */
	static const struct {
		u64 mask;
		u64 value;
		u8 attr;
	} terms[] = {
{%- for line in terms %}
{{ line }}
{%- endfor %}
	};
{%- endif %}
{%- if !implies.is_empty() || !terms.is_empty() %}
	unsigned int i;
{%- endif %}
	u64 set = 0;
{% if implies.is_empty() %}
	(void)base;
{%- else %}
	for (i = 0; i < {{ upper }}_NR_ATTRS; i++) {
		if (base & (1ULL << i))
			set |= implies[i];
	}
{%- endif %}
{%- if !terms.is_empty() %}
	for (i = 0; i < sizeof(terms) / sizeof(terms[0]); i++) {
		if ((set & terms[i].mask) == terms[i].value)
			set |= 1ULL << terms[i].attr;
	}
{%- endif %}
	return set;
}

/*
 * The decision of one rule set: its first row that matches @attrs decides. The last
 * row of each set always matches.{% if search %} A rule set is given by its first row.{% endif %}
 */
{{ proto_rule_set }}
{
{%- for line in first_row %}
{{ line }}
{%- endfor %}
	static const struct {
		{{ bits_type }} mask;
		{{ bits_type }} value;
		u8 map;
	} rows[] = {
{%- for line in rows %}
{{ line }}
{%- endfor %}
	};
{%- if search %}
	unsigned int i = first;
{%- else %}
	unsigned int i = first_row[rule_set];
{%- endif %}

	while ((attrs & rows[i].mask) != rows[i].value)
		i++;
	return (enum {{ name }}_map)rows[i].map;
}

/**
 * {{ name }}_decide() - Decide how to map an MMIO range
 * @attrs: the full attribute set, from {{ name }}_attrs_close()
 * @addr: the first byte of the range
 * @size: the size of the range in bytes
 *
 * Return: the decision that every byte of [@addr, @addr + @size) shares;
{%- if v2.ranges_refuse %}
 * %{{ upper }}_MAP_REFUSED when any byte is refused (whatever the others decide),
 * else %{{ upper }}_MAP_MIXED when they differ, and
{%- else %}
 * %{{ upper }}_MAP_MIXED when they differ, and
{%- endif %}
 * %{{ upper }}_MAP_INVALID when @size is 0 or the range runs past 2^64.
 */
{{ proto_decide }}
{
{%- if search %}
	/*
	 * The address space in runs that lie inside the same devices: the last byte of each
	 * run, in the breadth-first order of a complete binary search tree (node k has
	 * children 2k and 2k + 1), from slot 1. Slot 0 holds the last run, which ends at
	 * 2^64 - 1. Aligned to a cache line: the eight keys three levels below a node share one.
	 */
{%- for line in runs %}
{{ line }}
{%- endfor %}
	/* The first row of the rule set of the run in each slot of last_byte[]. */
{%- for line in rule_sets %}
{{ line }}
{%- endfor %}
	const unsigned long nr = sizeof(last_byte) / sizeof(last_byte[0]);
	unsigned long k = 1;
	enum {{ name }}_map map;
{%- if v2.ranges_refuse %}
	bool mixed = false;
{%- endif %}
	u64 last;

	if (!size || addr + (size - 1) < addr)
		return {{ upper }}_MAP_INVALID;
	last = addr + (size - 1);

	/* Descend the tree without a branch, then back up to the run of @addr. */
	while (k < nr)
		k = 2 * k + (last_byte[k] < addr);
	k >>= __builtin_ctzl(~k) + 1;

	map = __{{ name }}_rule_set_decide(rule_set[k], attrs);
{%- if v2.ranges_refuse %}
	/* A refused run refuses the range, whatever the runs after it decide. */
	while (map != {{ upper }}_MAP_REFUSED && last_byte[k] < last) {
		enum {{ name }}_map next;

{%- else %}
	while (last_byte[k] < last) {
{%- endif %}
		/*
		 * The next run: right once, then left to the end; or, without a right
		 * child, up past every right turn and one left turn.
		 */
		if (2 * k + 1 < nr) {
			k = 2 * k + 1;
			while (2 * k < nr)
				k *= 2;
		} else {
			k >>= __builtin_ctzl(~k) + 1;
		}
{%- if v2.ranges_refuse %}
		next = __{{ name }}_rule_set_decide(rule_set[k], attrs);
		if (next == {{ upper }}_MAP_REFUSED)
			return {{ upper }}_MAP_REFUSED;
		mixed |= next != map;
	}
	return mixed ? {{ upper }}_MAP_MIXED : map;
{%- else %}
		if (__{{ name }}_rule_set_decide(rule_set[k], attrs) != map)
			return {{ upper }}_MAP_MIXED;
	}
	return map;
{%- endif %}
{%- else %}
	/*
	 * The address space in runs that lie inside the same devices, in address order: the
	 * last byte of each run and its rule set.
	 */
	static const struct {
		u64 last;
		{{ rule_set_type }} rule_set;
	} runs[] = {
{%- for line in runs %}
{{ line }}
{%- endfor %}
	};
	const unsigned int nr = sizeof(runs) / sizeof(runs[0]);
	unsigned int i, run = 0;
	enum {{ name }}_map map;
{%- if v2.ranges_refuse %}
	bool mixed = false;
{%- endif %}
	u64 last;

	if (!size || addr + (size - 1) < addr)
		return {{ upper }}_MAP_INVALID;
	last = addr + (size - 1);

	/* The run of @addr: how many runs end below it, counted without a branch. */
	for (i = 0; i + 1 < nr; i++)
		run += runs[i].last < addr;

	map = __{{ name }}_rule_set_decide(runs[run].rule_set, attrs);
{%- if v2.ranges_refuse %}
	/* A refused run refuses the range, whatever the runs after it decide. */
	while (map != {{ upper }}_MAP_REFUSED && runs[run].last < last) {
		enum {{ name }}_map next;

		run++;
		next = __{{ name }}_rule_set_decide(runs[run].rule_set, attrs);
		if (next == {{ upper }}_MAP_REFUSED)
			return {{ upper }}_MAP_REFUSED;
		mixed |= next != map;
	}
	return mixed ? {{ upper }}_MAP_MIXED : map;
{%- else %}
	while (runs[run].last < last) {
		run++;
		if (__{{ name }}_rule_set_decide(runs[run].rule_set, attrs) != map)
			return {{ upper }}_MAP_MIXED;
	}
	return map;
{%- endif %}
{%- endif %}
}

/**
 * {{ name }}_decide_start() - Decide an MMIO range as x86's ioremap() does
 * @attrs: the full attribute set, from {{ name }}_attrs_close()
 * @addr: the first byte of the range
 * @size: the size of the range in bytes
 *
 * x86's __ioremap_check_other() asks is_private_mmio() about @addr only and maps
 * the whole range by its answer; this is that question. Where it differs from
 * {{ name }}_decide(), the bytes after the first are mapped as they would not be on
 * their own (ccattr's docs/kernel.md, "The start address").
 *
 * Return: the decision of the byte at @addr, and %{{ upper }}_MAP_INVALID when @size
 * is 0 or the range runs past 2^64.
 */
{{ proto_decide_start }}
{
	if (!size || addr + (size - 1) < addr)
		return {{ upper }}_MAP_INVALID;
	return {{ name }}_decide(attrs, addr, 1);
}

/**
 * {{ name }}_is_private_mmio() - Whether an MMIO address is mapped encrypted
 * @attrs: the full attribute set, from {{ name }}_attrs_close()
 * @addr: the address
 *
 * The shape of the kernel's x86_platform.hyper.is_private_mmio() once @attrs is bound.
 *
 * Return: true exactly when the byte at @addr is decided %{{ upper }}_MAP_ENCRYPTED.
 */
{{ proto_private }}
{
{%- if search %}
	return {{ name }}_decide(attrs, addr, 1) == {{ upper }}_MAP_ENCRYPTED;
{%- else if private_runs.is_empty() %}
	/* No rule maps encrypted. */
	(void)attrs;
	(void)addr;
	return false;
{%- else %}
{%- for line in private_doc %}
{{ line }}
{%- endfor %}
	static const struct {
		u64 first;
		u64 last;
		{{ rule_set_type }} rule_set;
	} runs[] = {
{%- for line in private_runs %}
{{ line }}
{%- endfor %}
	};
	bool encrypted = false;
	unsigned int i;

	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++)
		encrypted |= (addr - runs[i].first <= runs[i].last - runs[i].first) &
			     (__{{ name }}_rule_set_decide(runs[i].rule_set, attrs) ==
			      {{ upper }}_MAP_ENCRYPTED);
	return encrypted;
{%- endif %}
}
{%- if !v2.probed.is_empty() %}
{% for line in v2.decide_probed_doc %}
{{ line }}
{%- endfor %}
{{ v2.proto_decide_probed }}
{
{%- for line in v2.probed_first_row %}
{{ line }}
{%- endfor %}
	static const struct {
		u64 mask;
		u64 value;
		u32 cap_mask;
		u32 cap_value;
		u8 map;
	} rows[] = {
{%- for line in v2.probed_rows %}
{{ line }}
{%- endfor %}
	};
	unsigned int i;

	if ((unsigned int)dev >= {{ upper }}_NR_PROBED)
		return {{ upper }}_MAP_INVALID;
	i = first_row[dev];
	while ((attrs & rows[i].mask) != rows[i].value ||
	       (caps & rows[i].cap_mask) != rows[i].cap_value)
		i++;
	return (enum {{ name }}_map)rows[i].map;
}
{%- endif %}
{%- if kernel_enum %}
{% for line in kernel.helpers_comment %}
{{ line }}
{%- endfor %}
{%- for line in kernel.helpers_if %}
{{ line }}
{%- endfor %}
{%- for line in kernel.base_doc %}
{{ line }}
{%- endfor %}
static inline u64 {{ name }}_kernel_base(void)
{
	u64 base = 0;
{% for line in kernel.base %}
{{ line }}
{%- endfor %}
#ifdef {{ upper }}_EXTRA_BASE
	base |= {{ upper }}_EXTRA_BASE;
#endif
	return base;
}
{% for line in kernel.attrs_doc %}
{{ line }}
{%- endfor %}
static inline u64 {{ name }}_kernel_attrs(void)
{
	return {{ name }}_attrs_close({{ name }}_kernel_base());
}
{% for line in kernel.private_doc %}
{{ line }}
{%- endfor %}
{{ proto_kernel_private }}
{
	return {{ name }}_is_private_mmio({{ name }}_kernel_attrs(), addr);
}
{%- for line in kernel.helpers_endif %}
{{ line }}
{%- endfor %}
{%- endif %}

#endif /* {{ guard }} */
