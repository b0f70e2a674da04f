# Shared by the benchmark scripts: where they work and how they build the tools.
# Sourced, not run.
#
# CCATTR_BENCH_DEVICES  device counts of the scale specs (default 1000,10000,100000)
# CCATTR_BENCH_COMPILER_DEVICES  those of the compiler benchmark (default the same
#                       and 1000000; a million devices is a 165 MB spec, read with
#                       CCATTR_MAX_SOURCE_BYTES=512M)
# CCATTR_BENCH_OUT      where inputs, outputs and results go (default target/bench)
# CARGO_TARGET_DIR      as cargo reads it (default target)

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
SIZES=${CCATTR_BENCH_DEVICES:-1000,10000,100000}
COMPILER_SIZES=${CCATTR_BENCH_COMPILER_DEVICES:-$SIZES,1000000}
OUT=${CCATTR_BENCH_OUT:-$ROOT/target/bench}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
CCATTR=$TARGET/release/ccattr
GEN=$TARGET/release/ccattr-bench-gen
mkdir -p "$OUT/data" "$OUT/results"

# The release ccattr and the spec generator; then the specs, devicetrees, protos and
# C benchmark data for every size.
bench_prepare() {
	cargo build --quiet --release --bin ccattr --bin ccattr-bench-gen -p ccattr -p ccattr-benches
	# shellcheck disable=SC2046
	"$GEN" "$OUT/data" $(tr ',' ' ' <<<"$SIZES")
}

# The compiler benchmark's inputs for its sizes (the spec, devicetree and proto only).
bench_prepare_compiler() {
	cargo build --quiet --release --bin ccattr --bin ccattr-bench-gen -p ccattr -p ccattr-benches
	# shellcheck disable=SC2046
	"$GEN" --inputs-only "$OUT/data" $(tr ',' ' ' <<<"$COMPILER_SIZES")
}

# The median and the median absolute deviation of numbers on standard input:
# "MEDIAN MAD".
median_mad() {
	python3 -c '
import statistics, sys
v = [float(x) for x in sys.stdin.read().split()]
m = statistics.median(v)
print(f"{m:.6g} {statistics.median(abs(x - m) for x in v):.6g}")'
}
