#!/usr/bin/env python3
"""Splits merged Verilator coverage into line (line + branch points) and toggle figures per RTL
file, prints a table, and writes lcov .info files plus an HTML report (genhtml).

usage: coverage-report.py MERGED.dat OUT_DIR [--min-line PERCENT --only PATH_PREFIX]
"""
import argparse
import collections
import os
import re
import subprocess
import sys

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("dat")
ap.add_argument("out")
ap.add_argument("--min-line", type=float, default=None,
                help="exit 1 if line coverage of the files under any --only prefix is below this")
ap.add_argument("--only", action="append", default=None,
                help="path prefix to sum up (repeatable; default rtl/mac/ and rtl/nic/)")
args = ap.parse_args()

# A point is one line: C '<key \x01 value \x02 ...>' count. Keys: f file, l line, page type/module,
# h the instance. The same source point in several instances (the MAC in the MAC tests, in the NIC
# core, in the board top) counts once, covered when any instance covers it: line coverage is of
# the source, and a board-level test that drives one path of the MAC must not lower it.
point = re.compile(r"^C '(.*)' (\d+)$")
by_type = {"line": [], "toggle": []}
hits = {}                                           # (path, kind, point key without h) -> covered
header = []
with open(args.dat, encoding="latin-1") as f:
    for raw in f:
        m = point.match(raw.rstrip("\n"))
        if not m:
            header.append(raw)
            continue
        fields = dict(kv.split("\x02", 1) for kv in m.group(1).split("\x01") if "\x02" in kv)
        path = os.path.relpath(fields.get("f", "?"))
        kind = "toggle" if fields.get("page", "").startswith("v_toggle") else "line"
        key = (path, kind, tuple(sorted((k, v) for k, v in fields.items() if k != "h")))
        hits[key] = hits.get(key, False) or int(m.group(2)) > 0
        by_type[kind].append(raw)
stats = collections.defaultdict(lambda: [0, 0, 0, 0])  # file -> line hit, line total, tgl hit, tgl total
for (path, kind, _), hit in hits.items():
    s = stats[path]
    if kind == "line":
        s[0] += hit
        s[1] += 1
    else:
        s[2] += hit
        s[3] += 1

os.makedirs(args.out, exist_ok=True)
for kind, lines in by_type.items():
    dat = os.path.join(args.out, kind + ".dat")
    with open(dat, "w", encoding="latin-1") as f:
        f.writelines(header + lines)
    subprocess.run(["verilator_coverage", "--write-info", os.path.join(args.out, kind + ".info"), dat],
                   check=True)
subprocess.run(["verilator_coverage", "--annotate", os.path.join(args.out, "annotated"),
                "--annotate-min", "1", args.dat], check=True, stdout=subprocess.DEVNULL)
html = os.path.join(args.out, "html")
subprocess.run(["genhtml", "--quiet", "--output-directory", html, os.path.join(args.out, "line.info")],
               check=True)

def pct(h, t):
    return 100.0 * h / t if t else 100.0

prefixes = args.only or ["rtl/mac/", "rtl/nic/"]
print(f"\n{'RTL file':40} {'line':>16} {'toggle':>18}")
goal = {p: [0, 0] for p in prefixes}
for path in sorted(stats):
    lh, lt, th, tt = stats[path]
    print(f"{path:40} {lh:5}/{lt:<5} {pct(lh, lt):5.1f}% {th:6}/{tt:<6} {pct(th, tt):5.1f}%")
    for p in prefixes:
        if path.startswith(p):
            goal[p][0] += lh
            goal[p][1] += lt
total = [sum(s[i] for s in stats.values()) for i in range(4)]
print(f"{'all':40} {total[0]:5}/{total[1]:<5} {pct(total[0], total[1]):5.1f}% "
      f"{total[2]:6}/{total[3]:<6} {pct(total[2], total[3]):5.1f}%")
print()
for p in prefixes:
    print(f"line coverage of {p}: {pct(*goal[p]):.1f}%" if goal[p][1] else f"line coverage of {p}: no points")
print(f"(HTML: {html}/index.html, annotated sources: {args.out}/annotated)")
if args.min_line is not None and any(goal[p][1] and pct(*goal[p]) < args.min_line for p in prefixes):
    print(f"below the goal of {args.min_line}%", file=sys.stderr)
    sys.exit(1)
