#!/bin/sh
# tests/compare.sh - what `memsim compare` shows people and what it keeps for programs:
# binary sizes, times and percentages in table and markdown, raw numbers in csv and json,
# lines within 100 characters, files by their distinct part, sweep points by their
# parameters, paired differences from the baseline, and the mark on an interval that
# reaches below zero.  tests/data/compare_sweep.json is made by hand; the expected cells
# below are its numbers worked out (8e9 B = 7.45 GiB, 9e9 B = 8.38 GiB).  POSIX sh; run
# from the repo root as
#   MEMSIM=./build/memsim sh tests/compare.sh
# Ends with one line "N passed, M failed" and exits non-zero if any check failed.

MEMSIM=${MEMSIM:-./build/memsim}
DATA=tests/data
T=$(mktemp -d "${TMPDIR:-/tmp}/memsim-compare.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 2' HUP INT TERM
. tests/lib.sh

# want_width N: no line of stdout is longer than N characters.
want_width()
{
	long=$(awk -v n="$1" 'length($0) > n { print length($0) ": " $0; exit }' "$T/stdout")
	[ -z "$long" ] || because "a line over $1 characters: $long"
}

# want_row NAME CELL...: the table row of NAME has exactly these cells, in order.
want_row()
{
	name=$1
	shift
	pat="^$name"
	for c in "$@"; do
		pat="$pat  *$c"
	done
	grep -q -e "$pat\$" "$T/stdout" || because "no row '$name $*': $(grep "^$name" "$T/stdout")"
}

S=$DATA/compare_sweep.json

why=
m compare "$S"
want_rc 0
want_row 'overcommit\.max' '1\.5' '2'
want_row 'hosts\.0\.count' '2' '2'
want_row 'memory\.used_bytes_mean' '8\.0 \[7\.5, 8\.4\] GiB' '10\.0 GiB'
want_row 'performance\.slowdown_mean' '5 \[4, 6\]%' '8 \[6, 10\]%'
want_row 'performance\.stall_s' '2 h' '1\.5 \[1, 2\] min'
# rejected VMs: a count, whose interval [-1.10, 1.77] reaches below zero: marked.
want_row 'vms\.rejected' '0\.333 \[-1\.1, 1\.77\]\*' '2 \[1, 3\]'
want_out '^\* the 95% t-interval reaches below 0'
grep -q 'summary.json:p00' "$T/stdout" && because "a point named by its id, not its parameters"
want_width 100
check "a sweep in a table: points by parameters, units, the below-zero mark" "$why"

why=
m compare "$S"
sed -n '/^paired differences/,$p' "$T/stdout" >"$T/diff"
[ -s "$T/diff" ] || because "no paired differences"
cp "$T/diff" "$T/stdout"
want_row 'memory\.used_bytes_mean' '+2\.0 \[+1\.0, +3\.0\] GiB'
want_row 'vms\.rejected' '+1\.67 \[-0\.5, +3\.83\]'
want_row 'performance\.slowdown_mean' '+3 \[+1, +5\]%'
# -7110 s is -118.5 min; its interval -119 to -118 min.
want_row 'performance\.stall_s' '-118 \[-119, -118\] min'
grep -q '1\.5' "$T/diff" && because "the baseline point has a column of differences"
check "vs_baseline: the paired differences of the points that have a baseline" "$why"

why=
m compare "$S" --format csv
want_rc 0
head -n 1 "$T/stdout" | grep -q '^metric,overcommit\.max=1\.5 hosts\.0\.count=2 mean,overcommit\.max=1\.5 hosts\.0\.count=2 ci95_low,' ||
	because "header: $(head -n 1 "$T/stdout")"
if command -v python3 >/dev/null 2>&1; then
	python3 -c '
import csv, json, sys
d = json.load(open(sys.argv[1]))
rows = list(csv.reader(open(sys.argv[2])))
body = {r[0]: r[1:] for r in rows[1:]}
for m, cells in body.items():
    want = []
    for p in d["points"]:
        x = p["metrics"][m]
        want += [x["mean"], x["ci95"][0], x["ci95"][1]]
    assert [float(c) for c in cells] == want, (m, cells, want)
' "$S" "$T/stdout" 2>"$T/py" || because "csv against the JSON: $(tail -n 1 "$T/py")"
fi
check "a sweep in csv: mean, ci95_low, ci95_high per point, the file's own numbers" "$why"

why=
m compare "$S" --format json
want_rc 0
if command -v python3 >/dev/null 2>&1; then
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
out = json.load(open(sys.argv[2]))
r = out["metrics"]["summary.vms.rejected"]
assert r["crosses_zero"] == [True, False], r
assert out["metrics"]["summary.performance.slowdown_mean"]["crosses_zero"] == [False, False]
assert r["values"] == [p["metrics"]["summary.vms.rejected"]["mean"] for p in d["points"]]
assert r["ci95_low"][0] == d["points"][0]["metrics"]["summary.vms.rejected"]["ci95"][0]
assert r["vs_baseline"][0] is None
vb = d["points"][1]["vs_baseline"]["summary.vms.rejected"]
assert r["vs_baseline"][1] == {"mean_diff": vb["mean_diff"], "ci95": vb["ci95"]}, r
assert out["labels"][0] == "overcommit.max=1.5 hosts.0.count=2", out["labels"]
' "$S" "$T/stdout" 2>"$T/py" || because "json: $(tail -n 1 "$T/py")"
fi
check "a sweep in json: intervals, crosses_zero and vs_baseline, raw" "$why"

why=
mkdir -p "$T/a-long-folder-name-for-results"
for n in 1 2 3; do
	m run "$DATA/cli_good.yaml" --quiet --set hosts.0.count=$n \
		-o "$T/a-long-folder-name-for-results/overcommit-study-hosts-$n.json"
done
m compare "$T"/a-long-folder-name-for-results/overcommit-study-hosts-*.json
want_rc 0
want_width 100
head -n 1 "$T/stdout" | grep -q '^metric  *overcommit-study-hosts-1  *overcommit-study-hosts-2$' ||
	because "header: $(head -n 1 "$T/stdout")"
grep -q 'a-long-folder' "$T/stdout" && because "the common folder is shown"
grep -q '^metric  *overcommit-study-hosts-3$' "$T/stdout" ||
	because "the third file is not in a second block of columns"
# 2 and 3 hosts of 64 GiB against 1: +64.0 GiB x2, +128.0 GiB x3.
grep -q '^memory\.host_bytes  *64\.0 GiB  *128\.0 GiB (+64\.0 GiB, x2)$' "$T/stdout" ||
	because "host_bytes row: $(grep '^memory.host_bytes' "$T/stdout" | head -n 1)"
grep -q '^memory\.host_bytes  *192\.0 GiB (+128\.0 GiB, x3)$' "$T/stdout" ||
	because "host_bytes in the second block: $(grep '^memory.host_bytes' "$T/stdout")"
grep -q '^duration_s  *60 min  *60 min (=)$' "$T/stdout" || because "duration_s not in min"
m compare "$T"/a-long-folder-name-for-results/overcommit-study-hosts-*.json --format markdown
want_width 100
[ "$(grep -c '^|.*|$' "$T/stdout")" -eq "$(grep -c . "$T/stdout")" ] ||
	because "a markdown line that is not a row"
check "results files: distinct part of the names, binary sizes, blocks within 100 columns" "$why"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
