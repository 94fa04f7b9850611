#!/bin/sh
# tests/cli.sh - the memsim command line (DESIGN.md section 7): exit status, gcc-style
# error lines with the expected line and column, no output left behind by a failed run,
# a failed run never removing what it did not make, output over an input refused,
# devices and FIFOs written directly, checked writes to stdout, signals during the
# results write, exact seeds, and what run and validate write.  POSIX sh; run from the repo root as
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
for j in 0 -1 257 two 1.5 ''; do
	m run "$DATA/cli_good.yaml" -j "$j" -o "$T/bad-j.json"
	want_rc 2
	[ "$(head -n 1 "$T/stderr")" = "memsim: -j needs a whole number from 1 to 256, not '$j'" ] ||
		because "-j '$j': the first line of stderr does not say the range"
	[ ! -e "$T/bad-j.json" ] || because "-j '$j': an output file was written"
done
m run "$DATA/cli_good.yaml" -j
want_rc 2
check "run -j refuses a thread count that is not 1 to 256, in one line, writing nothing" "$why"

why=
m run "$DATA/cli_good.yaml" -j 1 -o "$T/j1.json" && m run "$DATA/cli_good.yaml" -j 4 -o "$T/j4.json"
want_rc 0
[ "$(grep -v wall_s "$T/j1.json")" = "$(grep -v wall_s "$T/j4.json")" ] ||
	because "-j 4 wrote other results than -j 1"
check "run -j 4 writes the results of -j 1" "$why"

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
	echo earlier >"$dir/out.json"
	m run "$cfg" -o "$dir/out.json"
	want_rc 2
	[ "$(cat "$dir/out.json" 2>/dev/null)" = earlier ] ||
		because "the file at -o was removed or changed"
	left=$(others "$dir" out.json)
	[ -z "$left" ] || because "files left in the output folder: $left"
	check "$1: a failed run leaves the file at -o as it was" "$why"
}

bad_config cli_syntax.yaml 3 13
bad_config cli_unknown_key.yaml 3 1
bad_config cli_bad_unit.yaml 5 13
bad_config cli_missing_key.yaml 2 1
bad_config cli_bad_workload.yaml 5 11
bad_config cli_unknown_policy.yaml 6 23
bad_config cli_wrong_type.yaml 3 8
bad_config cli_bad_sampling.yaml 7 18
bad_config cli_large_pages_sampled.yaml 6 19
bad_config cli_bad_paging.yaml 5 40
bad_config cli_bad_guest_page.yaml 5 50
bad_config cli_guest_swap_in.yaml 7 3
grep -q -F 'hosts[].disk' "$T/stderr" || because "the error does not say where the setting went"
check "latency.guest_swap_in: the error names hosts[].disk" "$why"
bad_config cli_esx_states_old_key.yaml 6 55
bad_config cli_esx_states_unknown_key.yaml 6 33
bad_config cli_sharing_aware_kind.yaml 6 58
bad_config cli_sharing_aware_key.yaml 6 67
bad_config cli_sharing_aware_size.yaml 6 71
bad_config cli_tps_salting.yaml 6 35
bad_config cli_tps_salt.yaml 9 37
bad_config cli_dynamic_minimum.yaml 9 65

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

# Every command's usage errors echo their arguments escaped: the first line of stderr
# holds the whole message, and the argument's second half never starts a line.
why=
saved_ifs=$IFS
nl='a
zz'
for args in "plan $DATA/cli_good.yaml --search hosts.0.count --min $nl" \
	"sweep x.yaml --set $nl" "compare --format $nl x" "plot -$nl" "table -$nl" \
	"run --seed $nl $DATA/cli_good.yaml"; do
	# Split on spaces only, so the newline stays inside one argument.
	IFS=' '
	m $args
	IFS=$saved_ifs
	[ "$rc" = 2 ] || because "'${args%% *}': exit $rc, want 2"
	grep -q '^zz' "$T/stderr" && because "'${args%% *}' split its message: $(head -n 2 "$T/stderr")"
	head -n 1 "$T/stderr" | grep -q -F 'a\nzz' ||
		because "'${args%% *}' did not escape the newline: $(head -n 1 "$T/stderr")"
done
check "usage errors of plan, sweep, compare, plot, table and run echo arguments escaped" "$why"

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
     swap: {size: 1PiB, read_latency: 1h, write_latency: 1h, bandwidth: 1MB/s},
     disk: {read_latency: 1h, write_latency: 1h, bandwidth: 1MB/s}}
policies:
  overcommit: {policy: ratio, max: 100}
latency: {zero_fill: 1ms, cow: 1ms, decompress: 1ms}   # per 4 KiB: 262 s a fault at 1 GiB pages
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
cp "$T/reps/out-r0.json" "$T/reps.r0" && cp "$T/reps/out-r1.json" "$T/reps.r1"
m run "$DATA/cli_replications.yaml" --replication 5 -o "$T/reps/out.json"
want_rc 2
for r in 0 1; do
	cmp -s "$T/reps/out-r$r.json" "$T/reps.r$r" || because "out-r$r.json was removed or changed"
done
check "a failed run leaves the files of every replication as they were" "$why"

why=
m run "$DATA/cli_good.yaml" -o "$T/no-such-dir/x.json"
want_rc 1
grep -q -F -e "$T/no-such-dir/x.json" "$T/stderr" || because "stderr does not name the file"
check "run into a folder that does not exist exits 1" "$why"

# --- replacing a policy by name ----------------------------------------------------

# The config has a static balloon with a target; none has no target, so
# the replacement must not inherit it, and keeps the driver's rate.
why=
m run "$DATA/sweep_tiny_static.yaml" --set policies.balloon.policy=none -o "$T/none.json" --quiet
want_rc 0
balloon=$(tr -d ' \n\t' <"$T/none.json" | grep -o '"balloon":{[^}]*}')
[ "$balloon" = '"balloon":{"policy":"none","rate":1073741824,"max":0.65}' ] ||
	because "the effective balloon is $balloon, want {policy: none, rate: 1GiB/s, max: 65%}"
m run "$DATA/sweep_tiny_static.yaml" --set policies.balloon.policy=stattic -o "$T/typo.json"
want_rc 2
[ "$(lines "$T/stderr")" -eq 1 ] || because "stderr is not one line"
grep -q "did you mean 'static'? (known: none, static, esx-idle-tax, mom, hyperv-dynamic)" "$T/stderr" ||
	because "no suggestion and list: $(cat "$T/stderr")"
check "--set policies.balloon.policy=none replaces a static balloon's whole mapping" "$why"

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

# The granularity guidance is printed above 64 KiB pages only, and names a
# README section that exists.
why=
for p in 128KiB 2MiB; do
	m validate configs/default.yaml --set page_size=$p
	want_rc 0
	grep -q '^ *granularity: above 64 KiB' "$T/stdout" || because "no guidance at $p"
done
sect=$(sed -n 's/.*(README.md, "\([^"]*\)").*/\1/p' "$T/stdout")
grep -q "^#* $sect\$" README.md || because "README.md has no section '$sect'"
for p in 4KiB 64KiB; do
	m validate configs/default.yaml --set page_size=$p
	want_rc 0
	! grep -q 'granularity' "$T/stdout" || because "guidance printed at $p"
done
check "validate prints the page_size guidance above 64 KiB only" "$why"

why=
m run "$DATA/cli_good.yaml" --check --quiet --set duration=2m -o "$T/checked.json"
want_rc 0
[ -s "$T/checked.json" ] || because "no results file"
[ ! -s "$T/stdout" ] || because "--quiet printed something"
check "run --check checks the invariants and succeeds" "$why"

# 200 VMs of 1 TiB at 4 KiB pages would need 200 x 2^28 pages x 12.75 bytes,
# about 637 GiB of page state: far more than this machine has.
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

# The fixture always; the real V1 vmtable too when it is there ($MEMSIM_TRACES, else
# ../shared/traces beside the checkout).
cat > "$T/azure-run.yaml" <<'YAML'
duration: 1h
tick: 10m
sample: 10m
page_size: 1GiB
hosts: [{name: h, count: 4, memory: 512GiB}]
workload: azure.yaml
YAML
TRACES=${MEMSIM_TRACES:-../shared/traces}
vmtables="$DATA/import/azure-v1/vmtable.csv"
if [ -n "${MEMSIM_TRACES:-}" ] || [ -d "$TRACES" ]; then
	vmtables="$vmtables $TRACES/azure-v1/vmtable/vmtable.csv"
else
	echo "# real traces: skipped (no $TRACES)"
fi
for vmtable in $vmtables; do
	why=
	m import azure "$vmtable" -o "$T/azure.yaml"
	want_rc 0
	[ -s "$T/azure.yaml" ] || because "no trace written"
	grep -q 'VMs written' "$T/stderr" || because "no report on stderr"
	m run "$T/azure-run.yaml" --quiet -o "$T/azure.json"
	want_rc 0
	check "an imported Azure trace runs ($vmtable)" "$why"
done

why=
printf 'earlier\n' > "$T/bad.yaml"
m import azure "$DATA/cli_good.yaml" -o "$T/bad.yaml"
want_rc 2
want_err_line
[ "$(cat "$T/bad.yaml")" = earlier ] || because "the file at -o was removed or changed"
left=$(others "$T" | tr ' ' '\n' | grep 'bad\.yaml\.' | tr '\n' ' ')
[ -z "$left" ] || because "temporary files left: $left"
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
grep -q '(+64.0 GiB, x1.5)' "$T/stdout" || because "no difference and ratio: $(cat "$T/stdout")"
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

why=
printf '{"schema": "memsim-sweep/1", "points": []}\n' > "$T/no-points.json"
m compare "$T/no-points.json"
want_rc 2
want_err_line
grep -q 'no-points.json:1:1: error: a sweep summary with no "points"' "$T/stderr" ||
	because "the error does not name the file and the empty points"
printf '{"schema": "memsim-sweep/1"}\n' > "$T/no-points.json"
m compare "$T/cmp-a.json" "$T/no-points.json"
want_rc 2
want_err_line
check "compare refuses a sweep summary without points, in one line" "$why"

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

# --- the default path and -o fail alike ----------------------------------------------

# Both keep the results of the earlier run when a later one fails (nothing a failed
# run did not make is removed).
why=
mkdir "$T/default" && cp "$DATA/cli_good.yaml" "$T/default/c.yaml"
case $MEMSIM in
/*) abs=$MEMSIM ;;
*) abs=$PWD/$MEMSIM ;;
esac
(cd "$T/default" && "$abs" run c.yaml --quiet) >/dev/null 2>&1
cp "$T/default/results/cli-good.json" "$T/default.before" 2>/dev/null ||
	because "no results/cli-good.json"
(cd "$T/default" && "$abs" run c.yaml --quiet --set duration=bogus) >"$T/stdout" 2>"$T/stderr"
rc=$?
want_rc 2
cmp -s "$T/default/results/cli-good.json" "$T/default.before" ||
	because "results/cli-good.json was removed or changed"
cp "$T/default.before" "$T/default/o.json"
m run "$T/default/c.yaml" --quiet --set duration=bogus -o "$T/default/o.json"
want_rc 2
cmp -s "$T/default/o.json" "$T/default.before" || because "the file at -o was removed or changed"
check "a failed run leaves the default results/NAME.json and -o alike: as they were" "$why"

# --- output over an input is refused up front -----------------------------------------

mkdir "$T/inputs"
cp "$DATA/cli_good.yaml" "$T/inputs/c.yaml"
cp "$DATA/cli_unknown_key.yaml" "$T/inputs/bad.yaml"
# same_bytes FILE ORIGINAL: FILE is still there with its bytes.
same_bytes()
{
	cmp -s "$1" "$2" || because "$1 was removed or changed"
}
# refused: exit 2, one line naming the output, and the input intact.
refused()
{
	want_rc 2
	[ "$(lines "$T/stderr")" -eq 1 ] && grep -q -F -e "$1: error: " "$T/stderr" ||
		because "stderr is not one error naming $1: $(head -n 3 "$T/stderr")"
}

why=
m run "$T/inputs/c.yaml" -o "$T/inputs/c.yaml"
refused "$T/inputs/c.yaml"
same_bytes "$T/inputs/c.yaml" "$DATA/cli_good.yaml"
ln "$T/inputs/c.yaml" "$T/inputs/alias.json"
m run "$T/inputs/c.yaml" -o "$T/inputs/alias.json"
refused "$T/inputs/alias.json"
same_bytes "$T/inputs/c.yaml" "$DATA/cli_good.yaml"
m run "$T/inputs/c.yaml" -o "$T/inputs/../inputs/c.yaml" --quiet
refused "$T/inputs/../inputs/c.yaml"
same_bytes "$T/inputs/c.yaml" "$DATA/cli_good.yaml"
check "run -o CONFIG, by the same name, a hard link or another path, exits 2 and keeps it" "$why"

why=
# The issue's case: a config with an error, written over by its own -o.
m run "$T/inputs/bad.yaml" -o "$T/inputs/bad.yaml"
want_rc 2
same_bytes "$T/inputs/bad.yaml" "$DATA/cli_unknown_key.yaml"
check "a bad config given as its own -o is kept" "$why"

why=
cat >"$T/inputs/w.yaml" <<'YAML'
vms:
  - {name: a, memory: 4GiB}
YAML
cp "$T/inputs/w.yaml" "$T/inputs/w.orig"
cat >"$T/inputs/cw.yaml" <<'YAML'
duration: 1h
hosts: [{name: h, count: 1, memory: 64GiB}]
workload: w.yaml
YAML
m run "$T/inputs/cw.yaml" -o "$T/inputs/w.yaml"
refused "$T/inputs/w.yaml"
same_bytes "$T/inputs/w.yaml" "$T/inputs/w.orig"
check "run -o WORKLOAD (the trace the config reads) exits 2 and keeps it" "$why"

# A one-VM Azure V1 vmtable: id, subscription, deployment, created 0, deleted 300 s,
# CPU max, avg, p95, category, cores 1, memory 1.75 GB.
printf 'a,s,d,0,300,1,1,1,Interactive,1,1.75\n' >"$T/inputs/az.csv"
cp "$T/inputs/az.csv" "$T/inputs/az.orig"
why=
m import azure "$T/inputs/az.csv" -o "$T/inputs/az.csv"
refused "$T/inputs/az.csv"
same_bytes "$T/inputs/az.csv" "$T/inputs/az.orig"
printf 'not a vmtable\n' >"$T/inputs/junk.csv"
m import azure "$T/inputs/junk.csv" -o "$T/inputs/junk.csv"
want_rc 2
[ "$(cat "$T/inputs/junk.csv" 2>/dev/null)" = "not a vmtable" ] || because "junk.csv was removed"
mkdir "$T/inputs/bb" && printf 'x\n' >"$T/inputs/bb/1.csv"
m import bitbrains "$T/inputs/bb" -o "$T/inputs/bb/1.csv"
refused "$T/inputs/bb/1.csv"
[ "$(cat "$T/inputs/bb/1.csv")" = x ] || because "bb/1.csv was removed or changed"
m import azure "$T/inputs/az.csv" -o "$T/inputs/az.yaml"
want_rc 0
grep -q 'az-a' "$T/inputs/az.yaml" || because "the good import wrote no VM az-a"
check "import -o INPUT (a file given, or one in a folder given) exits 2 and keeps it" "$why"

# --- devices and FIFOs are written, never renamed over --------------------------------

m run "$DATA/cli_good.yaml" --quiet -o "$T/plain.json"
why=
mkfifo "$T/fifo" && ln "$T/fifo" "$T/fifo.link"
cat "$T/fifo" >"$T/fifo.got" &
reader=$!
m run "$DATA/cli_good.yaml" --quiet -o "$T/fifo"
want_rc 0
# Opening the FIFO read-write never blocks, and lets a reader still waiting go
# (when the run renamed a file over the FIFO's name instead of writing to it).
exec 5<>"$T/fifo.link"
exec 5<&-
wait "$reader"
[ -p "$T/fifo" ] || because "$T/fifo is no longer a FIFO"
# The run is deterministic apart from "run" (wall time): compare the rest.
grep -v '"wall_s":' "$T/fifo.got" >"$T/fifo.cmp"
grep -v '"wall_s":' "$T/plain.json" >"$T/plain.cmp"
cmp -s "$T/fifo.cmp" "$T/plain.cmp" || because "the reader did not get the results"
left=$(others "$T" | tr ' ' '\n' | grep '^fifo\.tmp' | tr '\n' ' ')
[ -z "$left" ] || because "temporary files left: $left"
check "run -o FIFO writes into the FIFO and leaves it a FIFO" "$why"

# Device nodes of our own, like /dev/null (character device 1,3) and /dev/full (1,7),
# where root can make them: a regressed memsim would rename over these, never over the
# system's.
FULL=/dev/full
if mknod "$T/null" c 1 3 2>/dev/null && echo x >"$T/null" 2>/dev/null &&
	mknod "$T/full" c 1 7 2>/dev/null; then
	FULL=$T/full
	why=
	m run "$DATA/cli_good.yaml" --quiet -o "$T/null"
	want_rc 0
	[ -c "$T/null" ] || because "$T/null is no longer a character device"
	check "run -o DEVICE (a null device) writes to it and leaves it a device" "$why"

	why=
	m run "$DATA/cli_good.yaml" --quiet -o "$T/full"
	want_rc 1
	grep -q "^$T/full: error: cannot write: " "$T/stderr" || because "stderr: $(cat "$T/stderr")"
	[ -c "$T/full" ] || because "$T/full is no longer a character device"
	check "run -o FULL-DEVICE (like /dev/full) exits 1 with the write error" "$why"
else
	echo "# (no device tests: cannot make device nodes here)"
fi

# --- standard output is checked -------------------------------------------------------

# full CMD...: runs memsim with stdout on a full device (writes fail with ENOSPC).
full()
{
	"$MEMSIM" "$@" >"$FULL" 2>"$T/stderr"
	rc=$?
}
for args in "validate $DATA/cli_good.yaml" "run $DATA/cli_good.yaml -o -" \
	"import azure $T/inputs/az.csv" "describe workloads/default.yaml" \
	"compare $T/cmp-a.json $T/cmp-b.json" "--help" "--version"; do
	why=
	# shellcheck disable=SC2086 # args are words
	full $args
	want_rc 1
	[ "$(lines "$T/stderr")" -ge 1 ] && grep -q '^memsim: error: cannot write to standard output' \
		"$T/stderr" || because "no error line on stderr: $(head -n 3 "$T/stderr")"
	check "memsim $args to a full stdout exits 1 with an error" "$why"
done

# --- signals during the results write -------------------------------------------------

# start_held NAME ARGS...: starts memsim ARGS... in the background with the test hook
# MEMSIM_TEST_HOLD, which stops the results write once its temporary file is whole and
# says "PID TEMPORARY" on the FIFO $H/said; sets held_pid and held_tmp.  The job then
# says "exit N" on the same FIFO when memsim has ended; the job holds the FIFO open
# throughout, so a reader never sees its end early.
start_held()
{
	H=$T/hold-$1
	shift
	mkdir "$H" && mkfifo "$H/said" "$H/go"
	(
		exec 4>"$H/said"
		MEMSIM_TEST_HOLD=$H "$@" >"$H/stdout" 2>"$H/stderr" 4>&-
		echo "exit $?" >&4
	) &
	held_job=$!
	exec 3<"$H/said"
	read -r held_pid held_tmp <&3
	if [ "$held_pid" = exit ]; then
		because "memsim ended (status $held_tmp) before its results write: $(cat "$H/stderr")"
		held_pid=
	fi
}
# finish_held: sets held_rc to how the held memsim ended, and reaps the job.
finish_held()
{
	if [ -n "$held_pid" ]; then
		read -r word held_rc <&3
	else
		held_rc=$held_tmp
	fi
	exec 3<&-
	wait "$held_job"
}
# release_held: lets the held write go on (opening a FIFO read-write never blocks).
release_held()
{
	exec 6<>"$H/go"
	echo go >&6
	exec 6<&-
}

why=
mkdir "$T/sig"
start_held term "$MEMSIM" run "$DATA/cli_good.yaml" --quiet -o "$T/sig/term.json"
if [ -n "$held_pid" ]; then
	case $held_tmp in
	"$T/sig/term.json.tmp."??????) ;;
	*) because "the temporary file is '$held_tmp', not term.json.tmp.XXXXXX" ;;
	esac
	[ -s "$held_tmp" ] || because "the temporary file does not exist while held"
	kill -TERM "$held_pid"
fi
finish_held
[ "$held_rc" = 143 ] || because "exit status '$held_rc', want 143 (128 + SIGTERM)"
left=$(others "$T/sig")
[ -z "$left" ] || because "files left: $left"
check "SIGTERM during the results write removes the temporary file, exit 143" "$why"

if env --default-signal=INT true 2>/dev/null; then
	why=
	# A background job starts with SIGINT ignored; env gives memsim the default back.
	start_held int env --default-signal=INT "$MEMSIM" run "$DATA/cli_good.yaml" --quiet \
		-o "$T/sig/int.json"
	[ -n "$held_pid" ] && kill -INT "$held_pid"
	finish_held
	[ "$held_rc" = 130 ] || because "exit status '$held_rc', want 130 (128 + SIGINT)"
	left=$(others "$T/sig")
	[ -z "$left" ] || because "files left: $left"
	check "SIGINT during the results write removes the temporary file, exit 130" "$why"
else
	echo "# (no SIGINT test: env --default-signal is missing)"
fi

why=
echo earlier >"$T/sig/kill.json"
start_held kill "$MEMSIM" run "$DATA/cli_good.yaml" --quiet -o "$T/sig/kill.json"
[ -n "$held_pid" ] && kill -KILL "$held_pid"
finish_held
[ "$held_rc" = 137 ] || because "exit status '$held_rc', want 137 (128 + SIGKILL)"
[ -e "$held_tmp" ] || because "SIGKILL left no temporary file to clean up"
[ "$(cat "$T/sig/kill.json")" = earlier ] || because "kill.json changed"
# Not its temporaries: another name, and a name with five letters after .tmp.
echo other >"$T/sig/other.json.tmp.AbC123"
echo other >"$T/sig/kill.json.tmp.AbC12"
m run "$DATA/cli_good.yaml" --quiet -o "$T/sig/kill.json"
want_rc 0
[ ! -e "$held_tmp" ] || because "the next run did not remove the stale $held_tmp"
left=$(others "$T/sig" kill.json other.json.tmp.AbC123 kill.json.tmp.AbC12)
[ -z "$left" ] || because "files left: $left"
[ -e "$T/sig/other.json.tmp.AbC123" ] && [ -e "$T/sig/kill.json.tmp.AbC12" ] ||
	because "a file that is not kill.json's temporary was removed"
rm -f "$T/sig/other.json.tmp.AbC123" "$T/sig/kill.json.tmp.AbC12"
check "a run removes the temporary of its results name that a killed run left" "$why"

why=
# A writer still alive keeps its temporary: another run of the same name leaves it.
start_held live "$MEMSIM" run "$DATA/cli_good.yaml" --quiet -o "$T/sig/live.json"
m run "$DATA/cli_good.yaml" --quiet -o "$T/sig/live.json"
want_rc 0
[ -z "$held_pid" ] || [ -s "$held_tmp" ] || because "the live writer's temporary was removed"
release_held
finish_held
[ "$held_rc" = 0 ] || because "the held run ended with '$held_rc', want 0"
[ -s "$T/sig/live.json" ] && [ ! -e "$held_tmp" ] || because "the held run did not finish its write"
check "a run leaves the temporary of a live writer of the same name" "$why"

# --- seeds are recorded exactly -------------------------------------------------------

# 2^53 = 9007199254740992 is the largest seed; 2^53 + 1 has no exact double.
why=
m run "$DATA/cli_good.yaml" --quiet --seed 9007199254740992 -o "$T/seed53.json"
want_rc 0
s=$(first_seed "$T/seed53.json")
[ "$s" = 9007199254740992 ] || because "seed '$s', want 9007199254740992"
m run "$DATA/cli_good.yaml" --quiet --seed 9007199254740993 -o "$T/seed54.json"
want_rc 2
grep -q '9007199254740992' "$T/stderr" ||
	because "the error does not name 2^53: $(head -n 1 "$T/stderr")"
sed 's/^seed: 3$/seed: 9007199254740993/' "$DATA/cli_good.yaml" >"$T/seed54.yaml"
m run "$T/seed54.yaml" --quiet -o "$T/seed54.json"
want_rc 2
want_err_line
grep -q "^$T/seed54.yaml:3:7: error: .*9007199254740992" "$T/stderr" ||
	because "the error is not at 3:7 naming 2^53: $(cat "$T/stderr")"
[ ! -e "$T/seed54.json" ] || because "a results file was written"
check "a seed up to 2^53 is recorded exactly; above it, a located error and exit 2" "$why"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
