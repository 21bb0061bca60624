#!/usr/bin/env bash
# The house style, checked as part of the suite (STYLE.md 13): the sources
# are as `make format` leaves them (clang-format with .clang-format), and
# cppcheck finds nothing (`make lint`).  Both tools are installed by
# tests/deps.sh; without them the check skips and says which is missing.
# And the test scripts' checks decide on all of their condition
# (tests/checklint.awk).
source "$(dirname "$0")/lib.sh"
cd "$NM_TOP" || exit 1
for tool in clang-format:format-check cppcheck:lint; do
	t=${tool%%:*} target=${tool#*:}
	if ! command -v "$t" >/dev/null; then
		skip "make $target: $t is not installed (apt-get install $t)"
		continue
	fi
	if make -s "$target" >"$TMP/$target.out" 2>&1; then
		pass "make $target"
	else
		fail "make $target: $(grep -c . "$TMP/$target.out") lines, first: $(head -n 1 "$TMP/$target.out")"
		head -n 20 "$TMP/$target.out"
	fi
done
# A check decides on the one command it runs: in `check NAME A && B` (or
# `|| B`, `| B`) B runs after the verdict is out, so the condition goes
# before `verdict $? NAME` instead (tests/lib.sh).
lint=(tests/*.t tests/*-lib.sh)
if awk -f tests/checklint.awk "${lint[@]}" >"$TMP/checklint.out" 2>&1; then
	pass "checks decide on their whole condition (${#lint[@]} files)"
else
	fail "checks decide on their whole condition: $(grep -c . "$TMP/checklint.out") checks, first: $(head -n 1 "$TMP/checklint.out")"
	head -n 20 "$TMP/checklint.out"
fi
