#!/usr/bin/env bash
# Profile `ccattr build` with callgrind, which counts instructions and so gives the
# same answer on a busy machine: the total, and the functions that take the most
# (inclusive).
#
#   scripts/bench-profile.sh [DEVICES]
#
# DEVICES (default 10000): the scale spec to build. Writes the callgrind profile to
# target/bench/results/callgrind.DEVICES.out and prints the top of it. Needs valgrind.
set -euo pipefail
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"

n=${1:-10000}
SIZES=$n
bench_prepare
profile=$OUT/results/callgrind.$n.out
rm -rf "$OUT/profile"
valgrind --tool=callgrind --callgrind-out-file="$profile" \
	"$CCATTR" build "$OUT/data/scale_$n.ccattr" --out-dir "$OUT/profile" 2>&1 | grep 'refs' |
	sed "s/.*refs: */callgrind\/ccattr-build\/$n instructions=/; s/,//g" | tee "$OUT/results/callgrind.$n.txt"
callgrind_annotate --inclusive=yes "$profile" 2>/dev/null |
	grep -E 'ccattr_(grammar|core|codegen)::[a-z_:]+ \[' | head -25
