/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The decisions of every generated header, numbered as its enum NAME_map numbers
 * them (queries.h checks each header's against these) and named as `ccattr explain
 * --format json` names them, for the modules of tests/kernel/ that print answers.
 */
#ifndef _CCATTR_DECISION_H
#define _CCATTR_DECISION_H

#include <linux/kernel.h>

enum ccattr_test_map {
	CCATTR_TEST_MAP_UNSPECIFIED,
	CCATTR_TEST_MAP_ENCRYPTED,
	CCATTR_TEST_MAP_DECRYPTED,
	CCATTR_TEST_MAP_MIXED,
	CCATTR_TEST_MAP_INVALID,
	CCATTR_TEST_MAP_REFUSED,
};

static const char *const ccattr_decisions[] = {
	[CCATTR_TEST_MAP_UNSPECIFIED] = "unspecified",
	[CCATTR_TEST_MAP_ENCRYPTED] = "encrypted",
	[CCATTR_TEST_MAP_DECRYPTED] = "decrypted",
	[CCATTR_TEST_MAP_MIXED] = "mixed",
	[CCATTR_TEST_MAP_INVALID] = "invalid",
	[CCATTR_TEST_MAP_REFUSED] = "refused",
};

/**
 * ccattr_decision_name() - The name of a decision
 * @map: a value of a generated header's enum NAME_map
 *
 * Return: the decision's name, or "bad" for a value that no header has.
 */
static inline const char *ccattr_decision_name(unsigned int map)
{
	return map < ARRAY_SIZE(ccattr_decisions) ? ccattr_decisions[map] : "bad";
}

#endif /* _CCATTR_DECISION_H */
