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


def verdict(ok):
    return "**met**" if ok else "**not met**"


def main():
    results = pathlib.Path(sys.argv[1])
    crit = criterion(sys.argv[2]) if len(sys.argv) > 2 else {}
    c = read_lines(results / "c.txt")
    comp = read_lines(results / "compiler.txt")
    size = read_lines(results / "table-bytes.txt")
    prof = read_lines(results / "callgrind.10000.txt")
    examples = read_lines(results / "examples.txt")
    c_ns = {k: (float(v["median_ns"]), float(v["mad_ns"])) for k, v in c.items() if "median_ns" in v}
    targets = []

    print("## Lookup: hyperv_vtom against the hand-written hv_is_private_mmio()\n")
    print("C flavours: `c` gcc -O2, `c-kernel` gcc -O2 -mgeneral-regs-only (as the kernel builds), `c-O3` gcc -O3.\n")
    print("| language | function | call | hand-written ns (MAD) | generated ns (MAD) | ratio | target 1.25x |")
    print("|---|---|---|---|---|---|---|")
    flavours = [("Rust", crit, "vtom/{f}/{w}/{c}")] + [
        (f, c_ns, f + "/vtom/{f}/{w}/{c}") for f in ["c", "c-kernel", "c-O3"]]
    for lang, table, key in flavours:
        for f in ["is_private_mmio", "decide"]:
            for call in ["inline", "callback"]:
                h = table.get(key.format(f=f, w="hand-written", c=call))
                g = table.get(key.format(f=f, w="generated", c=call))
                if not h or not g:
                    continue
                r = g[0] / h[0]
                print(f"| {lang} | {f} | {call} | {ns(h[0])} ({ns(h[1])}) | {ns(g[0])} ({ns(g[1])}) "
                      f"| {r:.2f}x | {'met' if r <= 1.25 else 'not met'} |")
                if f == "decide" and lang in ("Rust", "c", "c-kernel"):
                    targets.append((f"`decide()` within 1.25x of hand-written ({lang}, {call})",
                                    f"{r:.2f}x", r <= 1.25))

    print("\n## Lookup: scale (ns per lookup, median (MAD))\n")
    print("| language | devices | is_private_mmio | decide (page) | linear scan | speed-up over the scan | decision table (Rust) |")
    print("|---|---|---|---|---|---|---|")
    sizes = sorted({int(m.group(1)) for k in list(crit) + list(c_ns) for m in [re.search(r"scale[/_](\d+)", k)] if m})
    for lang in ["Rust", "c", "c-kernel"]:
        for n in sizes:
            if lang == "Rust":
                g = crit.get(f"scale/{n}/is_private_mmio/generated")
                d = crit.get(f"scale/{n}/decide/generated")
                s = crit.get(f"scale/{n}/is_private_mmio/linear-scan")
                t = crit.get(f"scale/{n}/is_private_mmio/decision-table")
            else:
                g = c_ns.get(f"{lang}/scale_{n}/is_private_mmio/generated")
                d = c_ns.get(f"{lang}/scale_{n}/decide/generated")
                s = c_ns.get(f"{lang}/scale_{n}/is_private_mmio/linear-scan")
                t = None
            if not g:
                continue
            speedup = f"{s[0] / g[0]:,.0f}x" if s else "-"
            cells = [f"{ns(x[0])} ({ns(x[1])})" if x else "-" for x in (g, d, s, t)]
            print(f"| {lang} | {n:,} | {cells[0]} | {cells[1]} | {cells[2]} | {speedup} | {cells[3]} |")
            if n == 100000:
                worst = max(x[0] for x in (g, d) if x)
                targets.append((f"at most 60 ns per lookup at 100,000 devices ({lang})",
                                f"{ns(worst)} ns (the slower of the two lookups)", worst <= 60))

    print("\n## Table size\n")
    for k, v in sorted(size.items()):
        print(f"- {k}: {int(v['total']):,} bytes, {v['per_device']} bytes per device")

    print("\n## Compiler (seconds and peak MB, median (MAD))\n")
    print("| devices | ccattr build | ccattr peak MB | dtc | dtc peak MB | protoc | protoc peak MB | dtc / ccattr | protoc / ccattr | ccattr µs per device |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    comp_sizes = sorted({int(k.rsplit("/", 1)[1]) for k in comp if k.startswith("compiler/ccattr/")})
    for n in comp_sizes:
        a = comp.get(f"compiler/ccattr/{n}")
        d = comp.get(f"compiler/dtc/{n}")
        p = comp.get(f"compiler/protoc/{n}")
        r = comp.get(f"compiler/ratio/{n}", {})
        cell = lambda x, k: f"{x[k]} ({x[k + '_mad']})" if x else "-"
        per = float(a["seconds"]) / n * 1e6
        print(f"| {n:,} | {cell(a, 'seconds')} | {cell(a, 'peak_mb')} | {cell(d, 'seconds')} | {cell(d, 'peak_mb')} | "
              f"{cell(p, 'seconds')} | {cell(p, 'peak_mb')} | {r.get('dtc_over_ccattr', '-')} | "
              f"{r.get('protoc_over_ccattr', '-')} | {per:.2f} |")
        if n == 100000:
            dr, pr = float(r.get("dtc_over_ccattr", 0)), float(r.get("protoc_over_ccattr", 0))
            targets.append(("`ccattr build` of 100,000 devices at least 1.5x faster than dtc and protoc",
                            f"{dr:.2f}x dtc, {pr:.2f}x protoc ({a['seconds']} s)", dr >= 1.5 and pr >= 1.5))
            mb = float(a["peak_mb"])
            targets.append(("... and at most 150 MB peak memory", f"{mb:.0f} MB", mb <= 150))
    if len(comp_sizes) > 1:
        pers = [float(comp[f"compiler/ccattr/{n}"]["seconds"]) / n for n in comp_sizes if n >= 10000]
        if len(pers) > 1:
            spread = max(pers) / min(pers)
            targets.append(("growing linearly (time per device from 10,000 devices up within 1.5x)",
                            f"{spread:.2f}x between the sizes", spread <= 1.5))

    print("\n## JSON table: rows (versions 1 and 2) against columns (version 3)\n")
    print("| devices | rows bytes | columns bytes | smaller |")
    print("|---|---|---|---|")
    for n in comp_sizes:
        j = comp.get(f"compiler/json/{n}")
        if not j:
            continue
        print(f"| {n:,} | {int(j['rows_bytes']):,} | {int(j['columns_bytes']):,} | {j['smaller']}x |")
        if n == 100000:
            targets.append(("JSON table at least 5x smaller at 100,000 devices", f"{j['smaller']}x",
                            float(j["smaller"]) >= 5))

    if examples:
        print("\n## The shipped examples (milliseconds per run, median (MAD))\n")
        print("| example | check | build |")
        print("|---|---|---|")
        worst = 0.0
        for k in sorted({k.split("/")[1] for k in examples if k.count("/") == 2}):
            ch, bu = examples.get(f"examples/{k}/check"), examples.get(f"examples/{k}/build")
            worst = max(worst, float(ch["ms"]), float(bu["ms"]))
            print(f"| {k} | {ch['ms']} ({ch['ms_mad']}) | {bu['ms']} ({bu['ms_mad']}) |")
        t = examples.get("examples/true")
        if t:
            print(f"\nStarting a process (`/bin/true`) takes {t['ms']} ms here.")
        targets.append(("`ccattr check` and `build` of the shipped examples well under 10 ms",
                        f"{worst} ms at most", worst < 5))

    for k, v in prof.items():
        print(f"\n{k}: {int(v['instructions']):,} instructions (callgrind)")

    print("\n## Targets\n")
    print("| target | this run | |")
    print("|---|---|---|")
    for name, value, ok in targets:
        print(f"| {name} | {value} | {verdict(ok)} |")


if __name__ == "__main__":
    main()
