#!/usr/bin/env bash
# The ledger at a modest rate: 20,000 sequence-numbered UDP datagrams at
# 10,000 a second across a veth pair, captured with the full pipeline.
# Every packet sent is either captured or counted as dropped by the
# kernel, exactly, the missing sequence numbers are those drops, and each
# stage after nm-capture passed on exactly what it received.  `make
# ledger` runs the same at rising rates and prints the table.
# exclusive: sends at a fixed rate, and what the kernel drops depends on
# what else runs
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ledger-lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "needs root for namespaces"; exit 77; }
[ -x "$LG_TOOLS/seqsend" ] && [ -x "$LG_TOOLS/ledger" ] ||
    { echo "tests/tools/seqsend and ledger not built (make test)"; exit 77; }
lg_setup || exit 77

N=${LEDGER_COUNT:-20000} PPS=${LEDGER_PPS:-10000}
if lg_run "$N" "$PPS"; then pass "ledger: pipeline ran"
else fail "ledger: $LG_ERR"; fi
lg_header; lg_row "$PPS"
check "ledger: seqsend sent $N ($LG_SENT)" [ "$LG_SENT" = "$N" ]
check "ledger: capture received $LG_RECV = sent" [ "$LG_RECV" = "$N" ]
check "ledger: sent = captured $LG_CAP_FRAMES + kernel drops $LG_DROP" \
    [ $((LG_CAP_FRAMES + LG_DROP)) = "$N" ]
check "ledger: missing sequence numbers $LG_MISSING = kernel drops" \
    [ "$LG_MISSING" = "$LG_DROP" ]
[ "$LG_DUPS" = 0 ] && [ "$LG_STRAY" = 0 ]
verdict $? "ledger: no duplicates or strays ($LG_DUPS, $LG_STRAY)"
check "ledger: nm-decode took every frame ($LG_DEC_FRAMES)" \
    [ "$LG_DEC_FRAMES" = "$LG_CAP_FRAMES" ]
check "ledger: nm-decode gave a packet per frame ($LG_DEC_PACKETS)" \
    [ "$LG_DEC_PACKETS" = "$LG_DEC_FRAMES" ]
check "ledger: nm-stats counted every packet ($LG_ST_PACKETS)" \
    [ "$LG_ST_PACKETS" = "$LG_DEC_PACKETS" ]
check "ledger: every packet reached the end ($LG_PACKETS)" \
    [ "$LG_PACKETS" = "$LG_ST_PACKETS" ]
check "ledger: the stream ended with its end records" [ "$LG_WHOLE" = 1 ]
check "ledger: exit statuses 0 (capture $LG_CAP_RC, decode $LG_DEC_RC, stats $LG_ST_RC, ledger $LG_LEDGER_RC)" \
    [ "$LG_CAP_RC$LG_DEC_RC$LG_ST_RC$LG_LEDGER_RC" = 0000 ]
check "ledger: nothing on stderr${LG_STDERR:+: $LG_STDERR}" [ -z "$LG_STDERR" ]
