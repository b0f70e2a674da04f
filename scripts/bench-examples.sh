#!/usr/bin/env bash
# `ccattr check` and `ccattr build` of every shipped example, as a build system calls
# them on every build: the whole process, started RUNS times (default 30) each.
#
#   scripts/bench-examples.sh [RUNS]
#
# Writes target/bench/results/examples.txt: per example and command, the median
# milliseconds and the median absolute deviation.
set -euo pipefail
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"

runs=${1:-30}
cargo build --quiet --release --bin ccattr -p ccattr
results=$OUT/results/examples.txt
: >"$results"
work=$OUT/examples
mkdir -p "$work"

# measure NAME COMMAND...: run it $runs times (after one warm-up run); print
# "NAME ms=M ms_mad=D".
measure() {
	local name=$1 times=()
	shift
	"$@" >/dev/null 2>&1
	for _ in $(seq "$runs"); do
		local t0 t1
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		times+=("$(((t1 - t0) / 1000))")
	done
	read -r m mad <<<"$(printf '%s\n' "${times[@]}" | median_mad)"
	echo "$name ms=$(python3 -c "print(round($m / 1000, 3))") ms_mad=$(python3 -c "print(round($mad / 1000, 3))")" | tee -a "$results"
}

for spec in examples/*.ccattr; do
	name=$(basename "$spec" .ccattr)
	measure "examples/$name/check" "$CCATTR" check "$spec"
	# A build into the directory that holds its outputs, as on every build: all three
	# are made and compared, and none is replaced.
	measure "examples/$name/build" "$CCATTR" build -q "$spec" --out-dir "$work/$name"
done
# What starting a process costs here, for scale.
measure "examples/true" /bin/true
