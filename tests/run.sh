#!/usr/bin/env bash
# The one test runner.  Runs every unit test binary (tests/unit/*) and every
# test script (tests/*.t).  A test reports each check on a line of its own
# as "PASS: name", "FAIL: name: why" or "SKIP: name: why"; one that prints
# none counts once, by its exit status (0 pass, 77 skip, other fail).
# Ends with "N passed, N failed, N skipped".  Set T=pattern to run a subset.
#
# Tests run NM_JOBS at a time (default 2, the machine's cores here) through
# tests/slot.sh; the report comes in the usual order all the same, each
# test's lines once it and those before it are done.  A script with a line
# "# exclusive" (or "# exclusive: why") runs alone: live timing, floods,
# fixed resources; one with "# long" (a minute or more) starts before the
# others; one with "# nested-suite" runs a suite of its own
# (tests/sanitize.t), takes no slot itself, and its tests share this run's
# slots.  tests/README.md says more.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
export NM_TOP="$top" PATH="$top:$PATH"
out="$top/tests/out"
mkdir -p "$out"
pass=0 fail=0 skip=0 failed=()
jobs=${NM_JOBS:-2}
# The slots belong to the outermost runner: a nested suite's runner finds
# them in its environment and shares them.
outer=0
if [ -z "${NM_SLOTS:-}" ]; then
	export NM_SLOTS="$out/.slots" NM_SLOT_COUNT=$jobs
	mkdir -p "$NM_SLOTS" || exit 1
	outer=1
fi

names=() kinds=() progs=()
add() {	# add NAME KIND PROG
	[ -n "${T:-}" ] && case $1 in *$T*) ;; *) return ;; esac
	names+=("$1") kinds+=("$2") progs+=("$3")
}
for t in tests/unit/*; do
	[ -x "$t" ] && [ -f "$t" ] || continue
	case $t in *.c|*.h) continue ;; esac
	add "unit-$(basename "$t")" unit "$t"
done
for t in tests/*.t; do
	[ -f "$t" ] || continue
	kind=shared
	if grep -qE '^# nested-suite($|:)' "$t"; then kind=nested
	elif grep -qE '^# exclusive($|:)' "$t"; then kind=alone
	elif grep -qE '^# long($|:)' "$t"; then kind=long
	fi
	add "$(basename "$t" .t)" "$kind" "$t"
done
# NM_TESTS_SKIP="a b": leave those out (the sanitizer copy's list)
for s in ${NM_TESTS_SKIP:-}; do
	for i in "${!names[@]}"; do
		[ "${names[i]}" = "$s" ] && unset 'names[i]' 'kinds[i]' 'progs[i]'
	done
done
idx=("${!names[@]}")
for i in "${idx[@]}"; do rm -f "$out/${names[i]}".{done,start}; done

# start I: runs test I in the background; its status goes to NAME.done
start() {
	local name=${names[$1]} kind=${kinds[$1]} prog=${progs[$1]}
	local log="$out/$name.log" cmd
	case $kind in
	unit) cmd=("$prog") ;;
	*) cmd=(bash "$prog") ;;
	esac
	(
		if [ "$kind" = nested ]; then
			date +%s >"$out/$name.start"
			timeout 2400 "${cmd[@]}" >"$log" 2>&1 </dev/null
		else
			opt=()
			[ "$kind" = alone ] && opt=(-a)
			[ "$kind" = long ] && opt=(-l)
			bash tests/slot.sh "${opt[@]}" -t "$out/$name.start" \
			    timeout 600 "${cmd[@]}" >"$log" 2>&1 </dev/null
		fi
		echo "$? $(cat "$out/$name.start" 2>/dev/null) $(date +%s)" \
		    >"$out/$name.done.new"
		mv "$out/$name.done.new" "$out/$name.done"
	) &
}

# report I: the test's lines and its counts, as the serial runner gave them
report() {
	local name=${names[$1]} log="$out/${names[$1]}.log" rc start end p f s
	read -r rc start end <"$out/$name.done"
	: "${start:=$end}"
	p=$(grep -c '^PASS: ' "$log"); f=$(grep -c '^FAIL: ' "$log")
	s=$(grep -c '^SKIP: ' "$log")
	if [ $((p + f + s)) -eq 0 ]; then
		case $rc in
		0) p=1 ;;
		77) s=1; echo "SKIP: $name: $(tail -n 1 "$log")" ;;
		*) f=1 ;;
		esac
	elif [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ "$f" -eq 0 ]; then
		f=1	# died after its checks: count it
	fi
	grep '^SKIP: ' "$log" | sed "s/^/  [$name] /"
	if [ "$f" -gt 0 ]; then
		failed+=("$name")
		echo "FAIL  $name (exit $rc, $((end - start))s): see tests/out/$name.log"
		grep '^FAIL: ' "$log" | head -n 20 | sed 's/^/    /'
		[ "$(grep -c '^FAIL: ' "$log")" -eq 0 ] && tail -n 15 "$log" | sed 's/^/    /'
	else
		echo "ok    $name ($p checks, $((end - start))s)"
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
}

# The order tests start in (tests/slot.sh serves the classes in turn
# too): in the outermost run the tests that run alone come first, one
# after another while the machine is still quiet (each time one waits for
# the running tests to end, a slot idles); a nested suite's come last, for
# the same reason, as it starts when the machine is busy.  Then the
# nested suites, the longest, whose tests share the slots with ours; the
# long tests, so that the run does not end on one of them; the rest.
if [ "$outer" = 1 ]; then
	classes="alone nested long unit shared"
else
	classes="nested long unit shared alone"
fi
order=()
for k in $classes; do
	for i in "${idx[@]}"; do [ "${kinds[i]}" = "$k" ] && order+=("$i"); done
done
declare -A running=()
nested=0 shown=0
# reap: forget the tests that are done, print those now in turn
reap() {
	local i
	for i in "${!running[@]}"; do
		[ -e "$out/${names[i]}.done" ] || continue
		unset 'running[$i]'
		[ "${kinds[i]}" = nested ] && nested=$((nested - 1))
	done
	while [ "$shown" -lt ${#idx[@]} ] &&
	    [ -z "${running[${idx[shown]}]+x}" ] &&
	    [ -e "$out/${names[${idx[shown]}]}.done" ]; do
		report "${idx[shown]}"
		shown=$((shown + 1))
	done
}
# wait_one: until a test ends.  wait -n finds none (127) only when every
# test's shell has gone: one that left no status failed.
wait_one() {
	local i
	wait -n
	if [ $? -eq 127 ]; then
		for i in "${!running[@]}"; do
			[ -e "$out/${names[i]}.done" ] ||
			    echo 1 >"$out/${names[i]}.done"
		done
	fi
	reap
}
# One test more than the slots waits in the queue (tests/slot.sh), ready
# for the slot a test frees early (alone_done) or a nested suite's.
for i in "${order[@]}"; do
	while [ ${#running[@]} -ge $((jobs + nested + 1)) ]; do
		wait_one
	done
	start "$i"
	running[$i]=1
	[ "${kinds[i]}" = nested ] && nested=$((nested + 1))
done
while [ ${#running[@]} -gt 0 ]; do
	wait_one
done
reap

echo
[ ${#failed[@]} -gt 0 ] && echo "failed: ${failed[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
