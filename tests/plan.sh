#!/bin/sh
# tests/plan.sh - `memsim plan` end to end, on tests/data/plan_erlang.yaml, whose answer is
# known in closed form (the Erlang loss formula; the numbers are in that file): the fewest
# hosts is 9, and with 5 hosts the least memory on a 4GiB grid is 16GiB.  Also the JSON
# form, the exit statuses of its errors, that no temporary file is left behind, and that
# a killed plan takes its run with it.
# POSIX sh; run from the repo root as
#   MEMSIM=./build/memsim sh tests/plan.sh
# Ends with one line "N passed, M failed" and exits non-zero if any check failed.

MEMSIM=${MEMSIM:-./build/memsim}
DATA=tests/data
T=$(mktemp -d "${TMPDIR:-/tmp}/memsim-plan-test.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 2' HUP INT TERM
. tests/lib.sh
mkdir "$T/tmp" || exit 2

# m ARGS...: runs memsim with its temporary files under $T/tmp; sets rc, and leaves its
# output in $T/stdout and $T/stderr.
m()
{
	TMPDIR="$T/tmp" "$MEMSIM" "$@" >"$T/stdout" 2>"$T/stderr"
	rc=$?
}

want_err()
{
	grep -q -e "$1" "$T/stderr" || because "stderr lacks '$1': $(head -n 3 "$T/stderr")"
}

# want_clean: plan removed its temporary directory.
want_clean()
{
	left=$(ls -A "$T/tmp")
	[ -z "$left" ] || because "left behind in TMPDIR: $left"
	rm -rf "$T/tmp" && mkdir "$T/tmp"
}

why=
m plan "$DATA/plan_erlang.yaml" --search hosts.0.count --min 1 --max 20
want_rc 0
want_out '^hosts\.0\.count = 9 (the smallest value that meets the SLA)$'
want_out 'hosts\.0\.count=8 r0: fail.*misses max_rejected'
want_out 'hosts\.0\.count=9 r0: pass'
want_out 'hosts\.0\.count=20 r0: pass'
grep -q 'warning' "$T/stderr" && because "unexpected warning: $(cat "$T/stderr")"
want_clean
check "plan finds the Erlang B answer, 9 hosts, and shows the runs that decided it" "$why"

why=
# A narrower range and two replications keep it short: 11 (r0, r1), 8 (r0), 9 (r0, r1).
m plan "$DATA/plan_erlang.yaml" --search hosts.0.count --min 7 --max 11 --replications 2 \
	--format json
want_rc 0
[ "$(head -c 1 "$T/stdout")" = "{" ] || because "stdout is not only JSON: $(head -n 2 "$T/stdout")"
want_out '"key":[[:space:]]*"hosts\.0\.count"'
want_out '"value":[[:space:]]*9,'
want_out '"evidence":[[:space:]]*\['
want_out '"non_monotone":[[:space:]]*false'
want_out '"replication":[[:space:]]*1'
want_out '"pass":[[:space:]]*false'
want_out '"rejected_share":'
if command -v python3 >/dev/null 2>&1; then
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["key"] == "hosts.0.count" and d["value"] == 9, d
ev = d["evidence"]
ok = {e["value"]: e["pass"] for e in ev}
assert ok[8] is False and ok[9] is True and ok[11] is True, ok
assert {(e["value"], e["replication"]) for e in ev} == {(11, 0), (11, 1), (8, 0), (9, 0), (9, 1)}
assert all(set(e) >= {"value", "replication", "pass", "metrics"} for e in ev)
assert len(ev) == len({(e["value"], e["replication"]) for e in ev}), "a run repeated"
' "$T/stdout" 2>"$T/py" || because "JSON check: $(tail -n 1 "$T/py")"
fi
want_clean
check "plan --format json has key, value and evidence, per replication" "$why"

why=
m plan "$DATA/plan_erlang.yaml" --search hosts.0.memory --min 4GiB --max 32GiB --step 4GiB
want_rc 0
want_out '^hosts\.0\.memory = 17179869184 (16\.0 GiB) (the smallest value'
want_out 'hosts\.0\.memory=12884901888 (12\.0 GiB) r0: fail'
want_clean
check "plan searches a size given with units (16GiB for 5 hosts)" "$why"

why=
m plan "$DATA/plan_erlang.yaml" --search hosts.0.count --min 1 --max 3
want_rc 1
want_out '^no value of hosts\.0\.count from 1 to 3 meets the SLA'
[ "$(grep -c ' r0: ' "$T/stdout")" -eq 1 ] || because "more than the one run at max"
want_clean
check "plan says when no value in range meets the SLA, exit 1" "$why"

why=
m plan "$DATA/plan_no_sla.yaml" --search hosts.0.count --max 4
want_rc 2
want_err 'no sla'
want_clean
check "plan refuses a config without an SLA, exit 2" "$why"

why=
m plan "$DATA/plan_erlang.yaml" --search hosts.0.bogus --max 4
want_rc 2
want_err 'bogus'
[ -s "$T/stdout" ] && because "stdout not empty: $(head -n 2 "$T/stdout")"
want_clean
check "plan refuses an unknown --search key, exit 2" "$why"

why=
m plan "$DATA/plan_erlang.yaml"
want_rc 2
want_err 'search'
m plan "$DATA/plan_erlang.yaml" --search hosts.0.memory --min 4GiB --max 32GiB
want_rc 2
want_err 'step'
m plan "$DATA/plan_erlang.yaml" --search hosts.0.count --min 5 --max 2
want_rc 2
m plan "$DATA/plan_erlang.yaml" --search hosts.0.count --format yaml
want_rc 2
m plan "$DATA/plan_erlang.yaml" --search hosts.0.count --frobnicate
want_rc 2
want_clean
check "plan usage errors exit 2" "$why"

# --- a killed plan takes its run with it ------------------------------------------------

# The run plan starts is held in its results write by the test hook MEMSIM_TEST_HOLD
# (analysis/outfile.c), which says "PID TEMPORARY" on the FIFO $H/said and waits for a
# line on $H/go.  The job around plan holds $H/said open until plan has ended and says
# "exit N" on it, so every read below ends, whether or not the run dies with plan.
why=
H=$T/hold
mkdir "$H" && mkfifo "$H/said" "$H/go"
(
	exec 4>"$H/said"
	MEMSIM_TEST_HOLD=$H TMPDIR="$T/tmp" "$MEMSIM" plan "$DATA/plan_erlang.yaml" \
		--search hosts.0.count --min 8 --max 9 >/dev/null 2>"$T/stderr" 4>&-
	echo "exit $?" >&4
) &
job=$!
exec 3<"$H/said"
read -r run_pid run_tmp <&3
if [ "$run_pid" = exit ]; then
	because "plan ended (status $run_tmp) before its first run wrote: $(cat "$T/stderr")"
else
	plan_pid=$(sed -n 's/^PPid:[[:space:]]*//p' "/proc/$run_pid/status")
	kill -KILL "$plan_pid"
	read -r word plan_rc <&3
	[ "$plan_rc" = 137 ] || because "plan ended with '$plan_rc', want 137 (SIGKILL)"
	# Plan is gone; a run still alive would now finish its write.
	exec 6<>"$H/go"
	echo go >&6
	exec 6<&-
	# The end of $H/said: every writer, the run among them, has closed it.
	cat <&3 >/dev/null
	dir=${run_tmp%/*}
	[ ! -e "$dir/run.json" ] || because "the run went on and wrote $dir/run.json"
	[ ! -e "$run_tmp" ] || because "the run left its temporary file $run_tmp"
fi
exec 3<&-
wait "$job"
rm -rf "$T/tmp" && mkdir "$T/tmp"
check "killing plan (SIGKILL) ends its run, which removes its temporary file" "$why"
# --- --largest, fractional steps, --set, --seed, -o DIR -------------------------------

why=
# 10 hosts of one VM each, arrivals 5/h, lifetime mean L: a = 5 L/h erlangs, and by the
# recursion above B(10, 6.0) = 0.0431 (L = 72m) and B(10, 6.5) = 0.0598 (L = 78m); with
# max_rejected 5.1% between them, the largest mean lifetime on a 6-minute grid is 72m.
m plan "$DATA/plan_erlang.yaml" --search workload.groups.0.lifetime.mean --min 30m --max 3h \
	--step 6m --largest --set hosts.0.count=10 --set sla.max_rejected=5.1% -o "$T/keep"
want_rc 0
want_out '^workload\.groups\.0\.lifetime\.mean = 72m (the largest value that meets the SLA)$'
want_out 'mean=30m r0: pass'
want_out 'mean=72m r0: pass'
want_out 'mean=78m r0: fail.*misses max_rejected'
[ -s "$T/keep/workload.groups.0.lifetime.mean=72m.json" ] ||
	because "no run file kept for 72m: $(ls "$T/keep")"
if command -v python3 >/dev/null 2>&1; then
	# Every evidence line's numbers are its run file's, and the runs had 10 hosts.
	python3 -c '
import json, re, sys
lines = open(sys.argv[1]).read().splitlines()
ev = [l for l in lines if re.match(r"  \S+=\S+ r0: ", l)]
assert len(ev) >= 4, lines
for i, l in enumerate(ev):
    path = lines[lines.index(l) + 1].strip()
    d = json.load(open(path))
    v, s = d["summary"]["vms"], d["summary"]["performance"]
    assert d["config"]["hosts"][0]["count"] == 10, path
    assert d["config"]["sla"]["max_rejected"] == 0.051, d["config"]["sla"]
    rej = 100.0 * v["rejected"] / v["arrived"]
    assert "rejected %.2f%% (max 5.10%%)" % rej in l, (l, rej)
    assert "slowdown %.2f%% mean, %.2f%% p99" % (100 * s["slowdown_mean"],
        100 * s["slowdown_p99"]) in l, l
    assert ("pass" in l) == (rej <= 5.1), l
' "$T/stdout" 2>"$T/py" || because "evidence against run files: $(tail -n 1 "$T/py")"
fi
want_clean
check "plan --largest finds the largest mean lifetime, 72m (Erlang B), and keeps run files" "$why"

why=
# Overcommit ratio r on 9GiB hosts admits floor(9r/8) VMs of 8GiB: two from r = 16/9 = 1.78,
# B(10, 5) = 0.0184 passes and one, B(5, 5) = 0.2849, misses: on 1, 1.05, ... 2 it is 1.8.
m plan "$DATA/plan_erlang.yaml" --search policies.overcommit.max --min 1 --max 2 --step 0.05 \
	--set policies.overcommit.policy=ratio --set hosts.0.memory=9GiB --seed 11 \
	--format json -o "$T/frac"
want_rc 0
want_out '"value":[[:space:]]*1\.8,'
want_out '"value_text":[[:space:]]*"1\.8"'
if command -v python3 >/dev/null 2>&1; then
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
ok = {round(e["value"], 9): e["pass"] for e in d["evidence"]}
assert ok[1.8] is True and ok[1.75] is False and ok[2.0] is True, ok
for e in d["evidence"]:
    r = json.load(open(e["file"]))
    assert r["seed"] == 11, r["seed"]
    assert abs(r["config"]["policies"]["overcommit"]["max"] - e["value"]) < 1e-12
    s, v = r["summary"], r["summary"]["vms"]
    m = e["metrics"]
    assert m["rejected_share"] == v["rejected"] / v["arrived"], (m, v)
    assert m["slowdown_p99"] == s["performance"]["slowdown_p99"]
    assert m["swapped_bytes_mean"] == s["memory"]["swapped_bytes_mean"]
    assert m["sla_violations"] == s["performance"]["sla_violations"]
' "$T/stdout" 2>"$T/py" || because "JSON check: $(tail -n 1 "$T/py")"
fi
want_clean
# The same search in percentages: 180%, given to the runs as "180%".
m plan "$DATA/plan_erlang.yaml" --search policies.overcommit.max --min 100% --max 200% \
	--step 5% --set policies.overcommit.policy=ratio --set hosts.0.memory=9GiB
want_rc 0
want_out '^policies\.overcommit\.max = 180% (the smallest value that meets the SLA)$'
want_out 'policies\.overcommit\.max=175% r0: fail'
want_clean
check "plan takes fractional steps (overcommit.max = 1.8, or 180%), --seed and --set" "$why"

why=
m sweep "$DATA/sweep_small.yaml" -o "$T/sw" --set hosts.0.memory=8GiB --seed 99
want_rc 0
for f in "$T"/sw/runs/*.json; do
	grep -q '"seed":[[:space:]]*99,' "$f" || because "$f: seed is not 99"
	grep -q '"memory":[[:space:]]*8589934592' "$f" || because "$f: host memory is not 8GiB"
done
grep -q '"count":[[:space:]]*2' "$T/sw/runs/p001-r0.json" ||
	because "the axis hosts.0.count=2 lost to --set at p001"
m sweep "$DATA/sweep_small.yaml" -o "$T/sw2" --set nokey
want_rc 2
m sweep "$DATA/sweep_small.yaml" -o "$T/sw2" --seed -1
want_rc 2
check "sweep passes --set and --seed to every run, and the axes win" "$why"

why=
m plan "$DATA/plan_erlang.yaml" --search policies.overcommit.max --min 1 --max 2GiB --step 0.1
want_rc 2
want_err 'one kind'
m plan "$DATA/plan_erlang.yaml" --search policies.overcommit.max --min 1 --max 2 --step 0
want_rc 2
want_err 'positive'
m plan "$DATA/plan_erlang.yaml" --search policies.overcommit.max --min 1.5 --max 2
want_rc 2
want_err 'needs --min, --max and --step'
m plan "$DATA/plan_erlang.yaml" --search hosts.0.count --set nokey
want_rc 2
m plan "$DATA/plan_erlang.yaml" --search sla.max_rejected --min 1% --max 49% --step 2%
want_rc 2
want_err 'the SLA is what plan judges by'
want_clean
check "plan refuses mixed kinds, a zero step, an incomplete range, a bad --set, an SLA key" "$why"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
