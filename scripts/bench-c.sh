#!/usr/bin/env bash
# The C lookup benchmarks: the generated C of examples/hyperv_vtom.ccattr against the
# kernel's hand-written hv_is_private_mmio(), and the generated C of the scale specs
# against a linear scan of their rules; all built with gcc -O2 (benches/c/).
#
#   scripts/bench-c.sh
#
# Writes target/bench/results/c.txt: one line per benchmark, the median nanoseconds
# per lookup and the median absolute deviation of 101 samples. Each is built in
# flavours, named by the first part of the benchmark's name: `c` (gcc -O2, as a
# userspace program builds), `c-kernel` (-O2 -mgeneral-regs-only, as the kernel
# builds: no SSE, so no vectorized loops) and, for vtom, `c-O3`. Also writes
# target/bench/results/table-bytes.txt: the bytes of read-only data that the
# generated lookup of each scale spec puts in an object file, per device.
set -euo pipefail
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"

bench_prepare
gen=$OUT/gen-c
mkdir -p "$gen"
results=$OUT/results/c.txt
bytes=$OUT/results/table-bytes.txt
: >"$results"
: >"$bytes"
cflags=(-std=gnu11 -Wall -Wextra -Werror -I "$ROOT/benches/c" -I "$gen" -I "$OUT/data")
# flavour: name and gcc flags.
flavours=("c:-O2" "c-kernel:-O2 -mgeneral-regs-only" "c-O3:-O3")

"$CCATTR" build examples/hyperv_vtom.ccattr --emit c --out-dir "$gen" >/dev/null
for flavour in "${flavours[@]}"; do
	name=${flavour%%:*}
	read -r -a flags <<<"${flavour#*:}"
	gcc "${flags[@]}" "${cflags[@]}" -DBENCH_PREFIX="\"$name\"" -o "$gen/vtom-$name" benches/c/vtom.c
	"$gen/vtom-$name" | tee -a "$results"
done

for n in $(tr ',' ' ' <<<"$SIZES"); do
	spec=scale_$n
	"$CCATTR" build "$OUT/data/$spec.ccattr" --emit c --out-dir "$gen" >/dev/null
	for flavour in "${flavours[@]:0:2}"; do
		name=${flavour%%:*}
		read -r -a flags <<<"${flavour#*:}"
		gcc "${flags[@]}" "${cflags[@]}" -DBENCH_PREFIX="\"$name\"" -DSPEC="$spec" \
			-DSPEC_HEADER="\"$spec.h\"" -DBENCH_DATA="\"${spec}_bench.h\"" \
			-DBENCH_NAME="\"$spec\"" -o "$gen/$spec-$name" benches/c/scale.c
		"$gen/$spec-$name" | tee -a "$results"
	done

	# The lookup's read-only data: an object that calls both lookups, measured.
	printf '#include "%s.h"\nint f(u64 a, u64 b) { return %s_decide(a, b, 1) + %s_is_private_mmio(a, b); }\n' \
		"$spec" "$spec" "$spec" >"$gen/${spec}_size.c"
	gcc -O2 -std=gnu11 -I "$gen" -c -o "$gen/${spec}_size.o" "$gen/${spec}_size.c"
	rodata=$(size -A "$gen/${spec}_size.o" | awk '$1 ~ /^\.rodata/ { s += $2 } END { print s + 0 }')
	echo "c/$spec/table-bytes total=$rodata per_device=$(python3 -c "print(round($rodata / $n, 1))")" | tee -a "$bytes"
done
