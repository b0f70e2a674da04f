#!/usr/bin/env bash
# Run every cargo-fuzz target (fuzz/fuzz_targets) for a set time or a set number of
# executions, and print executions, coverage, speed, memory and findings per target.
#
#   scripts/fuzz.sh [SECONDS] [--runs N] [--max-len BYTES] [--no-trace-compares] [TARGET...]
#
# SECONDS        time per target (default 60)
# --runs N       also stop each target after N executions (e.g. 10000000), whichever
#                comes first
# --max-len B    the largest input libFuzzer makes (default 16384)
# --no-trace-compares
#                build without comparison tracing: about 1.5x the executions per
#                second, but the fuzzer no longer learns the constants the code compares
#                against. For long campaigns on a grown corpus (docs/reliability.md).
# TARGET...      some of: parse check emit fmt review decide (default: all)
#
# Every run enforces the limits of docs/reliability.md: an input that takes more than
# one second, or a process past 512 MB, is a finding like a panic. A finding is saved
# under fuzz/artifacts/TARGET/ and makes the script exit 1; minimize it with
#   fuzz/target/x86_64-unknown-linux-gnu/release/TARGET -minimize_crash=1 -runs=100000 FILE
# and keep the result in fuzz/regressions/TARGET/ (tests/fuzz_regressions.rs runs it).
#
# New inputs go to fuzz/corpus-work/TARGET (not committed); the committed seeds in
# fuzz/corpus/TARGET are read, never written. Needs cargo-fuzz
# (`cargo install cargo-fuzz`); works on the stable toolchain (no sanitizer: the
# code fuzzed is safe Rust, and panics, overflows, hangs and memory are what we look for).
set -euo pipefail
cd "$(dirname "$0")/.."

ALL_TARGETS=(parse check emit fmt review decide lsp)
seconds=60
runs=""
max_len=16384
targets=()
build_flags=()
while [ $# -gt 0 ]; do
	case "$1" in
	--runs) runs="$2"; shift 2 ;;
	--max-len) max_len="$2"; shift 2 ;;
	--no-trace-compares) build_flags+=(--no-trace-compares); shift ;;
	-h|--help) sed -n '2,27p' "$0"; exit 0 ;;
	[0-9]*) seconds="$1"; shift ;;
	*)
		if [[ " ${ALL_TARGETS[*]} " == *" $1 "* ]]; then
			targets+=("$1"); shift
		else
			echo "fuzz.sh: unknown target or argument: $1" >&2; exit 2
		fi
		;;
	esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${ALL_TARGETS[@]}")

if ! cargo fuzz --version >/dev/null 2>&1; then
	echo "fuzz.sh: cargo-fuzz is missing; install it with: cargo install cargo-fuzz" >&2
	exit 2
fi

# Release, with debug assertions and overflow checks: an arithmetic overflow is a finding.
(cd fuzz && cargo fuzz build -O --debug-assertions --sanitizer none ${build_flags[@]+"${build_flags[@]}"})
# cargo-fuzz builds into fuzz/target, or CARGO_TARGET_DIR when it is set (relative to
# fuzz/, where it runs).
target_dir=${CARGO_TARGET_DIR:-target}
case "$target_dir" in /*) ;; *) target_dir=fuzz/$target_dir ;; esac
bin_dir=$target_dir/x86_64-unknown-linux-gnu/release

limit=(-max_total_time="$seconds")
[ -z "$runs" ] || limit+=(-runs="$runs")

status=0
summary=()
for t in "${targets[@]}"; do
	work=fuzz/corpus-work/$t
	art=fuzz/artifacts/$t
	log=$art/fuzz.log
	mkdir -p "$work" "$art"
	echo "== $t: ${seconds} s${runs:+ or $runs executions}"
	set +e
	"$bin_dir/$t" "${limit[@]}" \
		-timeout=1 -rss_limit_mb=512 -malloc_limit_mb=512 -max_len="$max_len" \
		-dict=fuzz/ccattr.dict -print_final_stats=1 -report_slow_units=1 \
		-artifact_prefix="$art/" "$work" "fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	set -e
	stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
	execs=$(stat number_of_executed_units)
	rate=$(stat average_exec_per_sec)
	rss=$(stat peak_rss_mb)
	slowest=$(stat slowest_unit_time_sec)
	edges=$(sed -n 's/^INFO: Loaded 1 modules *(\([0-9]*\) inline 8-bit counters).*/\1/p' "$log" | head -1)
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
	findings=$(find "$art" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' -o -name 'slow-unit-*' \) | wc -l)
	verdict=ok
	if [ "$rc" -ne 0 ]; then
		verdict="FAILED (exit $rc; see $log)"
		status=1
		grep -E 'panicked|ERROR: libFuzzer|SUMMARY' "$log" | head -5 || true
	fi
	line=$(printf '%-7s %12s execs %8s/s  cov %5s of %s edges  ft %6s  corpus %5s  peak %4s MB  slowest %ss  findings %s  %s' \
		"$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${edges:-?}" "${ft:-?}" "${corp:-?}" "${rss:-?}" "${slowest:-0}" "$findings" "$verdict")
	echo "$line"
	summary+=("$line")
done

echo
echo "== summary (limits: 1 s per input, 512 MB)"
printf '%s\n' "${summary[@]}"
exit "$status"
