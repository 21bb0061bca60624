#!/bin/sh
# Runs every fuzz target for SECONDS on a freshly generated seed corpus:
#   FUZZ_DIR=fuzz/build sh fuzz/run.sh SECONDS CORPUS [ARTIFACTS]
# The targets must be built (make fuzz-bin).  CORPUS/TARGET is seeded by
# fuzz/seed.sh and grows with what libFuzzer finds interesting; the saved
# findings in fuzz/regress/TARGET are read as a second corpus.  A crash,
# a leak, a failed check or an input slower than 10 s stops that target
# and leaves the input as ARTIFACTS/TARGET-crash-*, -leak-*, -timeout-*
# (default fuzz/findings).  JOBS targets run at once (default 2).  Prints
# one line per target and exits non-zero if any found something.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:?usage: run.sh SECONDS CORPUS [ARTIFACTS]}
corpus=${2:?usage: run.sh SECONDS CORPUS [ARTIFACTS]}
art=${3:-$top/fuzz/findings}
bin=${FUZZ_DIR:-$top/fuzz/build}
case $bin in /*) ;; *) bin=$top/$bin ;; esac
jobs=${JOBS:-2}
targets=${FUZZ_TARGETS:-decode stream stats pngread detect bus tls quic http}

mkdir -p "$art" || exit 1
sh "$top/fuzz/seed.sh" "$corpus" || { echo "fuzz: seed.sh failed" >&2; exit 1; }

run_target() {
	t=$1
	extra=
	[ -d "$top/fuzz/regress/$t" ] && extra=$top/fuzz/regress/$t
	# the leak check needs a clean exit; -rss_limit_mb bounds a runaway
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
	    "$bin/fuzz-$t" -max_total_time="$secs" -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$art/$t-" "$corpus/$t" $extra \
	    >"$art/$t.log" 2>&1
	echo $? >"$art/$t.rc"
}

running=0
for t in $targets; do
	run_target "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait

status=0
for t in $targets; do
	rc=$(cat "$art/$t.rc" 2>/dev/null || echo 1)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$art/$t.log")
	took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' \
	    "$art/$t.log")
	cov=$(grep -o 'cov: [0-9]*' "$art/$t.log" | tail -n 1)
	if [ "$rc" -eq 0 ]; then
		echo "fuzz-$t: ok: ${runs:-?} runs in ${took:-?} s, $cov," \
		    "corpus $(ls "$corpus/$t" | wc -l) files"
	else
		status=1
		echo "fuzz-$t: FOUND (exit $rc) after ${runs:-?} runs:" \
		    "$(grep -m 1 -E 'ERROR|fuzz:|runtime error' "$art/$t.log")"
		ls "$art/$t"-* 2>/dev/null | grep -v '\.log$' | sed 's/^/  input: /'
	fi
done
exit $status
