#!/usr/bin/env bash
# The compiler benchmark: `ccattr build` (C, Rust and JSON) of scale specs of 1,000,
# 10,000, 100,000 and 1,000,000 devices (CCATTR_BENCH_COMPILER_DEVICES), wall time
# and peak memory, next to dtc compiling a
# devicetree with a node and a `reg` for each device (100 parents of N/100 children:
# dtc 1.6 fails past some ten thousand children of one node) and protoc compiling an
# enum of N values to C++. Also the size of the JSON table in both its forms (rows,
# format versions 1 and 2; columns, version 3), from the same spec.
#
#   scripts/bench-compiler.sh [RUNS]
#
# RUNS (default 5) runs of each; writes target/bench/results/compiler.txt with the
# median and the median absolute deviation of each, and the ratios. Needs dtc and
# protoc (Debian: device-tree-compiler, protobuf-compiler) and GNU time.
set -euo pipefail
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"

runs=${1:-5}
for tool in dtc protoc /usr/bin/time; do
	command -v "$tool" >/dev/null || {
		echo "bench-compiler.sh: $tool is missing (apt-get install device-tree-compiler protobuf-compiler time)" >&2
		exit 2
	}
done
bench_prepare_compiler
# A million devices is a 165 MB spec: past the default limit of 16 MiB.
export CCATTR_MAX_SOURCE_BYTES=512M
results=$OUT/results/compiler.txt
: >"$results"
work=$OUT/compiler
mkdir -p "$work"

# measure NAME COMMAND...: run it $runs times; print "NAME seconds=M mad=D peak_mb=M mad=D".
measure() {
	local name=$1 times=() peaks=()
	shift
	for _ in $(seq "$runs"); do
		/usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>&1
		read -r secs kb <"$work/time"
		times+=("$secs")
		peaks+=("$(python3 -c "print($kb / 1024)")")
	done
	read -r t tmad <<<"$(printf '%s\n' "${times[@]}" | median_mad)"
	read -r m mmad <<<"$(printf '%s\n' "${peaks[@]}" | median_mad)"
	echo "$name seconds=$t seconds_mad=$tmad peak_mb=$m peak_mb_mad=$mmad" | tee -a "$results"
}

seconds_of() { awk -v n="$1" '$1 == n { sub("seconds=", "", $2); print $2 }' "$results"; }

for n in $(tr ',' ' ' <<<"$COMPILER_SIZES"); do
	spec=$OUT/data/scale_$n
	rm -rf "$work/out_$n"
	# Every run writes all three files afresh, as a clean build does.
	measure "compiler/ccattr/$n" sh -c "rm -rf '$work/out_$n' && '$CCATTR' build '$spec.ccattr' --out-dir '$work/out_$n'"
	measure "compiler/dtc/$n" dtc -q -I dts -O dtb -o "$work/scale_$n.dtb" "$spec.dts"
	mkdir -p "$work/proto_$n"
	measure "compiler/protoc/$n" protoc --proto_path="$OUT/data" --cpp_out="$work/proto_$n" "$spec.proto"
	c=$(seconds_of "compiler/ccattr/$n")
	d=$(seconds_of "compiler/dtc/$n")
	p=$(seconds_of "compiler/protoc/$n")
	echo "compiler/ratio/$n dtc_over_ccattr=$(python3 -c "print(round($d / max($c, 0.005), 2))") protoc_over_ccattr=$(python3 -c "print(round($p / max($c, 0.005), 2))")" | tee -a "$results"
	for f in "$work/out_$n"/*; do
		echo "compiler/output/$n $(basename "$f") bytes=$(stat -c %s "$f")" | tee -a "$results"
	done
	# The JSON table in both forms, whatever the build picked.
	for form in rows columns; do
		rm -rf "$work/json_$n"
		"$CCATTR" build -q "$spec.ccattr" --emit json --json-form "$form" --out-dir "$work/json_$n"
		eval "${form}_bytes=$(stat -c %s "$work/json_$n/scale_$n.json")"
	done
	# shellcheck disable=SC2154
	echo "compiler/json/$n rows_bytes=$rows_bytes columns_bytes=$columns_bytes smaller=$(python3 -c "print(round($rows_bytes / $columns_bytes, 2))")" | tee -a "$results"
	rm -rf "$work/json_$n" "$work/out_$n" "$work/proto_$n"
done
