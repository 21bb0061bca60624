# The short fuzz pass CI runs: each libFuzzer target (fuzz/) built with
# clang, ASan and UBSan, then run FUZZ_SECS seconds (default 20, two at a
# time) on a seed corpus generated afresh.  Any crash, leak, failed check
# or slow input fails its target; the input is kept in
# tests/out/fuzz-findings/ (save it in fuzz/regress/TARGET/ and fix).
# long: builds the fuzz targets, then runs them 20 s each, two at a time
source "$(dirname "$0")/lib.sh"
if [ -n "${NM_SANITIZE_COPY:-}" ]; then
	skip "fuzz: inside the sanitizer copy (tests/sanitize.t)"
	exit 0
fi
printf 'int LLVMFuzzerTestOneInput(const unsigned char *p, unsigned long n)\n{ return 0; }\n' >"$TMP/t.c"
if ! clang -fsanitize=fuzzer,address,undefined -o "$TMP/t" "$TMP/t.c" \
    >"$TMP/cc.log" 2>&1; then
	skip "fuzz: clang with libFuzzer not installed (apt-get install clang libclang-rt-14-dev)"
	exit 0
fi
if ! make -s -j2 -C "$NM_TOP" fuzz-bin >"$TMP/build.log" 2>&1; then
	fail "fuzz: build (make fuzz-bin)"
	grep -E 'error' "$TMP/build.log" | head -n 20
	exit 1
fi
art=$NM_TOP/tests/out/fuzz-findings
rm -rf "$art"
JOBS=2 sh "$NM_TOP/fuzz/run.sh" "${FUZZ_SECS:-20}" "$TMP/corpus" "$art" \
    >"$TMP/run.log" 2>&1
cat "$TMP/run.log"
for t in decode stream stats pngread detect tls quic; do
	line=$(grep "^fuzz-$t: " "$TMP/run.log")
	case $line in
	"fuzz-$t: ok: "*) pass "fuzz $t (${line#fuzz-$t: ok: })" ;;
	"") fail "fuzz $t: did not run (see tests/out/fuzz.log)" ;;
	*) fail "fuzz $t: ${line#fuzz-$t: }" ;;
	esac
done
