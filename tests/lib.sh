# tests/lib.sh - what the end-to-end scripts share, sourced by each after it
# has set MEMSIM and its temporary folder T: counting checks, running memsim,
# and the usual expectations.  POSIX sh.

pass=0
fail=0

# check NAME WHY: passes when WHY is empty, else prints WHY's lines as details.
check()
{
	if [ -z "$2" ]; then
		pass=$((pass + 1))
		echo "ok - $1"
	else
		fail=$((fail + 1))
		echo "FAIL - $1"
		printf '%s\n' "$2" | sed 's/^/#   /'
	fi
}

# m ARGS...: runs memsim; sets rc, and leaves its output in $T/stdout and $T/stderr.
m()
{
	"$MEMSIM" "$@" >"$T/stdout" 2>"$T/stderr"
	rc=$?
}

# Appends a reason to why.
because()
{
	why="$why${why:+
}$1"
}

want_rc()
{
	[ "$rc" -eq "$1" ] || because "exit status $rc, want $1; stderr: $(head -n 3 "$T/stderr")"
}

lines()
{
	wc -l <"$1" | tr -d ' '
}

want_out()
{
	grep -q -e "$1" "$T/stdout" || because "stdout lacks '$1': $(head -n 3 "$T/stdout")"
}

# want_err_line: stderr is one line in gcc's form, PATH:LINE:COL: error: MESSAGE.
want_err_line()
{
	[ "$(lines "$T/stderr")" -eq 1 ] && grep -q '^[^:]*:[0-9]*:[0-9]*: error: ' "$T/stderr" ||
		because "stderr is not one PATH:LINE:COL error: $(head -n 3 "$T/stderr")"
}
