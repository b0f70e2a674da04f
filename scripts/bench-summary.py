#!/usr/bin/env python3
"""Summarize the benchmark results as the tables of docs/performance.md.

    scripts/bench-summary.py RESULTS_DIR CRITERION_DIR

RESULTS_DIR holds what scripts/bench-c.sh, bench-compiler.sh and bench-profile.sh
wrote; CRITERION_DIR is criterion's output (target/criterion). Every figure is the
median, with the median absolute deviation (MAD) as its spread.
"""
import json
import pathlib
import re
import sys


def read_lines(path):
    """name -> {key: value} from lines of `name key=value ...`."""
    out = {}
    if not path.exists():
        return out
    for line in path.read_text().splitlines():
        parts = line.split()
        if not parts:
            continue
        fields = dict(p.split("=", 1) for p in parts[1:] if "=" in p)
        out.setdefault(parts[0], {}).update(fields)
    return out


def criterion(root):
    """full benchmark id -> (median ns per element, MAD ns per element)."""
    out = {}
    for bench in pathlib.Path(root).glob("**/new/benchmark.json"):
        meta = json.loads(bench.read_text())
        est = json.loads((bench.parent / "estimates.json").read_text())
        elements = (meta.get("throughput") or {}).get("Elements", 1)
        out[meta["full_id"]] = (
            est["median"]["point_estimate"] / elements,
            est["median_abs_dev"]["point_estimate"] / elements,
        )
    return out


def ns(v):
    return f"{v:.2f}" if v < 100 else f"{v:,.0f}"


def main():
    results = pathlib.Path(sys.argv[1])
    crit = criterion(sys.argv[2]) if len(sys.argv) > 2 else {}
    c = read_lines(results / "c.txt")
    comp = read_lines(results / "compiler.txt")
    size = read_lines(results / "table-bytes.txt")
    prof = read_lines(results / "callgrind.10000.txt")
    c_ns = {k: (float(v["median_ns"]), float(v["mad_ns"])) for k, v in c.items() if "median_ns" in v}

    print("## Lookup: hyperv_vtom against the hand-written hv_is_private_mmio()\n")
    print("| language | function | call | hand-written ns (MAD) | generated ns (MAD) | ratio | target 1.25x |")
    print("|---|---|---|---|---|---|---|")
    for lang, table, key in [("Rust", crit, "vtom/{f}/{w}/{c}"), ("C", c_ns, "c/vtom/{f}/{w}/{c}")]:
        for f in ["is_private_mmio", "decide"]:
            for call in ["inline", "callback"]:
                h = table.get(key.format(f=f, w="hand-written", c=call))
                g = table.get(key.format(f=f, w="generated", c=call))
                if not h or not g:
                    continue
                r = g[0] / h[0]
                print(f"| {lang} | {f} | {call} | {ns(h[0])} ({ns(h[1])}) | {ns(g[0])} ({ns(g[1])}) "
                      f"| {r:.2f}x | {'met' if r <= 1.25 else 'not met'} |")

    print("\n## Lookup: scale (ns per lookup, median (MAD))\n")
    print("| language | devices | is_private_mmio | decide (page) | linear scan | speed-up over the scan | decision table (Rust) |")
    print("|---|---|---|---|---|---|---|")
    sizes = sorted({int(m.group(1)) for k in list(crit) + list(c_ns) for m in [re.search(r"scale[/_](\d+)", k)] if m})
    for lang in ["Rust", "C"]:
        for n in sizes:
            if lang == "Rust":
                g = crit.get(f"scale/{n}/is_private_mmio/generated")
                d = crit.get(f"scale/{n}/decide/generated")
                s = crit.get(f"scale/{n}/is_private_mmio/linear-scan")
                t = crit.get(f"scale/{n}/is_private_mmio/decision-table")
            else:
                g = c_ns.get(f"c/scale_{n}/is_private_mmio/generated")
                d = c_ns.get(f"c/scale_{n}/decide/generated")
                s = c_ns.get(f"c/scale_{n}/is_private_mmio/linear-scan")
                t = None
            if not g:
                continue
            speedup = f"{s[0] / g[0]:,.0f}x" if s else "-"
            cells = [f"{ns(x[0])} ({ns(x[1])})" if x else "-" for x in (g, d, s, t)]
            print(f"| {lang} | {n:,} | {cells[0]} | {cells[1]} | {cells[2]} | {speedup} | {cells[3]} |")

    print("\n## Table size\n")
    for k, v in sorted(size.items()):
        print(f"- {k}: {int(v['total']):,} bytes, {v['per_device']} bytes per device")

    print("\n## Compiler (seconds and peak MB, median (MAD))\n")
    print("| devices | ccattr build | ccattr peak MB | dtc | protoc | dtc / ccattr | protoc / ccattr |")
    print("|---|---|---|---|---|---|---|")
    for n in sizes:
        a = comp.get(f"compiler/ccattr/{n}")
        d = comp.get(f"compiler/dtc/{n}")
        p = comp.get(f"compiler/protoc/{n}")
        r = comp.get(f"compiler/ratio/{n}", {})
        if not a:
            continue
        cell = lambda x, k: f"{x[k]} ({x[k + '_mad']})" if x else "-"
        print(f"| {n:,} | {cell(a, 'seconds')} | {cell(a, 'peak_mb')} | {cell(d, 'seconds')} | "
              f"{cell(p, 'seconds')} | {r.get('dtc_over_ccattr', '-')} | {r.get('protoc_over_ccattr', '-')} |")
    for k, v in prof.items():
        print(f"\n{k}: {int(v['instructions']):,} instructions (callgrind)")


if __name__ == "__main__":
    main()
