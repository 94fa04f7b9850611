#!/bin/sh
# tests/sweep.sh - `memsim sweep` end to end (DESIGN.md section 9): -j 1 and -j 2 write
# the same summaries, a sweep killed with SIGKILL and started again finishes with the
# same summaries and no duplicate or partial run files, a failing point is recorded
# while the others complete, the CSV's shape, and a bad sweep file.  POSIX sh; run from
# the repo root as
#   MEMSIM=./build/memsim sh tests/sweep.sh
# Ends with one line "N passed, M failed" and exits non-zero if any check failed.

MEMSIM=${MEMSIM:-./build/memsim}
DATA=tests/data
T=$(mktemp -d "${TMPDIR:-/tmp}/memsim-sweep.XXXXXX") || exit 2
bg=
trap '[ -n "$bg" ] && kill -9 "$bg" 2>/dev/null; rm -rf "$T"' EXIT
trap 'exit 2' HUP INT TERM
. tests/lib.sh

# history FILE: summary.json without its "last_start" object, the one part that tells
# what the latest start did (cJSON prints it last, one key a line, closed by a tab and }).
history()
{
	sed '/^	"last_start":/,/^	}/d' "$1"
}

# same_summaries A B: both folders hold byte-identical summary.csv, and summary.json
# byte-identical apart from "last_start".
same_summaries()
{
	for f in summary.json summary.csv; do
		if [ ! -s "$1/$f" ] || [ ! -s "$2/$f" ]; then
			because "$f is missing or empty in $1 or $2"
		elif [ $f = summary.csv ] && ! cmp -s "$1/$f" "$2/$f"; then
			because "$f differs between $1 and $2"
		elif [ $f = summary.json ] && [ "$(history "$1/$f")" != "$(history "$2/$f")" ]; then
			because "$f differs between $1 and $2 (apart from last_start)"
		fi
	done
}

# want_tally DIR REUSED REDONE NEW: summary.json's last_start, and stderr's last line; runs are
# matched by the fingerprint each results file carries (analysis/fingerprint.c).
want_tally()
{
	got=$(sed -n '/^	"last_start":/,/^	}/p' "$1/summary.json" | tr -d ' \t\n')
	want="\"last_start\":{\"reused\":$2,\"redone\":$3,\"new\":$4}"
	[ "$got" = "$want" ] || because "last_start is '$got', want '$want'"
	grep -q "^memsim sweep: $(($2 + $3 + $4)) runs: $2 reused, $3 redone .*, $4 new\$" \
		"$T/stderr" || because "stderr does not say $2 reused, $3 redone, $4 new: $(cat "$T/stderr")"
}

# count DIR PATTERN: how many files in DIR match the shell PATTERN.
count()
{
	n=0
	for f in "$1"/$2; do
		[ -e "$f" ] && n=$((n + 1))
	done
	echo "$n"
}

# runs_complete DIR N: DIR/runs holds exactly N results files, each whole, and nothing else.
runs_complete()
{
	[ "$(count "$1/runs" '*')" -eq "$2" ] ||
		because "$1/runs holds $(count "$1/runs" '*') files, want $2: $(ls "$1/runs")"
	[ "$(count "$1/runs" '*.json')" -eq "$2" ] ||
		because "$1/runs holds $(count "$1/runs" '*.json') results files, want $2"
	for f in "$1"/runs/*.json; do
		[ "$(tail -c 2 "$f" | head -c 1)" = "}" ] || because "$f is not a whole JSON file"
	done
}

# --- -j 1 and -j 2 -------------------------------------------------------------------------

why=
m sweep "$DATA/sweep_small.yaml" -j 1 -o "$T/j1"
want_rc 0
m sweep "$DATA/sweep_small.yaml" -j 2 -o "$T/j2"
want_rc 0
same_summaries "$T/j1" "$T/j2"
runs_complete "$T/j1" 12
runs_complete "$T/j2" 12
check "-j 1 and -j 2 write byte-identical summaries from 12 runs" "$why"

why=
m sweep "$DATA/sweep_small.yaml" -j 2 -o "$T/j2"
want_rc 0
same_summaries "$T/j1" "$T/j2"
want_tally "$T/j2" 12 0 0
check "a finished sweep started again changes nothing and says it reused all 12 runs" "$why"

# --- stale runs: the base config or the axes changed since ---------------------------------

# Copies of sweep_small.yaml and its base, to change between starts.
mkdir "$T/stale"
cp "$DATA/sweep_small.yaml" "$DATA/sweep_tiny.yaml" "$T/stale/"
why=
m sweep "$T/stale/sweep_small.yaml" -o "$T/stale/out"
want_rc 0
want_tally "$T/stale/out" 0 0 12
# 2 h to 4 h: every run was made from another config; 4 h is 14400 s.
sed 's/^duration: 2h$/duration: 4h/' "$DATA/sweep_tiny.yaml" >"$T/stale/sweep_tiny.yaml"
m sweep "$T/stale/sweep_small.yaml" -o "$T/stale/out"
want_rc 0
want_tally "$T/stale/out" 0 12 0
m sweep "$T/stale/sweep_small.yaml" -o "$T/stale/fresh4h"
want_rc 0
same_summaries "$T/stale/out" "$T/stale/fresh4h"
runs_complete "$T/stale/out" 12
[ "$(grep -c '"duration_s":[[:space:]]*14400,*$' "$T/stale/out/runs/p000-r0.json")" -eq 1 ] ||
	because "p000-r0.json does not hold duration_s 14400 (4 h)"
grep -q '"summary.duration_s":[[:space:]]*{[[:space:]]*$' "$T/stale/out/summary.json" &&
	[ "$(grep -c '"mean":[[:space:]]*14400,' "$T/stale/out/summary.json")" -ge 4 ] ||
	because "summary.json does not give duration_s a mean of 14400 at every point"
check "after the base config changes (2 h to 4 h), all 12 runs are redone" "$why"

# hosts.0.count 1..2 to 1..3 with step 2: points 1 and 3 (count 1) are as before, points 2
# and 4 (count 2 then, 3 now) are not: 2 points x 3 replications reused, 2 x 3 redone.
why=
sed 's/{from: 1, to: 2, step: 1}/{from: 1, to: 3, step: 2}/' "$DATA/sweep_small.yaml" \
	>"$T/stale/sweep_small.yaml"
grep -q 'to: 3, step: 2' "$T/stale/sweep_small.yaml" || because "the sed did not change the axis"
m sweep "$T/stale/sweep_small.yaml" -o "$T/stale/out"
want_rc 0
want_tally "$T/stale/out" 6 6 0
m sweep "$T/stale/sweep_small.yaml" -o "$T/stale/fresh3"
want_rc 0
same_summaries "$T/stale/out" "$T/stale/fresh3"
grep -q '"hosts_used":[[:space:]]*3,' "$T/stale/out/runs/p001-r0.json" ||
	grep -q '"host_bytes":[[:space:]]*51539607552,' "$T/stale/out/runs/p001-r0.json" ||
	because "p001-r0.json is not a run of 3 hosts of 16 GiB (51539607552 bytes)"
check "after an axis changes, the 6 runs of its changed points are redone, 6 reused" "$why"

# --- the summaries' shape -------------------------------------------------------------------

why=
csv=$T/j1/summary.csv
head -n 1 "$csv" | grep -q '^id,policies\.balloon\.policy,hosts\.0\.count,summary\.' ||
	because "header does not start with id and the two axes: $(head -c 120 "$csv")"
sd=summary.performance.slowdown_mean
head -n 1 "$csv" | grep -q -F ",$sd.mean,$sd.ci95_low,$sd.ci95_high," ||
	because "header lacks the mean, ci95_low and ci95_high of slowdown_mean"
[ "$(wc -l <"$csv" | tr -d ' ')" -eq 5 ] || because "not a header and 4 rows: $(wc -l <"$csv")"
# Points in order: the last axis varies fastest.
want="id,policies.balloon.policy,hosts.0.count p000,none,1 p001,none,2"
want="$want p002,static,1 p003,static,2 "
[ "$(cut -d, -f1-3 "$csv" | tr '\n' ' ')" = "$want" ] ||
	because "points are not in grid order: $(cut -d, -f1-3 "$csv" | tr '\n' ' ')"
cols=$(head -n 1 "$csv" | awk -F, '{ print NF }')
awk -F, -v c="$cols" 'NF != c { bad = 1 } END { exit bad }' "$csv" ||
	because "rows do not all have $cols fields"
[ $(( (cols - 3) % 3 )) -eq 0 ] || because "$cols columns are not id, 2 axes and 3 per metric"
check "summary.csv: a header, one row per point in order, 3 columns per metric" "$why"

why=
j=$T/j1/summary.json
grep -q '"schema":[[:space:]]*"memsim-sweep/1"' "$j" || because "no schema memsim-sweep/1"
[ "$(grep -c '"id":' "$j")" -eq 4 ] || because "not 4 points"
[ "$(grep -c '"runs":[[:space:]]*3,' "$j")" -eq 4 ] || because "not 3 runs in every point"
# Points p002 and p003 (static) have baselines p000 and p001 (none); those have none.
[ "$(grep -c '"vs_baseline":' "$j")" -eq 2 ] || because "not 2 points with vs_baseline"
grep -q '"baseline":[[:space:]]*"p000"' "$j" && grep -q '"baseline":[[:space:]]*"p001"' "$j" ||
	because "baselines are not p000 and p001"
grep -q '"summary.performance.slowdown_mean":' "$j" || because "no slowdown_mean metric"
check "summary.json: schema, points, runs and baselines" "$why"

# --- SIGKILL part-way, then resume ----------------------------------------------------------

why=
m sweep "$DATA/sweep_big.yaml" -j 2 -o "$T/whole"
want_rc 0
runs_complete "$T/whole" 40

"$MEMSIM" sweep "$DATA/sweep_big.yaml" -j 1 -o "$T/killed" >/dev/null 2>&1 &
bg=$!
# Kill it once a few runs are done (runs take milliseconds, so poll often).
i=0
while [ "$(count "$T/killed/runs" '*.json')" -lt 4 ] && [ $i -lt 2000 ]; do
	sleep 0.01 2>/dev/null || sleep 1
	i=$((i + 1))
done
kill -9 "$bg" 2>/dev/null
wait "$bg" 2>/dev/null
bg=
done_before=$(count "$T/killed/runs" '*.json')
[ "$done_before" -gt 0 ] && [ "$done_before" -lt 40 ] ||
	because "the kill did not land part-way: $done_before of 40 runs were done"
[ ! -e "$T/killed/summary.json" ] || because "a killed sweep wrote a summary"
m sweep "$DATA/sweep_big.yaml" -j 1 -o "$T/killed"
want_rc 0
same_summaries "$T/whole" "$T/killed"
runs_complete "$T/killed" 40
want_tally "$T/killed" "$done_before" 0 $((40 - done_before))
check "a sweep killed with SIGKILL after $done_before runs resumes to identical summaries" "$why"

# --- a failing point ------------------------------------------------------------------------

why=
m sweep "$DATA/sweep_fail.yaml" -j 2 -o "$T/fail"
want_rc 1
[ -s "$T/fail/summary.json" ] && [ -s "$T/fail/summary.csv" ] || because "no summaries"
[ "$(count "$T/fail/runs" 'p001-r*.err')" -eq 2 ] || because "p001 has no 2 .err files"
[ "$(count "$T/fail/runs" '*.json')" -eq 4 ] || because "the other points did not complete"
grep -q '"error":.*unknown balloon policy' "$T/fail/summary.json" ||
	because "summary.json does not record the error"
grep -q '^p001,no-such-policy,,,' "$T/fail/summary.csv" || because "p001's CSV row is not empty"
grep -q 'runs failed' "$T/stderr" || because "stderr does not say runs failed"
check "a failing point is recorded with its error, the others complete, exit 1" "$why"

# --- bad sweep files and usage --------------------------------------------------------------

why=
m sweep "$DATA/sweep_bad_key.yaml" -o "$T/bad"
want_rc 2
[ "$(wc -l <"$T/stderr" | tr -d ' ')" -eq 1 ] &&
	grep -q "^$DATA/sweep_bad_key.yaml:4:1: error: unknown key 'replicas'" "$T/stderr" ||
	because "stderr is not one error at 4:1: $(cat "$T/stderr")"
[ ! -e "$T/bad" ] || because "the output folder was created"
check "a bad sweep file exits 2 with PATH:LINE:COL and creates no folder" "$why"

why=
m sweep "$DATA/sweep_small.yaml" -j 0 -o "$T/bad"
want_rc 2
m sweep
want_rc 2
m sweep --help
want_rc 0
grep -q '^usage: memsim sweep' "$T/stdout" || because "no usage"
[ ! -e "$T/bad" ] || because "the output folder was created"
check "usage errors exit 2; --help prints usage" "$why"

# DESIGN.md's sweep example, policies.balloon.policy: [none, static], on a base
# whose balloon is static with a target: the none point inherits no target.
why=
m sweep "$DATA/sweep_replace.yaml" -j 1 -o "$T/replace"
want_rc 0
runs_complete "$T/replace" 2
balloons=
for f in "$T"/replace/runs/*.json; do
	balloons="$balloons $(tr -d ' \n\t' <"$f" | grep -o '"balloon":{[^}]*}')"
done
case $balloons in
*'"balloon":{"policy":"none","rate":1073741824,"max":0.65}'*) ;;
*) because "no point has the balloon {policy: none, rate, max}: $balloons" ;;
esac
case $balloons in
*'"balloon":{"policy":"static","target":0.3,"rate":1073741824,"max":0.65}'*) ;;
*) because "no point has the base's static balloon: $balloons" ;;
esac
check "a sweep axis of balloon policy names replaces the base's static balloon" "$why"

# The example in configs/sweeps runs, and its summary has its 2 x 3 points.
why=
m sweep configs/sweeps/example.yaml -j 2 -o "$T/example"
want_rc 0
[ "$(grep -c '"id":' "$T/example/summary.json")" -eq 6 ] || because "not 6 points"
[ "$(wc -l <"$T/example/summary.csv" | tr -d ' ')" -eq 7 ] || because "not a header and 6 rows"
check "the example sweep in configs/sweeps runs" "$why"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
