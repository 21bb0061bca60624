# The whole suite again, built with AddressSanitizer and
# UndefinedBehaviorSanitizer (any finding aborts: -fno-sanitize-recover).
# It runs in a copy of the tree (git's tracked and new files), so the
# normal build is left alone; NM_SANITIZE_COPY tells the copy's tests not
# to run this test again, nor the fuzz pass (which has its own
# sanitizers).  One check per test of the copy that failed, or one pass.
# The copy leaves out the tests that run no program of ours, whose result
# a sanitizer cannot change: style.t (clang-format, cppcheck), deps.t
# (make in a tree without libpcap) and hardening.t (readelf on the
# binaries: it runs none).  The copy's
# tests share the outer run's job slots (tests/run.sh, tests/slot.sh).
# nested-suite: its own build and suite, in the outer run's slots
source "$(dirname "$0")/lib.sh"
if [ -n "${NM_SANITIZE_COPY:-}" ]; then
	skip "sanitize: already inside the sanitizer copy"
	exit 0
fi
if ldd "$NM_TOP/nm-decode" 2>/dev/null | grep -q libasan; then
	skip "sanitize: this tree is already a sanitizer build (make sanitize)"
	exit 0
fi
if [ -n "${NM_NO_SANITIZE:-}" ]; then
	skip "sanitize: NM_NO_SANITIZE is set"
	exit 0
fi
copy=$TMP/tree
# nm-monitor runs stages as nobody: they must be able to reach the copy
chmod 755 "$TMP"
mkdir -p "$copy"
(cd "$NM_TOP" && git ls-files -co --exclude-standard -z |
    xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
    tar --null -cf - -T -) | tar -xf - -C "$copy" || {
	fail "sanitize: copying the tree"; exit 1; }
bins=$(cd "$copy" && ls tests/unit/*.c tests/tools/*.c | sed 's/\.c$//')
san='-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer'
# MAKEFLAGS from an outer make test would carry its variables into ours
if ! bash "$NM_TOP/tests/slot.sh" -l \
    env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -C "$copy" -j2 \
    CFLAGS="$san" LDFLAGS='-fsanitize=address,undefined' \
    all $bins fuzz-replay >"$TMP/build.log" 2>&1; then
	fail "sanitize: build"
	tail -n 30 "$TMP/build.log"
	exit 1
fi
# No leak check here: LeakSanitizer cannot stop the world in a process
# that dropped privileges (nm-capture as nobody spins at exit).  Leaks are
# the fuzz targets' (LSan on) and make valgrind's to find.
# T (the outer run's subset) would choose the copy's tests too: not ours.
NM_SHARED=$SHARED NM_SANITIZE_COPY=1 ASAN_OPTIONS=detect_leaks=0 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    NM_TESTS_SKIP="style deps hardening" \
    env -u T bash "$copy/tests/run.sh" >"$TMP/run.log" 2>&1
rc=$?
cp "$TMP/run.log" "$NM_TOP/tests/out/sanitize-run.log" 2>/dev/null
rm -rf "$NM_TOP/tests/out/sanitize"
cp -r "$copy/tests/out" "$NM_TOP/tests/out/sanitize" 2>/dev/null
failed=$(sed -n 's/^FAIL  \([^ ]*\) .*/\1/p' "$TMP/run.log")
for t in $failed; do
	fail "sanitize $t: see tests/out/sanitize/$t.log"
	grep -A 12 "^FAIL  $t " "$TMP/run.log" | tail -n +2 | head -n 12
done
summary=$(tail -n 1 "$TMP/run.log")
if [ -z "$failed" ] && [ "$rc" -eq 0 ]; then
	pass "sanitize: whole suite under ASan+UBSan: $summary"
elif [ -z "$failed" ]; then
	fail "sanitize: runner exit $rc: $summary"
fi
