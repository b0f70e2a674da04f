#!/usr/bin/env bash
# Every benchmark of docs/performance.md, then its summary:
#
#   scripts/bench-all.sh
#
# 1. scripts/bench-compiler.sh: ccattr build against dtc and protoc, time and memory;
# 2. scripts/bench-c.sh: the generated C (gcc -O2) against hand-written code and a
#    linear scan, and the table's bytes per device;
# 3. cargo bench -p ccattr-benches: the same for the generated Rust (criterion);
# 4. scripts/bench-profile.sh: the instruction count of a 10,000-device build;
# 5. scripts/bench-examples.sh: `ccattr check` and `build` of the shipped examples;
# 6. scripts/bench-summary.py: every figure, its median and spread, the ratios and
#    which targets are met, into target/bench/results/summary.md.
#
# Environment: CCATTR_BENCH_DEVICES (default 1000,10000,100000),
# CCATTR_BENCH_COMPILER_DEVICES (default those and 1000000), CCATTR_BENCH_RUNS
# (compiler runs, default 5), CARGO_TARGET_DIR. Takes some 30 minutes on two cores,
# most of it dtc at 100,000 nodes and rustc compiling the 100,000-device module.
set -euo pipefail
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"

bash scripts/bench-compiler.sh "${CCATTR_BENCH_RUNS:-5}"
bash scripts/bench-c.sh
CCATTR_BENCH_DEVICES=$SIZES cargo bench -p ccattr-benches 2>&1 | tee "$OUT/results/criterion.log"
bash scripts/bench-profile.sh 10000
bash scripts/bench-examples.sh
python3 scripts/bench-summary.py "$OUT/results" "$TARGET/criterion" | tee "$OUT/results/summary.md"
