#!/bin/sh
# tests/layers.sh - the layer check of DESIGN.md section 2: no file includes a
# header of a higher layer.  Layers, lowest first:
#   0 kernel     sim/ except the driver files (engine, queue, RNG, units, errors, cfg)
#   1 spec       model/spec.h (what a VM is asked to do; workloads/ fills it)
#   2 workloads  workloads/
#   3 model      model/
#   4 policies   policies/
#   5 analysis   analysis/
#   6 driver     sim/main.c, sim/run.*, sim/scenario.* (CLI, loading, the run loop)
# And, as DESIGN.md says, the model consumes plain specifications: model/ and
# policies/ never include a workloads/ header (spec.h is what they see of a VM).
# A header is found by its name in these folders (the build's -I list); system
# headers (<...>) are not ours.  POSIX sh; run from the repo root as
#   sh tests/layers.sh [ROOT]
# Prints each violation as FILE:LINE: includes HEADER (layer) from layer, and
# ends with "N files checked, M violations"; exits non-zero on any.

ROOT=${1:-.}
DIRS="sim model policies workloads analysis"

layer_of()
{
	case $1 in
	sim/main.c | sim/run.c | sim/run.h | sim/scenario.c | sim/scenario.h) echo 6 ;;
	sim/*) echo 0 ;;
	model/spec.h) echo 1 ;;
	workloads/*) echo 2 ;;
	model/*) echo 3 ;;
	policies/*) echo 4 ;;
	analysis/*) echo 5 ;;
	*) echo 9 ;;
	esac
}

name_of()
{
	case $1 in
	0) echo kernel ;; 1) echo spec ;; 2) echo workloads ;; 3) echo model ;;
	4) echo policies ;; 5) echo analysis ;; 6) echo driver ;; *) echo unknown ;;
	esac
}

files=0
bad=0
out=$(mktemp "${TMPDIR:-/tmp}/memsim-layers.XXXXXX") || exit 2
trap 'rm -f "$out"' EXIT
for dir in $DIRS; do
	for f in "$ROOT/$dir"/*.c "$ROOT/$dir"/*.h "$ROOT/$dir"/*.def; do
		[ -e "$f" ] || continue
		rel=${f#"$ROOT"/}
		files=$((files + 1))
		mine=$(layer_of "$rel")
		grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
			sed 's/^\([0-9]*\):.*"\([^"]*\)".*/\1 \2/' |
			while read -r line hdr; do
				where=
				for d in $DIRS; do
					[ -e "$ROOT/$d/$hdr" ] && where=$d/$hdr && break
				done
				[ -n "$where" ] || continue
				theirs=$(layer_of "$where")
				if [ "$theirs" -gt "$mine" ]; then
					echo "$rel:$line: includes $where ($(name_of "$theirs")) from" \
						"$(name_of "$mine")"
				elif [ "$theirs" -eq 2 ] && { [ "$mine" -eq 3 ] || [ "$mine" -eq 4 ]; }; then
					echo "$rel:$line: includes $where (workloads) from" \
						"$(name_of "$mine"), which sees VMs only through model/spec.h"
				fi
			done >>"$out"
	done
done
cat "$out"
bad=$(wc -l <"$out" | tr -d ' ')
echo "$files files checked, $bad violations"
[ "$bad" -eq 0 ]
