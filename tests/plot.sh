#!/bin/sh
# tests/plot.sh - what `memsim plot` draws, checked through the data and scripts it
# leaves beside each picture against the JSON it read: every default sweep metric, errors
# for unknown or group --metrics before any picture, y tick labels that differ, integer x
# ticks, memory layers that are zero left out, the configured line, faults by kind, the
# slowdown CDF, per-host pictures, and titles that name the file.  Needs gnuplot (make
# check installs it).  POSIX sh; run from the repo root as
#   MEMSIM=./build/memsim sh tests/plot.sh
# Ends with one line "N passed, M failed" and exits non-zero if any check failed.

MEMSIM=${MEMSIM:-./build/memsim}
DATA=tests/data
T=$(mktemp -d "${TMPDIR:-/tmp}/memsim-plot.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 2' HUP INT TERM
. tests/lib.sh

if ! command -v gnuplot >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
	echo "skipped: plot.sh needs gnuplot and python3"
	exit 0
fi

# py SCRIPT ARGS...: a python check; a failed assertion becomes the reason.
py()
{
	s=$1
	shift
	python3 -c "$s" "$@" 2>"$T/py" || because "$(tail -n 1 "$T/py")"
}

# The numbers of an SVG's tick labels must all differ (each axis has its own values).
distinct_ticks='
import re, sys
for path in sys.argv[1:]:
    labels = re.findall(r"<text>([-+0-9.e]+)</text>", open(path).read())
    assert len(labels) >= 4, (path, labels)
    assert len(set(labels)) == len(labels), (path, labels)
'

# --- sweeps -------------------------------------------------------------------------

why=
m plot "$DATA/plot_sweep.json" -o "$T/sw"
want_rc 0
# plot_sweep.json has two of the five default metrics: both drawn, the others skipped.
for x in summary_performance_slowdown_mean summary_memory_used_bytes_mean; do
	[ -s "$T/sw/plot_sweep-$x.png" ] || because "no picture of $x"
done
[ "$(ls "$T/sw" | grep -c '\.png$')" -eq 2 ] || because "pictures: $(ls "$T/sw")"
py '
import json, sys
d = json.load(open(sys.argv[1]))
for metric, stem, mul in (("summary.performance.slowdown_mean", "performance_slowdown_mean", 100),
                          ("summary.memory.used_bytes_mean", "memory_used_bytes_mean", 1 / 2**30)):
    rows = []
    for block in open(sys.argv[2] + stem + ".dat").read().split("\n\n\n"):
        rows += [list(map(float, l.split())) for l in block.splitlines()
                 if l and not l.startswith("#")]
    want = sorted((p["params"]["hosts.0.count"], p["metrics"][metric]["mean"] * mul,
                   p["metrics"][metric]["ci95"][0] * mul, p["metrics"][metric]["ci95"][1] * mul)
                  for p in d["points"])
    got = sorted(tuple(r) for r in rows)
    assert len(got) == len(want), (got, want)
    for g, w in zip(got, want):
        assert all(abs(a - b) <= 1e-8 * max(1, abs(b)) for a, b in zip(g, w)), (g, w)
' "$DATA/plot_sweep.json" "$T/sw/plot_sweep-summary_"
grep -q '^set xtics (2, 4)$' "$T/sw/plot_sweep-summary_performance_slowdown_mean.gp" ||
	because "no integer x ticks 2 and 4"
grep -q 'summary.performance.slowdown_mean (%)' "$T/sw/plot_sweep-summary_performance_slowdown_mean.gp" ||
	because "slowdown not in %"
grep -q 'plot_sweep\.json: ' "$T/sw/plot_sweep-summary_memory_used_bytes_mean.svg" ||
	because "the title does not name the file"
py "$distinct_ticks" "$T"/sw/*.svg
check "plot of a sweep: each default metric it has, in % and GiB, its numbers, distinct ticks" "$why"

why=
# A real sweep's slowdowns are millionths of a percent: the labels still differ.
m sweep "$DATA/sweep_small.yaml" -o "$T/run-sweep"
want_rc 0
m plot "$T/run-sweep/summary.json" -o "$T/sw2"
want_rc 0
[ "$(ls "$T/sw2" | grep -c '\.png$')" -eq 5 ] || because "not the 5 default metrics: $(ls "$T/sw2")"
py "$distinct_ticks" "$T"/sw2/*.svg
check "plot of a sweep draws all five default metrics, every tick label distinct" "$why"

why=
m plot "$DATA/plot_sweep.json" -o "$T/bad1" --metrics summary.memory
want_rc 2
grep -q "'summary.memory' is a group of metrics, not one; name each, as 'summary.memory.used_bytes_mean'" "$T/stderr" ||
	because "stderr: $(cat "$T/stderr")"
[ -e "$T/bad1" ] && because "a folder or picture was made: $(ls "$T/bad1")"
m plot "$DATA/plot_sweep.json" -o "$T/bad2" --metrics summary.performance.slowdown_mean,summary.bogus
want_rc 2
grep -q "'summary.bogus' is not a metric of this sweep" "$T/stderr" || because "stderr: $(cat "$T/stderr")"
[ -e "$T/bad2" ] && because "a picture was made before the error: $(ls "$T/bad2")"
check "plot refuses a group or unknown --metrics before drawing anything" "$why"

# --- results ------------------------------------------------------------------------

why=
m run "$DATA/summary_hosts.yaml" -o "$T/hosts.json" --quiet
want_rc 0
m plot "$T/hosts.json" -o "$T/r" --hosts
want_rc 0
for p in memory faults slowdown-cdf host-h-0-memory host-h-1-memory; do
	[ -s "$T/r/hosts-$p.png" ] || because "no $p picture"
done
g=$T/r/hosts-memory.gp
grep -q 'title "used"' "$g" && grep -q 'title "free"' "$g" && grep -q 'title "configured"' "$g" ||
	because "memory plot lacks used, free or configured: $(grep plot "$g")"
# Nothing is shared, ballooned, swapped or compressed in this run.
grep -q 'shared\|ballooned\|swapped\|compressed' "$g" && because "a zero layer is drawn: $(grep '^plot' "$g")"
grep -q '^set title "hosts\.json (summary-hosts): memory over all hosts"' "$g" ||
	because "title: $(grep title "$g")"
py '
import json, sys
d = json.load(open(sys.argv[1]))
G = 2**30
def rows(path):
    return [list(map(float, l.split())) for l in open(path) if l.strip() and l[0] != "#"]
s = d["series"]
for r, used, free, conf in zip(rows(sys.argv[2] + "memory.dat"), s["used_bytes"],
                               s["free_bytes"], s["configured_bytes"]):
    assert abs(r[1] - used / G) < 1e-8 and abs(r[2] - (used + free) / G) < 1e-8, r
    assert abs(r[3] - conf / G) < 1e-8, r
h0 = d["hosts"][0]["series"]
for r, used in zip(rows(sys.argv[2] + "host-h-0-memory.dat"), h0["used_bytes"]):
    assert abs(r[1] - used / G) < 1e-8, r
# Faults by kind: only zero fills happened; per second of each sample interval.
t = s["t_s"]
fr = rows(sys.argv[2] + "faults.dat")
assert len(fr[0]) == 3, fr[0]
for r, i in zip(fr, range(1, len(t))):
    assert abs(r[1] - s["faults_zero_fill"][i] / (t[i] - t[i - 1])) < 1e-6, (r, i)
assert sum(s["faults_zero_fill"]) == d["summary"]["faults"]["zero_fill"] > 0
# The CDF: sorted slowdowns in %, each VM adds 1/n.
sl = sorted(v["slowdown"] for v in d["vms"] if "pages" in v)
cr = rows(sys.argv[2] + "slowdown-cdf.dat")
assert cr[0][1] == 0 and [r[1] for r in cr[1:]] == [100.0 * (i + 1) / len(sl) for i in range(len(sl))]
assert all(abs(r[0] - 100 * x) < 1e-9 for r, x in zip(cr[1:], sl)), cr
' "$T/hosts.json" "$T/r/hosts-"
grep -q 'zero_fill faults/s' "$T/r/hosts-faults.gp" || because "faults not by kind"
grep -q 'cow faults' "$T/r/hosts-faults.gp" && because "a kind that never happened is drawn"
check "plot of a run: layers that happened, configured line, faults by kind, CDF, hosts" "$why"

why=
m run "$DATA/summary_hosts.yaml" -o "$T/noseries.json" --quiet --set output.host_series=false
m plot "$T/noseries.json" -o "$T/r2" --hosts
want_rc 2
grep -q 'host_series: true' "$T/stderr" || because "stderr: $(cat "$T/stderr")"
[ -e "$T/r2" ] && because "pictures were made: $(ls "$T/r2")"
m run "$DATA/summary_rejected.yaml" -o "$T/rej.json" --quiet
m plot "$T/rej.json" -o "$T/r3"
want_rc 0
grep -q 'no VM ran, so no slowdown CDF' "$T/stderr" || because "stderr: $(cat "$T/stderr")"
[ -e "$T/r3/rej-slowdown-cdf.png" ] && because "an empty CDF was drawn"
check "plot --hosts needs host series; a run where no VM ran draws no empty CDF" "$why"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
