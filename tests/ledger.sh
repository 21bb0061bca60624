#!/usr/bin/env bash
# make ledger: the ledger (tests/ledger-lib.sh) at rising rates, 1,000,
# 10,000 and 100,000 datagrams a second, then as fast as the sender can,
# each for about LEDGER_SECS seconds (5; the last sends LEDGER_MAX, 1e6),
# and the table: what was sent, captured, dropped by the kernel, missing
# by sequence number, whether the books balance exactly, and what each
# stage's end record says it passed on.  Needs root (namespaces).
# Extra nm-capture options go in LEDGER_CAPOPTS (e.g. "-B 65536").
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ledger-lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "ledger: needs root (network namespaces)" >&2; exit 1; }
lg_setup >&2 || exit 1
secs=${LEDGER_SECS:-5}
max=${LEDGER_MAX:-1000000}
bad=0
lg_header
for pps in 1000 10000 100000 0; do
	n=$((pps * secs)); label=$pps
	[ "$pps" = 0 ] && n=$max label=max
	# shellcheck disable=SC2086
	lg_run "$n" "$pps" ${LEDGER_CAPOPTS:-} || echo "ledger: $label: $LG_ERR" >&2
	lg_row "$label"
	[ "$LG_BALANCE$LG_STAGES" = yesyes ] || bad=1
done
echo
echo "balance: sent = captured + kernel drops and missing = drops, exactly;"
echo "stages: decode-in = captured, decode-out = decode-in, stats-in ="
echo "decode-out, ledger = stats-in (each from the stage's end record)."
exit $bad
