# Every saved fuzz finding (fuzz/regress/TARGET/*) replayed through its
# target in the normal build (fuzz/TARGET-replay, made by make test): the
# same code path the fuzzer found it on, its checks included.  A finding
# that comes back aborts its replay.
source "$(dirname "$0")/lib.sh"
for t in decode stream stats pngread detect tls quic http; do
	bin=$NM_TOP/fuzz/$t-replay
	for f in "$NM_TOP"/fuzz/regress/$t/*; do
		[ -f "$f" ] || continue
		name="fuzz-regress $t/$(basename "$f")"
		if [ ! -x "$bin" ]; then
			fail "$name: $bin not built (make fuzz-replay)"
		elif "$bin" "$f" >"$TMP/out" 2>&1; then
			pass "$name"
		else
			fail "$name: $(grep -m 1 -E 'fuzz:|ERROR|error' "$TMP/out")"
			tail -n 20 "$TMP/out"
		fi
	done
done
