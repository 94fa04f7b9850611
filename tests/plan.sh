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
want_out '^hosts\.0\.count = 9$'
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
want_out '^hosts\.0\.memory = 17179869184 (16\.0 GiB)$'
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

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
