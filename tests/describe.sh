#!/bin/sh
# tests/describe.sh - `memsim describe` of VMs that never depart (their phases set the
# horizon; all at 0 is one bin), of a config (its seed and its duration, as the run
# uses them), and the import report: VMs that start far from the others, and the VMs a
# window drops.  Expected numbers are in the data files' comments or computed here from
# the inputs.  POSIX sh; run from the repo root as
#   MEMSIM=./build/memsim sh tests/describe.sh
# Ends with one line "N passed, M failed" and exits non-zero if any check failed.

MEMSIM=${MEMSIM:-./build/memsim}
DATA=tests/data
T=$(mktemp -d "${TMPDIR:-/tmp}/memsim-describe.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 2' HUP INT TERM
. tests/lib.sh

# want_row TIME ARRIVALS ALIVE CONFIGURED WS: the table has this row.
want_row()
{
	grep -q "^ *$1 *$2 *$3 *$4 *$5\$" "$T/stdout" ||
		because "no row '$*': $(sed -n '/time/,$p' "$T/stdout")"
}

why=
m describe "$DATA/describe_stay.yaml" --bins 4
want_rc 0
want_out '^arrivals:   from 0\.00h to 2\.00h; the last event at 4\.00h$'
want_row 0.00h 1 1 '4\.0 GiB' '1\.0 GiB'
want_row 1.00h 1 1 '4\.0 GiB' '1\.0 GiB'
want_row 2.00h 0 2 '6\.0 GiB' '2\.0 GiB'
want_row 3.00h 0 2 '6\.0 GiB' '2\.0 GiB'
check "describe of VMs that never depart: bins up to the last phase change" "$why"

why=
printf 'vms:\n  - {name: a, memory: 1GiB}\n  - {name: b, memory: 2GiB}\n' >"$T/zero.yaml"
m describe "$T/zero.yaml"
want_rc 0
want_out 'every VM arrives at 0 and none departs or changes phase'
[ "$(sed -n '/time/,$p' "$T/stdout" | wc -l)" -eq 2 ] ||
	because "not one bin: $(sed -n '/time/,$p' "$T/stdout")"
# Both alive at 0: 3 GiB configured, half of each (the default working set) 1.5 GiB.
want_row 0.00s 2 2 '3\.0 GiB' '1\.5 GiB'
check "describe of VMs all at 0 that stay: one bin, said so" "$why"

why=
m describe "$DATA/describe_cfg.yaml" --bins 4
want_rc 0
want_out '^tests/data/describe_cfg\.yaml (seed 42, the config.s)$'
cp "$T/stdout" "$T/described"
m run "$DATA/describe_cfg.yaml" -o "$T/run.json" --quiet
want_rc 0
if command -v python3 >/dev/null 2>&1; then
	# The run draws the same arrivals: count them in the same bins (4h / 4 + 1 ns).
	python3 -c '
import json, re, sys
d = json.load(open(sys.argv[1]))
w = (4 * 3600 * 10**9) // 4 + 1
counts = [0] * 4
for v in d["vms"]:
    ns = round(v["arrive_s"] * 1e9)
    counts[min(ns // w, 3)] += 1
rows = [l.split() for l in open(sys.argv[2]) if re.match(r"^ *[0-9.]+h ", l)]
got = [int(r[1]) for r in rows]
assert got == counts, (got, counts)
assert len(d["vms"]) == 20
' "$T/run.json" "$T/described" 2>"$T/py" || because "arrivals against the run: $(tail -n 1 "$T/py")"
fi
m describe "$DATA/describe_cfg.yaml" --bins 4 --seed 1
want_out '(seed 1, from --seed)'
cmp -s "$T/stdout" "$T/described" && because "--seed 1 gives the seed-42 table"
check "describe of a config uses the config's seed and duration, as the run does" "$why"

# --- import reports -------------------------------------------------------------------

# bb NAME START_DAY: a Bitbrains VM file of two rows 5 minutes apart, starting
# START_DAY days after 1372629804 (2013-06-30 22:03:24 UTC, as the trace does).
bb()
{
	mkdir -p "$T/bb"
	t=$((1372629804 + $2 * 86400))
	h='Timestamp [ms];	CPU cores;	CPU capacity provisioned [MHZ];	CPU usage [MHZ];	CPU usage [%];	Memory capacity provisioned [KB];	Memory usage [KB];	Disk read throughput [KB/s];	Disk write throughput [KB/s];	Network received throughput [KB/s];	Network transmitted throughput [KB/s]'
	{
		echo "$h"
		echo "$t;	1;	2600.0;	10.0;	0.5;	2097152.0;	1048576.0;	0.0;	0.0;	0.0;	0.0"
		echo "$((t + 300));	1;	2600.0;	10.0;	0.5;	2097152.0;	1048576.0;	0.0;	0.0;	0.0;	0.0"
	} >"$T/bb/$1.csv"
}

why=
# a, b, c start on day 0, d on day 21 and e on day 28: days 1 to 20 have no start, the
# longest such run (20 days, against 6 between d and e), and the side after it is smaller.
bb a 0
bb b 0
bb c 0
bb d 21
bb e 28
m import bitbrains "$T/bb" -o "$T/bb.yaml"
want_rc 0
grep -q '^  2 VMs start far from the others, across 20 days in which no VM starts: bb-d at 21\.0d, bb-e at 28\.0d; --start and --length choose a window$' "$T/stderr" ||
	because "stderr: $(cat "$T/stderr")"
grep -q 'dropped' "$T/stderr" && because "a drop reported without a window"
# A week's window drops d and e, and says so; what is left starts together.
m import bitbrains "$T/bb" --length 7d -o "$T/bb7.yaml"
want_rc 0
grep -q "^  2 VMs dropped by --length: they start at or after the window's end, 7d (bb-d at 21\.0d, bb-e at 28\.0d)\$" "$T/stderr" ||
	because "stderr: $(cat "$T/stderr")"
grep -q 'far from' "$T/stderr" && because "far starts reported after the window removed them"
grep -q 'VMs written' "$T/stderr" && ! grep -q ' 3 VMs written' "$T/stderr" &&
	because "not 3 VMs written: $(head -n 1 "$T/stderr")"
[ "$(grep -c '^  - name:' "$T/bb7.yaml")" -eq 3 ] || because "the trace does not hold 3 VMs"
check "import reports VMs starting 21 and 28 days after the others, and what --length drops" "$why"

why=
# Starts every 3 days: no gap of 7 days, nothing far.
rm -rf "$T/bb"
for d in 0 3 6 9 12 15; do
	bb "v$d" "$d"
done
m import bitbrains "$T/bb" -o "$T/bb.yaml"
want_rc 0
grep -q 'far from' "$T/stderr" && because "far starts reported for steady arrivals: $(cat "$T/stderr")"
m import bitbrains "$T/bb" --max-vms 4 -o "$T/bb4.yaml"
grep -q '^  2 VMs dropped by --max-vms 4$' "$T/stderr" || because "stderr: $(cat "$T/stderr")"
check "import: steady starts are not far apart; --max-vms drops are counted" "$why"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
