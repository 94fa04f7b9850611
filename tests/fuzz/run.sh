#!/bin/sh
# tests/fuzz/run.sh - runs each libFuzzer harness for FUZZ_SECONDS (default
# 20) from its seed corpus; run from the repo root as
#   sh tests/fuzz/run.sh build/fuzz config trace ...
# The seeds are the project's own examples and test data, gathered into
# BUILD/corpus/NAME (which also keeps what the fuzzer finds), plus the
# inputs kept in tests/fuzz/corpus/NAME.  A harness that crashes, trips a
# sanitizer or breaks a check leaves BUILD/crash-NAME-* and fails the run.
# Ends with one line "N passed, M failed" and exits non-zero if any failed.

B=$1
shift
secs=${FUZZ_SECONDS:-20}
pass=0
fail=0

# seed NAME FILE...: copies the files that exist into NAME's corpus.
seed()
{
	d=$B/corpus/$1
	shift
	mkdir -p "$d"
	for f in "$@"; do
		[ -f "$f" ] && cp "$f" "$d/$(echo "$f" | tr / _)"
	done
}

seed config configs/*.yaml tests/data/*.yaml
seed trace workloads/*.yaml
seed sweep configs/sweeps/*.yaml tests/data/sweep_*.yaml
seed results tests/data/*.json
seed import_bitbrains tests/data/import/bitbrains/*.csv
seed import_azure tests/data/import/azure-v1/*.csv tests/data/import/azure-v2/*.csv
seed import_alibaba tests/data/import/alibaba-gpu/*.csv
seed import_google tests/data/import/google-derived/vm_*
mkdir -p "$B/corpus/set"

# The harnesses' temporary folders, left behind by a crash, go with the run.
TMPDIR=$B/tmp
export TMPDIR
rm -rf "$TMPDIR"
mkdir -p "$TMPDIR"

for name in "$@"; do
	kept=tests/fuzz/corpus/$name
	[ -d "$kept" ] || kept=
	echo "== fuzz $name: ${secs}s"
	# -timeout: an input slower than 30 s is a hang (a loader must be linear).
	if "$B/fuzz_$name" -max_total_time="$secs" -timeout=30 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$B/crash-$name-" \
		"$B/corpus/$name" $kept </dev/null >"$B/fuzz-$name.log" 2>&1; then
		pass=$((pass + 1))
		echo "ok - fuzz $name: $(grep -a -o 'stat::number_of_executed_units: *[0-9]*' \
			"$B/fuzz-$name.log" | grep -o '[0-9]*$') runs"
	else
		fail=$((fail + 1))
		echo "FAIL - fuzz $name (log: $B/fuzz-$name.log)"
		grep -a -E 'ERROR|error:|abort|SUMMARY|Test unit written' "$B/fuzz-$name.log" |
			head -n 12 | sed 's/^/#   /'
	fi
done
rm -rf "$TMPDIR"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
