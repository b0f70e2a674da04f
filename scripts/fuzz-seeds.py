#!/usr/bin/env python3
"""Regenerate the fuzz seed corpus (fuzz/corpus/TARGET/) from the specs in examples/
and tests/ and from the spec literals in the test sources.

    scripts/fuzz-seeds.py            write the seeds (existing seeds are kept)
    scripts/fuzz-seeds.py --check    exit 1 if a seed is missing

Seeds are named by the SHA-1 of their bytes, as libFuzzer names corpus files, so
writing them twice changes nothing. Only small seeds (at most 8 KiB) are kept.
"""

import hashlib
import pathlib
import random
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
MAX_SEED = 8 << 10
TEXT_TARGETS = ["parse", "check", "emit", "fmt"]

# Test sources whose string literals hold specs (those that start with `spec `).
LITERAL_SOURCES = [
    "core/tests/diagnostics.rs",
    "tests/cli.rs",
    "tests/fmt.rs",
    "tests/lint.rs",
    "tests/matrix.rs",
    "tests/review.rs",
    "lint/tests/rules.rs",
    "lint/tests/sarif.rs",
    "review/tests/kinds.rs",
]

STRING = re.compile(r'(?<![A-Za-z0-9_#])b?"((?:[^"\\]|\\.)*)"', re.S)


def unescape(body: str) -> bytes:
    """A Rust string literal's body as bytes (\\n, \\t, \\r, \\0, \\", \\\\, \\xNN,
    \\u{...}, and a backslash before a line end)."""
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        n = body[i + 1]
        i += 2
        if n == "\n":
            while i < len(body) and body[i] in " \t\n":
                i += 1
        elif n == "x":
            out.append(int(body[i : i + 2], 16))
            i += 2
        elif n == "u":
            end = body.index("}", i)
            out += chr(int(body[i + 1 : end], 16)).encode()
            i = end + 1
        else:
            out += {"n": b"\n", "t": b"\t", "r": b"\r", "0": b"\0", '"': b'"', "\\": b"\\", "'": b"'"}[n]
    return bytes(out)


def spec_files():
    for base in ["examples", "tests"]:
        for p in sorted((ROOT / base).rglob("*.ccattr")):
            if "target" not in p.parts:
                yield p.relative_to(ROOT), p.read_bytes()


def spec_literals():
    for rel in LITERAL_SOURCES:
        path = ROOT / rel
        if not path.exists():
            continue
        for m in STRING.finditer(path.read_text()):
            try:
                b = unescape(m.group(1))
            except (KeyError, ValueError, IndexError):
                continue
            if b.startswith(b"spec ") or b.startswith(b"/// ") and b"\nspec " in b:
                yield b


def main() -> int:
    check = "--check" in sys.argv[1:]
    specs = {}
    named = []
    for rel, b in spec_files():
        specs.setdefault(b, rel)
        named.append((rel, b))
    for b in spec_literals():
        specs.setdefault(b, "literal")
    specs = [b for b in specs if len(b) <= MAX_SEED]

    seeds = {t: set() for t in TEXT_TARGETS + ["review", "decide"]}
    for t in TEXT_TARGETS:
        seeds[t].update(specs)

    # review: BASE NUL HEAD. The history of the vTOM attribute names, both ways, and
    # every example against itself (no NUL).
    history = [b for rel, b in named if rel.parts[:2] == ("examples", "history")]
    for a, b in zip(history, history[1:]):
        seeds["review"].add(a + b"\0" + b)
        seeds["review"].add(b + b"\0" + a)
    for rel, b in named:
        if rel.parts[0] == "examples":
            seeds["review"].add(b)

    # decide: SPEC NUL QUERY-BYTES, and shapes of synthetic specs (no NUL).
    rng = random.Random(0xCCA7)
    for rel, b in named:
        if len(b) <= MAX_SEED - 200:
            seeds["decide"].add(b + b"\0" + bytes(rng.randrange(1, 256) for _ in range(12 * 12)))
    for _ in range(16):
        seeds["decide"].add(bytes(rng.randrange(1, 256) for _ in range(16 + 12 * 8)))

    missing = 0
    for target, items in seeds.items():
        d = CORPUS / target
        d.mkdir(parents=True, exist_ok=True)
        for b in items:
            f = d / hashlib.sha1(b).hexdigest()
            if not f.exists():
                missing += 1
                if not check:
                    f.write_bytes(b)
    if check and missing:
        print(f"{missing} seed(s) missing; run scripts/fuzz-seeds.py", file=sys.stderr)
        return 1
    for target in seeds:
        n = len(list((CORPUS / target).iterdir()))
        print(f"{target:>8}: {n} seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
