#!/usr/bin/env bash
# Differential testing at scale: the generated C, the generated Rust, the JSON table,
# `explain` (and a sample through the `ccattr explain` command) and the reference
# evaluator must agree on every query, over fresh random specs of every shape.
#
#   scripts/differential.sh [QUERIES] [--seed N] [--dev]
#
# QUERIES   how many queries (default 10000000); about 50,000 per random spec.
# --seed N  the seed of the random specs and queries (default 0x5CA1ED1F); a failure
#           names the spec and the query, and the same seed reproduces it.
# --dev     use the dev profile (what `cargo test` already built; CI) instead of
#           --release (faster for ten million queries).
#
# Needs gcc and rustc. Prints one line with the figures; exits non-zero on the first
# disagreement.
set -euo pipefail
cd "$(dirname "$0")/.."

queries=10000000
seed=0x5CA1ED1F
profile=(--release)
while [ $# -gt 0 ]; do
	case "$1" in
	--seed) seed="$2"; shift 2 ;;
	--dev) profile=(); shift ;;
	-h|--help) sed -n '2,16p' "$0"; exit 0 ;;
	[0-9]*) queries="$1"; shift ;;
	*) echo "differential.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

CCATTR_DIFF_QUERIES="$queries" CCATTR_DIFF_SEED="$seed" \
	cargo test "${profile[@]}" --test differential -- --ignored --exact at_scale --nocapture
