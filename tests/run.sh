#!/usr/bin/env bash
# The one test runner.  Runs every unit test binary (tests/unit/*) and every
# test script (tests/*.t).  A test reports each check on a line of its own
# as "PASS: name", "FAIL: name: why" or "SKIP: name: why"; one that prints
# none counts once, by its exit status (0 pass, 77 skip, other fail).
# Ends with "N passed, N failed, N skipped".  Set T=pattern to run a subset.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
export NM_TOP="$top" PATH="$top:$PATH"
out="$top/tests/out"
mkdir -p "$out"
pass=0 fail=0 skip=0 failed=()

run_one() {
	local name=$1; shift
	local log="$out/$name.log" rc start end
	start=$(date +%s)
	timeout 600 "$@" >"$log" 2>&1 </dev/null
	rc=$?
	end=$(date +%s)
	local p f s
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

for t in tests/unit/*; do
	[ -x "$t" ] && [ -f "$t" ] || continue
	case $t in *.c|*.h) continue ;; esac
	name=unit-$(basename "$t")
	[ -n "${T:-}" ] && case $name in *$T*) ;; *) continue ;; esac
	run_one "$name" "$t"
done
for t in tests/*.t; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .t)
	[ -n "${T:-}" ] && case $name in *$T*) ;; *) continue ;; esac
	run_one "$name" bash "$t"
done

echo
[ ${#failed[@]} -gt 0 ] && echo "failed: ${failed[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
