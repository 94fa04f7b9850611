#!/bin/sh
# tests/mpi.sh - `memsim sweep --mpi` (built by `make mpi`) end to end: with 2 ranks it
# writes byte-identical summaries to a local sweep of the same file, each run file once;
# started again it changes nothing; runs made from another config are redone; a failing
# point is recorded as locally; and the plain
# binary refuses --mpi, naming `make mpi`.  POSIX sh; run from the repo root as
#   MEMSIM=./build/memsim MEMSIM_MPI=./build/mpi/memsim sh tests/mpi.sh
# Ends with one line "N passed, M failed" and exits non-zero if any check failed.

MEMSIM=${MEMSIM:-./build/memsim}
MEMSIM_MPI=${MEMSIM_MPI:-./build/mpi/memsim}
DATA=tests/data
T=$(mktemp -d "${TMPDIR:-/tmp}/memsim-mpi.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 2' HUP INT TERM

# Open MPI refuses root (CI runs as root) unless both are set.  --oversubscribe lets 2
# ranks start on a machine with fewer cores; the shared-memory transport needs nothing
# else here.  timeout keeps a hung job from hanging CI.
OMPI_ALLOW_RUN_AS_ROOT=1
OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM
MPIRUN="timeout 300 mpirun --oversubscribe -n 2"

. tests/lib.sh

# mpi ARGS...: runs the MPI memsim under mpirun with 2 ranks, the same way.
mpi()
{
	$MPIRUN "$MEMSIM_MPI" "$@" >"$T/stdout" 2>"$T/stderr"
	rc=$?
}

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

# want_tally DIR REUSED REDONE NEW: summary.json's last_start, and stderr's last line.
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

# snapshot DIR: every run file of DIR with its inode (a run file written again, always by
# rename, gets a new one), then the summaries' bytes (rewritten each time, the same bytes
# apart from last_start).
snapshot()
{
	(cd "$1" && ls -i runs/* && history summary.json && cat summary.csv)
}

if ! command -v mpirun >/dev/null 2>&1; then
	echo "mpirun is missing: run make deps-mpi"
	echo "0 passed, 1 failed"
	exit 1
fi

# --- 2 ranks against the local sweep --------------------------------------------------------

why=
m sweep "$DATA/sweep_small.yaml" -j 2 -o "$T/local"
want_rc 0
mpi sweep "$DATA/sweep_small.yaml" --mpi -o "$T/mpi"
want_rc 0
same_summaries "$T/local" "$T/mpi"
runs_complete "$T/local" 12
runs_complete "$T/mpi" 12
check "2 ranks write the local sweep's summaries byte for byte, each of 12 runs once" "$why"

why=
mpi sweep "$DATA/sweep_small.yaml" --mpi -j 2 -o "$T/mpi_j2"
want_rc 0
same_summaries "$T/local" "$T/mpi_j2"
runs_complete "$T/mpi_j2" 12
check "2 ranks of 2 workers each write the same summaries" "$why"

# --- resuming ---------------------------------------------------------------------------------

why=
snapshot "$T/mpi" >"$T/before" 2>&1
mpi sweep "$DATA/sweep_small.yaml" --mpi -o "$T/mpi"
want_rc 0
snapshot "$T/mpi" >"$T/after" 2>&1
cmp -s "$T/before" "$T/after" ||
	because "files were written again: $(diff "$T/before" "$T/after" | head -n 4)"
same_summaries "$T/local" "$T/mpi"
runs_complete "$T/mpi" 12
want_tally "$T/mpi" 12 0 0
check "a finished MPI sweep started again changes nothing and says it reused all 12" "$why"

why=
rm -f "$T/mpi_j2/runs/p001-r1.json" "$T/mpi_j2/runs/p002-r0.json" "$T/mpi_j2/summary.json"
mpi sweep "$DATA/sweep_small.yaml" --mpi -o "$T/mpi_j2"
want_rc 0
same_summaries "$T/local" "$T/mpi_j2"
runs_complete "$T/mpi_j2" 12
want_tally "$T/mpi_j2" 10 0 2
check "an MPI sweep with runs missing runs only those and writes the same summaries" "$why"

# hosts.0.count 1..2 to 1..3 with step 2: points 1 and 3 (count 1) are as before, points 2
# and 4 are not: 2 points x 3 replications reused, 2 x 3 redone, over both ranks.
why=
mkdir "$T/stale"
cp "$DATA/sweep_tiny.yaml" "$T/stale/"
sed 's/{from: 1, to: 2, step: 1}/{from: 1, to: 3, step: 2}/' "$DATA/sweep_small.yaml" \
	>"$T/stale/sweep_small.yaml"
mpi sweep "$T/stale/sweep_small.yaml" --mpi -o "$T/mpi"
want_rc 0
want_tally "$T/mpi" 6 6 0
m sweep "$T/stale/sweep_small.yaml" -o "$T/stale/local"
want_rc 0
same_summaries "$T/stale/local" "$T/mpi"
runs_complete "$T/mpi" 12
check "after an axis changes, 2 ranks redo the 6 runs of its changed points, reuse 6" "$why"

# --- a failing point --------------------------------------------------------------------------

why=
m sweep "$DATA/sweep_fail.yaml" -o "$T/fail_local"
want_rc 1
mpi sweep "$DATA/sweep_fail.yaml" --mpi -o "$T/fail_mpi"
[ "$rc" -ne 0 ] || because "exit status 0, want non-zero"
same_summaries "$T/fail_local" "$T/fail_mpi"
[ "$(count "$T/fail_mpi/runs" 'p001-r*.err')" -eq 2 ] || because "p001 has no 2 .err files"
[ "$(count "$T/fail_mpi/runs" '*.json')" -eq 4 ] || because "the other points did not complete"
grep -q 'runs failed' "$T/stderr" || because "stderr does not say runs failed"
check "a failing point under MPI is recorded as locally and the job fails" "$why"

# --- the plain binary -------------------------------------------------------------------------

why=
m sweep "$DATA/sweep_small.yaml" --mpi -o "$T/plain"
want_rc 2
grep -q 'make mpi' "$T/stderr" || because "stderr does not name make mpi: $(cat "$T/stderr")"
[ ! -e "$T/plain" ] || because "it created $T/plain"
if command -v nm >/dev/null 2>&1 && nm "$MEMSIM" 2>/dev/null | grep -q 'MPI_'; then
	because "$MEMSIM has MPI symbols"
fi
check "--mpi on the plain binary exits 2 naming make mpi" "$why"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
