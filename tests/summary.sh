#!/bin/sh
# tests/summary.sh - what `memsim run` says on the terminal and the per-host and per-VM
# views: the SLA bound by bound with its margin, the cost report, a run in which no VM
# arrived or every arrival was rejected, each host's peaks and series, the busiest host
# against the mean, and `memsim table`.  The cases are worked out by hand in their data
# files; the other numbers are checked against the results JSON.  POSIX sh; run from the
# repo root as
#   MEMSIM=./build/memsim sh tests/summary.sh
# Ends with one line "N passed, M failed" and exits non-zero if any check failed.

MEMSIM=${MEMSIM:-./build/memsim}
DATA=tests/data
T=$(mktemp -d "${TMPDIR:-/tmp}/memsim-summary.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 2' HUP INT TERM
. tests/lib.sh

have_python()
{
	command -v python3 >/dev/null 2>&1
}

# py SCRIPT ARGS...: runs a python check; a failed assertion becomes the reason.
py()
{
	have_python || return 0
	s=$1
	shift
	python3 -c "$s" "$@" 2>"$T/py" || because "$(tail -n 1 "$T/py")"
}

# --- hosts: peaks, series, imbalance; SLA held; cost --------------------------------

why=
m run "$DATA/summary_hosts.yaml" -o "$T/hosts.json"
want_rc 0
want_out '^  busiest: h-0 peaked at 5\.0 GiB used, 2\.00x the mean host.s peak (2\.5 GiB)$'
want_out '^  SLA:     held$'
# Zero fill costs 2 us per 4 KiB, 0.524288 s per 1 GiB page: a stalls 4 of them over
# 3600 s (0.0583%), b one (0.0146%); the p99 between them is 0.0578%, 4.94 points in hand.
want_out '^    max_slowdown_p99   0\.06%, bound at most 5\.00%: held by 4\.94 points$'
want_out '^    max_oom_vms        0\.00%, bound at most 0\.00%: held by 0\.00 points$'
want_out '^  cost:    1 host x 100\.00 EUR = 100\.00 EUR a month; without overcommit 1 host, 100\.00 EUR (saves 0\.00 EUR)$'
grep -q 'most swapped' "$T/stdout" && because "a swap peak shown where nothing swapped"
py '
import json, sys
d = json.load(open(sys.argv[1]))
G = 1 << 30
h0, h1 = d["hosts"]
assert (h0["used_bytes_peak"], h1["used_bytes_peak"]) == (5 * G, 0), (h0, h1)
assert h0["swapped_bytes_peak"] == 0 and h1["swapped_bytes_peak"] == 0
assert h0["series"]["t_s"] == d["series"]["t_s"]
# Every host series column adds up to the cluster series, sample by sample.
for k in ("used_bytes", "free_bytes", "shared_saved_bytes", "ballooned_bytes",
          "swapped_bytes", "compressed_bytes", "configured_bytes"):
    tot = [a + b for a, b in zip(h0["series"][k], h1["series"][k])]
    assert tot == d["series"][k], k
    assert max(h0["series"][k]) >= 0
assert max(h0["series"]["used_bytes"]) == h0["used_bytes_peak"]
assert h0["series"]["configured_bytes"][-1] == 6 * G
assert h0["series"]["used_bytes"][-1] == 5 * G and h1["series"]["used_bytes"][-1] == 0
' "$T/hosts.json"
check "per-host peaks and series (5GiB and 0 by hand), the busiest host at 2.00x, SLA, cost" "$why"

why=
# Without output.host_series, no host carries a series, but the peaks stay.
m run "$DATA/summary_hosts.yaml" -o "$T/noseries.json" --set output.host_series=false
want_rc 0
py '
import json, sys
d = json.load(open(sys.argv[1]))
assert all("series" not in h for h in d["hosts"])
assert d["hosts"][0]["used_bytes_peak"] == 5 << 30
' "$T/noseries.json"
check "host series only with output.host_series: true" "$why"

# --- the SLA missed, and runs that placed nothing -----------------------------------

why=
m run "$DATA/summary_rejected.yaml" -o "$T/rej.json"
want_rc 0
want_out '^  note:    every arrival was rejected (5 of 5)$'
want_out '^  SLA:     missed$'
want_out '^    max_rejected       100\.00%, bound at most 5\.00%: missed by 95\.00 points$'
want_out "^  VMs' cost: none ran$"
grep -q 'busiest' "$T/stdout" && because "a busiest host shown where no host held a VM"
check "every arrival rejected: said plainly, exit 0, max_rejected missed by 95 points" "$why"

why=
m run "$DATA/summary_rejected.yaml" -o "$T/q.json" --set policies.placement.on_full=queue
want_rc 0
want_out '^  note:    no VM was placed (5 still waiting at the end)$'
m run "$DATA/summary_hosts.yaml" -o "$T/none.json" --set workload.vms.0.arrive=2h \
	--set workload.vms.1.arrive=2h
want_rc 0
want_out '^  note:    no VM arrived within the run$'
check "no VM placed and no VM arrived are said plainly, exit 0" "$why"

why=
# configs/default.yaml has VMs whose slowdowns differ: the 95th percentile over them, by
# the usual linear interpolation between order statistics, from the VMs' own slowdowns.
m run configs/default.yaml -o "$T/def.json" --set sla.max_slowdown_p95=1% \
	--set sla.max_violating_vms=5% --set sla.max_slowdown=2% --set output.host_series=true
want_rc 0
py '
import json, re, sys
d = json.load(open(sys.argv[1]))
out = open(sys.argv[2]).read()
s = sorted(v["slowdown"] for v in d["vms"] if "pages" in v)
n = len(s)
def q(p):
    h = (n - 1) * p
    i = int(h)
    return s[i] + (s[min(i + 1, n - 1)] - s[i]) * (h - i)
perf = d["summary"]["performance"]
assert abs(perf["slowdown_p95"] - q(0.95)) < 1e-12, (perf, q(0.95))
assert abs(perf["slowdown_p99"] - q(0.99)) < 1e-12, (perf, q(0.99))
viol = sum(1 for x in s if x > 0.02)
assert perf["sla_violations"] == viol, (perf, viol)
p95 = perf["slowdown_p95"]
word = "missed" if p95 > 0.01 else "held"
line = "    max_slowdown_p95   %.2f%%, bound at most 1.00%%: %s by %.2f points" % (
    100 * p95, word, 100 * abs(p95 - 0.01))
assert line in out, (line, out)
share = viol / n
word = "missed" if share > 0.05 else "held"
line = "    max_violating_vms  %.2f%%, bound at most 5.00%%: %s by %.2f points" % (
    100 * share, word, 100 * abs(share - 0.05))
assert line in out, (line, out)
assert "max_slowdown " not in out, "max_slowdown shown as a bound on every VM"
assert ("SLA:     missed" in out) == (p95 > 0.01 or share > 0.05)
# Host faults and stall are those of the VMs on them: they add up to the cluster series.
ser, hs = d["series"], [h["series"] for h in d["hosts"]]
assert sum(ser["faults"]) > 0 and sum(ser["stall_s"]) > 0
for i in range(len(ser["t_s"])):
    assert sum(h["faults"][i] for h in hs) == ser["faults"][i], i
    assert abs(sum(h["stall_s"][i] for h in hs) - ser["stall_s"][i]) < 1e-9, i
# The busiest line against the hosts peaks.
peaks = [h["used_bytes_peak"] for h in d["hosts"]]
top = max(range(len(peaks)), key=lambda i: peaks[i])
ratio = peaks[top] / (sum(peaks) / len(peaks))
assert "  busiest: %s peaked at" % d["hosts"][top]["name"] in out, out
assert "%.2fx the mean host" % ratio in out, (ratio, out)
' "$T/def.json" "$T/stdout"
check "p95 and p99 over VMs; the summary judges p95 and the share; host faults add up" "$why"

why=
hw='duration: 1h\nhosts: [{name: h, count: 1, memory: 1GiB}]\nworkload: {vms: []}\n'
printf "sla: {max_violating_vms: 5%%}\n$hw" >"$T/bad.yaml"
m validate "$T/bad.yaml"
want_rc 2
want_err_line
grep -q 'bad.yaml:1:26: error: sla.max_violating_vms needs sla.max_slowdown' "$T/stderr" ||
	because "stderr: $(cat "$T/stderr")"
printf "sla: {max_oom_vms: 2}\n$hw" >"$T/bad2.yaml"
m validate "$T/bad2.yaml"
want_rc 2
want_err_line
check "an SLA share without max_slowdown, or above 100%, is an input error" "$why"

# --- memsim table ----------------------------------------------------------------------

why=
m table "$T/def.json" --vms -o "$T/vms.csv"
want_rc 0
[ -s "$T/stdout" ] && because "stdout not empty with -o"
py '
import csv, json, sys
d = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
assert len(rows) == len(d["vms"]) > 0, (len(rows), len(d["vms"]))
def same(cell, v):
    if v is None:
        return cell == ""
    if isinstance(v, bool):
        return cell == ("true" if v else "false")
    if isinstance(v, str):
        return cell == v
    return float(cell) == v
for r, v in zip(rows, d["vms"]):
    for col, val in (("name", v["name"]), ("host", v["host"]), ("state", v["state"]),
                     ("memory_bytes", v["memory_bytes"]), ("depart_s", v["depart_s"]),
                     ("stall_s", v["stall_s"]), ("slowdown", v["slowdown"]),
                     ("progress", v["progress"]), ("oom", v["oom"]),
                     ("faults_zero_fill", v["faults"]["zero_fill"]),
                     ("faults_host_swap_in", v["faults"]["host_swap_in"]),
                     ("faults_guest_swap_in", v["faults"]["guest_swap_in"])):
        assert same(r[col], val), (v["name"], col, r[col], val)
' "$T/def.json" "$T/vms.csv"
m table "$T/hosts.json" --hosts
want_rc 0
want_out '^name,group,memory_bytes,'
want_out '^h-0,h,8589934592,0,2,6442450944,5368709120,0,'
want_out '^h-1,h,8589934592,0,0,0,0,0,'
check "table --vms and --hosts: one CSV row each, the results file's own numbers" "$why"

why=
m table "$T/def.json"
want_rc 2
m table "$DATA/cli_good.yaml" --vms -o "$T/bad.csv"
want_rc 2
[ -e "$T/bad.csv" ] && because "an output file was left for bad input"
check "table usage and input errors exit 2 and write nothing" "$why"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
