#!/bin/sh
# tests/cli.sh - the memsim command line (DESIGN.md section 7): exit status, gcc-style
# error lines with the expected line and column, no output left behind by a failed run,
# and what run and validate write.  POSIX sh; run from the repo root as
#   MEMSIM=./build/memsim sh tests/cli.sh
# Ends with one line "N passed, M failed" and exits non-zero if any check failed.

MEMSIM=${MEMSIM:-./build/memsim}
DATA=tests/data
T=$(mktemp -d "${TMPDIR:-/tmp}/memsim-cli.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 2' HUP INT TERM
. tests/lib.sh

# others DIR NAME...: the files in DIR other than the NAMEs, on one line.
others()
{
	d=$1
	shift
	found=
	for f in "$d"/* "$d"/.[!.]* "$d"/..?*; do
		[ -e "$f" ] || continue
		b=${f##*/}
		keep=
		for k in "$@"; do
			[ "$b" = "$k" ] && keep=1
		done
		[ -n "$keep" ] || found="$found $b"
	done
	echo "${found# }"
}

# --- version, help and usage errors ------------------------------------------------

why=
m --version
want_rc 0
grep -q '^memsim [0-9][0-9]*\.[0-9][0-9]*' "$T/stdout" ||
	because "stdout is not 'memsim VERSION': $(cat "$T/stdout")"
check "--version prints the version and exits 0" "$why"

for cmd in "" run validate; do
	why=
	# shellcheck disable=SC2086 # $cmd is one word or none
	m $cmd --help
	want_rc 0
	want_out "^usage: memsim"
	check "memsim${cmd:+ $cmd} --help prints usage and exits 0" "$why"
done

why=
m
want_rc 2
grep -q '^usage: memsim' "$T/stderr" || because "no usage on stderr"
check "no arguments exit 2 with usage" "$why"

why=
m frobnicate
want_rc 2
check "an unknown command exits 2" "$why"

why=
m run "$DATA/cli_good.yaml" --frobnicate -o "$T/unknown-option.json"
want_rc 2
grep -q -F -e "--frobnicate" "$T/stderr" || because "stderr does not name the option"
[ ! -e "$T/unknown-option.json" ] || because "an output file was written"
check "an unknown option exits 2 and names it" "$why"

why=
m run "$T/no-such-config.yaml" -o "$T/missing.json"
want_rc 2
grep -q -F -e "$T/no-such-config.yaml" "$T/stderr" || because "stderr does not name the file"
[ ! -e "$T/missing.json" ] || because "an output file was written"
check "run on a missing config exits 2 and names the file" "$why"

# --- bad configs: one located error line, no output left behind ------------------------

# bad_config FILE LINE COL: run refuses tests/data/FILE with an error at LINE:COL.
bad_config()
{
	cfg=$DATA/$1
	want="$cfg:$2:$3: error: "
	dir=$T/bad-$1
	mkdir "$dir"

	why=
	m run "$cfg" -o "$dir/out.json"
	want_rc 2
	n=$(lines "$T/stderr")
	[ "$n" -eq 1 ] || because "stderr has $n lines, want 1: $(head -n 3 "$T/stderr")"
	case $(head -n 1 "$T/stderr") in
	"$want"*) ;;
	*) because "stderr '$(head -n 1 "$T/stderr")' does not start with '$want'" ;;
	esac
	[ ! -e "$dir/out.json" ] || because "an output file was created"
	check "$1: exit 2, one line '$want...', no output file" "$why"

	why=
	echo stale >"$dir/out.json"
	m run "$cfg" -o "$dir/out.json"
	want_rc 2
	[ ! -e "$dir/out.json" ] || because "the stale output file is still there"
	left=$(others "$dir")
	[ -z "$left" ] || because "files left in the output folder: $left"
	check "$1: a stale output file is removed" "$why"
}

bad_config cli_syntax.yaml 3 13
bad_config cli_unknown_key.yaml 3 1
bad_config cli_bad_unit.yaml 5 13
bad_config cli_missing_key.yaml 2 1
bad_config cli_bad_workload.yaml 5 11
bad_config cli_unknown_policy.yaml 6 23
bad_config cli_wrong_type.yaml 3 8

why=
m validate "$DATA/cli_unknown_key.yaml"
want_rc 2
case $(head -n 1 "$T/stderr") in
"$DATA/cli_unknown_key.yaml:3:1: error: unknown key 'duraton'"*) ;;
*) because "stderr: $(head -n 3 "$T/stderr")" ;;
esac
check "validate reports a bad config at its line and column and exits 2" "$why"

# --- input limits: one-line errors, ranges, bounds, large files ---------------------

# cfg_with FILE KEY-LINES...: cli_good.yaml in $T/FILE, with each KEY-LINE ("key: ...")
# in place of the top-level key it names.
cfg_with()
{
	f=$T/$1
	shift
	cp "$DATA/cli_good.yaml" "$f"
	for l in "$@"; do
		awk -v k="${l%%:*}:" '$1 == k { skip = 1; next } /^[^ ]/ { skip = 0 } !skip' \
			"$f" >"$f.tmp" && mv "$f.tmp" "$f"
		printf '%s\n' "$l" >>"$f"
	done
}

why=
cfg_with newline.yaml 'policies: {balloon: {policy: "no\nne"}}'
m validate "$T/newline.yaml"
want_rc 2
want_err_line
grep -q -F "'no\\nne'" "$T/stderr" || because "the newline is not written as \\n: $(cat "$T/stderr")"
check "an error quoting a value with a newline is one line, the newline escaped" "$why"

why=
m run "$DATA/cli_good.yaml" "$(printf -- '--no\nsuch')" -o "$T/nl-option.json"
want_rc 2
[ "$(head -n 1 "$T/stderr")" = "memsim: unknown option '--no\\nsuch'" ] ||
	because "first line: $(head -n 1 "$T/stderr")"
check "a usage error echoing an argument with a newline keeps it on one line" "$why"

# Values that overflowed 64 bits once (negative host_bytes and stall_s, exit 0).
# refused_range FILE WANT KEY-LINE: cli_good.yaml with KEY-LINE is refused on one
# located line that says WANT.
refused_range()
{
	why=
	cfg_with "$1" "$3"
	m run "$T/$1" -o "$T/$1.json"
	want_rc 2
	want_err_line
	grep -q -F -e "$2" "$T/stderr" || because "stderr does not say '$2': $(cat "$T/stderr")"
	[ ! -e "$T/$1.json" ] || because "an output file was written"
	check "$1: refused on one located line naming the range ('$2')" "$why"
}
refused_range host-2-62.yaml "64 PiB" 'hosts: [{memory: 4611686018427387904}]'
refused_range host-2pib.yaml "between 4.0 KiB and 1.0 PiB" 'hosts: [{memory: 2PiB}]'
refused_range latency-days.yaml "10 years" 'latency: {cow: 100000d}'
refused_range latency-2h.yaml "between 0s and 1h" 'hosts: [{memory: 64GiB, swap: {read_latency: 2h}}]'
refused_range tick-1ns.yaml "use a tick of at least 36us" 'tick: 1ns'

# The largest values accepted, through a whole run: under `make debug` UBSan
# traps any overflow.  64 hosts of 1 PiB (2^56 bytes), VMs of 1 PiB, ten years,
# every latency 1h; then a VM of 64 TiB thrashing a 1 TiB host over a 1 MB/s
# swap device with 100x overcommit.
why=
cat >"$T/extremes.yaml" <<'EOF'
name: extremes
duration: 3650d
tick: 365d
sample: 365d
page_size: 1GiB
hosts:
  - {name: big, count: 64, memory: 1PiB,
     swap: {size: 1PiB, read_latency: 1h, write_latency: 1h, bandwidth: 1MB/s}}
policies:
  overcommit: {policy: ratio, max: 100}
latency: {zero_fill: 1h, cow: 1h, decompress: 1h, guest_swap_in: 1h}
workload:
  vms:
    - {name: a, memory: 1PiB, depart: 3650d,
       phases: [{working_set: 100%, rate: 1G/s, writes: 100%}]}
    - {name: b, memory: 1PiB, arrive: 3649d, phases: [{working_set: 16GiB, rate: 1G/s}]}
EOF
m run "$T/extremes.yaml" -o "$T/extremes.json" --quiet
want_rc 0
grep -q '"host_bytes":[[:space:]]*72057594037927936,' "$T/extremes.json" 2>/dev/null ||
	because "host_bytes is not 2^56: $(grep '"host_bytes"' "$T/extremes.json" 2>&1 | head -n 1)"
grep -q '"stall_s":[[:space:]]*-' "$T/extremes.json" && because "a negative stall"
sed -e 's/count: 64, memory: 1PiB/count: 1, memory: 1TiB/' \
	-e 's/name: a, memory: 1PiB/name: a, memory: 64TiB/' \
	-e '/name: b,/d' "$T/extremes.yaml" >"$T/thrash.yaml"
m run "$T/thrash.yaml" -o "$T/thrash.json" --quiet
want_rc 0
grep -q '"host_swap_in_bytes":[[:space:]]*[1-9]' "$T/thrash.json" 2>/dev/null ||
	because "the thrashing VM swapped nothing"
grep -q -e '":[[:space:]]*-[0-9]' "$T/thrash.json" && because "a negative number in the results"
check "the largest accepted values run without overflow (UBSan traps under make debug)" "$why"

# Importers refuse what `run` could not load, at the row: times that scaling
# puts past 10 years (they were written as 9223372036854775807ns), and a
# window whose end overflowed 64 bits.
# refused_import WANT-AT KIND ARGS...: import fails with an error at WANT-AT.
refused_import()
{
	at=$1
	shift
	why=
	m import "$@" -o "$T/imported.yaml"
	want_rc 2
	want_err_line
	case $(head -n 1 "$T/stderr") in
	"$at: error: "*"more than 10 years"*) ;;
	*) because "stderr '$(head -n 1 "$T/stderr")' is not '$at: error: ...more than 10 years...'" ;;
	esac
	[ ! -e "$T/imported.yaml" ] || because "an output file was written"
	check "import $1 ${3:-}: refused at $at, nothing written" "$why"
}
mkdir "$T/imp"
printf 'vm1,s,d,0,3600,10,5,8,Interactive,2,4\nvm2,s,d,7200,,10,5,8,Interactive,2,4\n' \
	>"$T/imp/az.csv"
refused_import "$T/imp/az.csv:1:11" azure --time-scale 1e12 "$T/imp/az.csv"
printf 'vm1,s,d,9200000000,,10,5,8,Interactive,2,4\n' >"$T/imp/az-late.csv"
refused_import "$T/imp/az-late.csv:1:9" azure "$T/imp/az-late.csv"
mkdir "$T/imp/g"
awk 'BEGIN { for (i = 0; i < 288; i++) print "10 20" }' >"$T/imp/g/vm_1_1"
refused_import "$T/imp/g/vm_1_1:288:1" google-derived --time-scale 1e12 "$T/imp/g"
# Ten years of 365 days are 315360000 s: 1051200 lines of 300 s, and one more is too many.
mkdir "$T/imp/g2"
awk 'BEGIN { for (i = 0; i < 1051201; i++) print "10 20" }' >"$T/imp/g2/vm_2_1"
refused_import "$T/imp/g2/vm_2_1:1051201:1" google-derived "$T/imp/g2"
printf 'Timestamp [ms];\tMemory capacity provisioned [KB];\tMemory usage [KB]\n1372629804;\t1024;\t512\n8999999999;\t1024;\t512\n' \
	>"$T/imp/1.csv"
refused_import "$T/imp/1.csv:3:1" bitbrains "$T/imp/1.csv"

why=
m import azure --start 100000d --length 100000d "$T/imp/az.csv" -o "$T/imported.yaml"
want_rc 0
[ "$(grep -c 'arrive: 0s' "$T/imported.yaml")" -eq 1 ] ||
	because "not the one VM still alive, from 0s: $(cat "$T/imported.yaml")"
check "import with a window past 64 bits of nanoseconds keeps the VM alive in it" "$why"
why=
m import azure --time-scale 1e4 "$T/imp/az.csv" -o "$T/imported.yaml"
want_rc 0
m validate "$T/imported.yaml"
cat >"$T/imp/run.yaml" <<EOF
duration: 1h
hosts: [{memory: 64GiB}]
workload: $T/imported.yaml
EOF
m validate "$T/imp/run.yaml"
want_rc 0
check "an import at the largest scale it accepts loads in run" "$why"

# Out of memory under `ulimit -v`: exit 1 and one "error: out of memory (...)"
# line, never an abort.  A sanitizer's binary cannot start under such a limit
# (ASan reserves terabytes of address space), so the checks are skipped there.
# limited KB ARGS...: memsim ARGS with the address space limited to KB KiB.
limited()
{
	(ulimit -v "$1" && shift && exec "$MEMSIM" "$@") >"$T/stdout" 2>"$T/stderr"
	rc=$?
}
limited 400000 --version 2>/dev/null    # the shell's own "Aborted", if it aborts
if [ "$rc" -ne 0 ]; then
	echo "ok - out of memory under ulimit -v # skip: $MEMSIM cannot start under ulimit -v"
else
	# want_oom: exit 1, one line "...error: out of memory (...)".
	want_oom()
	{
		want_rc 1
		[ "$(lines "$T/stderr")" -eq 1 ] && grep -q 'error: out of memory (' "$T/stderr" ||
			because "stderr is not one out-of-memory line: $(head -n 3 "$T/stderr")"
	}

	# 8 hosts of 62 GiB (64 less 2 of overhead) take 496 of 2000 VMs of 1 GiB
	# at once: 496 x 2^18 pages x 12.125 bytes, 1.47 GiB of page state, far
	# over a 400 MiB limit.  The estimate refuses it up front.
	why=
	cfg_with oom-run.yaml 'hosts: [{name: std, count: 8, memory: 64GiB, overhead: 2GiB}]' \
		'workload: {groups: [{name: g, count: 2000, memory: 1GiB}]}'
	m validate "$T/oom-run.yaml"
	want_rc 0
	limited 400000 run "$T/oom-run.yaml" -o "$T/oom-run.json"
	want_oom
	grep -q 'address-space limit (ulimit -v)' "$T/stderr" || because "the limit is not named"
	[ ! -e "$T/oom-run.json" ] || because "a results file was written"
	check "a run over the address-space limit is refused up front with exit 1" "$why"

	# describe on 10^8 generated VMs: at least 10^8 x 64 bytes of names alone.
	why=
	cat >"$T/oom-describe.yaml" <<'EOF'
groups: [{name: g, count: 100000000, memory: 1GiB}]
EOF
	limited 400000 describe "$T/oom-describe.yaml"
	want_oom
	check "describe of 10^8 VMs under a 400 MiB limit exits 1, out of memory" "$why"

	# A mapping of 2 million keys takes more than 100 MiB to load, past a
	# 100 MiB limit, before any estimate can be made: the allocator says so.
	why=
	awk 'BEGIN { print "images:"; for (i = 0; i < 2000000; i++) print "  i" i ": {size: 4096}";
		print "vms: [{name: a, memory: 4096}]" }' >"$T/oom-load.yaml"
	limited 100000 describe "$T/oom-load.yaml"
	want_oom
	grep -q '^memsim: error: out of memory (allocating [0-9]* bytes)$' "$T/stderr" ||
		because "not the allocator's message: $(head -n 1 "$T/stderr")"
	check "running out of memory while loading exits 1 with one line, not an abort" "$why"
fi

# --- a good run ----------------------------------------------------------------------

why=
mkdir "$T/good"
m run "$DATA/cli_good.yaml" -o "$T/good/out.json"
want_rc 0
[ -s "$T/good/out.json" ] || because "no results file"
grep -q '"schema":[[:space:]]*"memsim-results/1"' "$T/good/out.json" 2>/dev/null ||
	because "the results have no schema line"
left=$(others "$T/good" out.json)
[ -z "$left" ] || because "files left beside the results: $left"
check "run writes the results file and leaves no temporary files" "$why"

# first_seed FILE: the value of the first "seed": line (the top-level one).
first_seed()
{
	grep '"seed":' "$1" 2>/dev/null | head -n 1 | tr -d ' \t,' | sed 's/^"seed"://'
}

why=
s=$(first_seed "$T/good/out.json")
[ "$s" = 3 ] || because "seed '$s' without --seed, want 3 (from the config)"
m run "$DATA/cli_good.yaml" -o "$T/good/seed.json" --seed 7
want_rc 0
s=$(first_seed "$T/good/seed.json")
[ "$s" = 7 ] || because "seed '$s' with --seed 7, want 7"
check "--seed 7 changes the seed in the results" "$why"

why=
m run "$DATA/cli_good.yaml" -o -
want_rc 0
[ "$(head -n 1 "$T/stdout")" = "{" ] || because "stdout does not start with '{'"
want_out '"schema":[[:space:]]*"memsim-results/1"'
[ ! -e ./- ] || because "a file named '-' was written"
check "-o - prints the results JSON on stdout" "$why"

why=
mkdir "$T/reps"
m run "$DATA/cli_replications.yaml" -o "$T/reps/out.json"
want_rc 0
for r in 0 1; do
	f=$T/reps/out-r$r.json
	if [ -s "$f" ]; then
		grep -q "\"replication\":[[:space:]]*$r," "$f" || because "$f is not replication $r"
	else
		because "no $f"
	fi
done
left=$(others "$T/reps" out-r0.json out-r1.json)
[ -z "$left" ] || because "other files in the output folder: $left"
check "replications: 2 writes out-r0.json and out-r1.json" "$why"

why=
m run "$DATA/cli_replications.yaml" --replication 5 -o "$T/reps/out.json"
want_rc 2
for r in 0 1; do
	[ ! -e "$T/reps/out-r$r.json" ] || because "stale out-r$r.json is still there"
done
check "a failed run removes the stale files of every replication" "$why"

why=
m run "$DATA/cli_good.yaml" -o "$T/no-such-dir/x.json"
want_rc 1
grep -q -F -e "$T/no-such-dir/x.json" "$T/stderr" || because "stderr does not name the file"
check "run into a folder that does not exist exits 1" "$why"

# --- validate ------------------------------------------------------------------------

# configs/default.yaml: one host group of count 2; the workload has 2 explicit VMs
# (db-1, db-2) and one group, web, of count 16: 18 VMs.  Pages: 2 x 4GiB, plus
# 16 x (2/3 x 0.5 + 1/3 x 1 = 2/3) GiB = 8 + 32/3 GiB, over 4KiB pages
# = 18.667 x 262144 = 4893354.67, printed rounded: 4893355.
why=
m validate configs/default.yaml
want_rc 0
want_out '^ *hosts: *2 in 1 group$'
want_out '^ *VMs: *18 (2 explicit, 1 group)$'
want_out '^ *pages: *4893355 of 4.0 KiB'
check "validate prints hosts, VMs and pages of configs/default.yaml" "$why"

why=
m validate configs/default.yaml --set hosts.0.count=1
want_rc 0
want_out '^ *hosts: *1 in 1 group$'
check "--set hosts.0.count=1 changes the hosts validate prints" "$why"

why=
m run "$DATA/cli_good.yaml" --check --quiet --set duration=2m -o "$T/checked.json"
want_rc 0
[ -s "$T/checked.json" ] || because "no results file"
[ ! -s "$T/stdout" ] || because "--quiet printed something"
check "run --check checks the invariants and succeeds" "$why"

# 200 VMs of 1 TiB at 4 KiB pages would need 200 x 2^28 pages x 12.125 bytes,
# about 606 GiB of page state: far more than this machine has.
cat > "$T/huge.yaml" <<'YAML'
duration: 1h
hosts: [{name: h, count: 200, memory: 1100GiB}]
workload: {groups: [{name: g, count: 200, memory: 1TiB}]}
YAML
why=
m run "$T/huge.yaml" -o "$T/huge.json"
want_rc 1
grep -q 'page_size: ' "$T/stderr" || because "the message names no page_size that would fit"
[ ! -e "$T/huge.json" ] || because "a results file was written"
check "a run too big for this machine is refused up front, naming a page_size" "$why"

# --- describe and import ------------------------------------------------------------

why=
m describe workloads/default.yaml --bins 3
want_rc 0
want_out '^VMs: *18$'
check "describe counts the VMs of a trace" "$why"

TRACES=${MEMSIM_TRACES:-../shared/traces}
why=
m import azure "$TRACES/azure-v1/vmtable/vmtable.csv" -o "$T/azure.yaml"
want_rc 0
[ -s "$T/azure.yaml" ] || because "no trace written"
grep -q 'VMs written' "$T/stderr" || because "no report on stderr"
cat > "$T/azure-run.yaml" <<'YAML'
duration: 1h
tick: 10m
sample: 10m
page_size: 1GiB
hosts: [{name: h, count: 4, memory: 512GiB}]
workload: azure.yaml
YAML
m run "$T/azure-run.yaml" --quiet -o "$T/azure.json"
want_rc 0
check "an imported Azure trace runs" "$why"

why=
printf 'stale\n' > "$T/bad.yaml"
m import azure "$DATA/cli_good.yaml" -o "$T/bad.yaml"
want_rc 2
want_err_line
[ ! -e "$T/bad.yaml" ] || because "an output file is left"
check "import of a file that is not what it claims exits 2 and writes nothing" "$why"

why=
m import azure "$DATA/cli_good.yaml"
want_rc 2
[ ! -s "$T/stdout" ] || because "something was written to stdout"
check "a failed import writes nothing to stdout either" "$why"

why=
m import nosuchkind x
want_rc 2
grep -q 'known: ' "$T/stderr" || because "the known kinds are not listed"
check "an unknown trace kind exits 2 and lists the kinds" "$why"

# --- compare ------------------------------------------------------------------------

m run "$DATA/cli_good.yaml" --quiet -o "$T/cmp-a.json"
m run "$DATA/cli_good.yaml" --quiet --set hosts.0.count=3 -o "$T/cmp-b.json"
# The JSON value of a summary key (the first line that names it), as the file has it.
json_num()
{
	sed -n "s/^[[:space:]]*\"$2\":[[:space:]]*\([-0-9.e+]*\),*$/\1/p" "$1" | head -n 1
}

why=
m compare "$T/cmp-a.json" "$T/cmp-b.json" --format csv
want_rc 0
head -n 1 "$T/stdout" | grep -q "^metric,$T/cmp-a.json,$T/cmp-b.json\$" ||
	because "header is not metric,A,B: $(head -n 1 "$T/stdout")"
awk -F, 'NF != 3 { bad = 1 } END { exit bad }' "$T/stdout" || because "a row without 3 fields"
a=$(json_num "$T/cmp-a.json" host_bytes)
b=$(json_num "$T/cmp-b.json" host_bytes)
grep -q "^summary.memory.host_bytes,$a,$b\$" "$T/stdout" ||
	because "host_bytes row is not $a,$b: $(grep host_bytes "$T/stdout")"
[ "$a" = 137438953472 ] && [ "$b" = 206158430208 ] ||
	because "host bytes $a and $b are not 2 and 3 hosts of 64 GiB"
check "compare --format csv: one row per metric, the files' own numbers" "$why"

why=
m compare "$T/cmp-a.json" "$T/cmp-b.json" --metrics summary.memory.host_bytes
want_rc 0
[ "$(lines "$T/stdout")" -eq 2 ] || because "not a header and one row"
grep -q '(+6.87195e+10, x1.5)' "$T/stdout" || because "no difference and ratio: $(cat "$T/stdout")"
check "compare shows the difference and ratio to the first file" "$why"

why=
m compare "$T/cmp-a.json" "$T/cmp-b.json" --format markdown --metrics summary.vms
want_rc 0
[ "$(grep -c '^|.*|$' "$T/stdout")" -eq "$(lines "$T/stdout")" ] || because "not every line is a row"
m compare "$T/cmp-a.json" --format json --metrics summary.hosts_used
want_rc 0
grep -q '"summary.hosts_used"' "$T/stdout" || because "the JSON form lacks the metric"
check "compare --format markdown and json" "$why"

why=
m compare "$T/cmp-a.json" "$DATA/cli_good.yaml"
want_rc 2
want_err_line
check "compare refuses a file that is not results" "$why"

# --- plot ---------------------------------------------------------------------------

# is_png FILE: the eight-byte PNG signature, 89 50 4E 47 0D 0A 1A 0A.
is_png()
{
	[ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
}

# is_svg FILE WORD: an SVG document, one root element, closed, naming WORD.
is_svg()
{
	grep -q '<svg' "$1" && [ "$(grep -c '<svg[ >]' "$1")" -eq 1 ] &&
		tail -n 3 "$1" | grep -q '</svg>' && grep -q "$2" "$1"
}

why=
m plot "$T/cmp-a.json" -o "$T/plots"
want_rc 0
for p in memory faults; do
	is_png "$T/plots/cmp-a-$p.png" || because "cmp-a-$p.png is not a PNG"
	is_svg "$T/plots/cmp-a-$p.svg" cli-good || because "cmp-a-$p.svg is not an SVG titled cli-good"
done
check "plot draws memory, faults and stall of a results file as PNG and SVG" "$why"

why=
m plot "$DATA/plot_sweep.json" -o "$T/plots" --metrics summary.performance.slowdown_mean
want_rc 0
f="$T/plots/plot_sweep-summary_performance_slowdown_mean"
is_png "$f.png" || because "not a PNG"
is_svg "$f.svg" '95% interval' || because "not an SVG with the interval in its title"
grep -q 'policies.balloon.policy=static' "$f.svg" || because "no line per balloon policy"
check "plot draws a sweep metric against its parameter with the interval" "$why"

why=
m plot "$DATA/cli_good.yaml" -o "$T/plots"
want_rc 2
want_err_line
check "plot refuses a file that is not results" "$why"

why=
(umask 022 && "$MEMSIM" run "$DATA/cli_good.yaml" --quiet -o "$T/mode.json")
[ "$(ls -l "$T/mode.json" | cut -c1-10)" = "-rw-r--r--" ] ||
	because "mode is $(ls -l "$T/mode.json" | cut -c1-10), want -rw-r--r-- under umask 022"
check "a results file gets the mode a new file would (0666 less the umask)" "$why"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
