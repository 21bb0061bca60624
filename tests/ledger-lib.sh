# Sourced by tests/ledger.t and tests/ledger.sh after lib.sh: the ledger.
# Two network namespaces of our own joined by a veth pair; seqsend in A
# sends sequence-numbered UDP datagrams to a seqsend sink in B, and
#   nm-capture -i VETH_B 'udp dst port P' | nm-decode | nm-stats | ledger
# runs in B and accounts for each one.  lg_run leaves the figures in LG_*.

LG_PORT=9871
LG_NSA=nmlgA$$ LG_NSB=nmlgB$$ LG_IFA=nmlga$$ LG_IFB=nmlgb$$
LG_TOOLS=$NM_TOP/tests/tools

lg_cleanup() {
	local p
	for p in ${LG_PIDS:-}; do kill -TERM "$p" 2>/dev/null; done
	ip netns del "$LG_NSA" 2>/dev/null
	ip netns del "$LG_NSB" 2>/dev/null
	rm -rf "$TMP"
}

# lg_setup: 0 when the namespaces are up, else a reason on stdout
lg_setup() {
	trap lg_cleanup EXIT
	netns_ok || { echo "cannot use network namespaces: $NETNS_WHY"; return 1; }
	ip netns add "$LG_NSA" && ip netns add "$LG_NSB" &&
	    ip link add "$LG_IFA" netns "$LG_NSA" type veth peer name \
	    "$LG_IFB" netns "$LG_NSB" || { echo "cannot make namespaces"; return 1; }
	ip -n "$LG_NSA" addr add 10.79.0.1/24 dev "$LG_IFA" &&
	ip -n "$LG_NSB" addr add 10.79.0.2/24 dev "$LG_IFB" &&
	ip -n "$LG_NSA" link set "$LG_IFA" up &&
	ip -n "$LG_NSB" link set "$LG_IFB" up || { echo "cannot set up veth"; return 1; }
}

# lg_wait PID SECONDS: waits for PID to end, bounded; 0 when it did
lg_wait() {
	local i
	for i in $(seq $(($2 * 10))); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# lg_run COUNT PPS (0: as fast as the sender can) [CAPTURE OPTIONS...]
lg_run() {
	local n=$1 pps=$2 d=$TMP/lg.$1.$2 i cpid lpid spid
	shift 2
	rm -rf "$d"; mkdir -p "$d"; mkfifo "$d/fifo"
	LG_ERR=
	ip netns exec "$LG_NSB" "$LG_TOOLS/seqsend" -l -p "$LG_PORT" \
	    >"$d/sink.out" 2>"$d/sink.err" &
	spid=$!
	{ nm-decode <"$d/fifo" 2>"$d/dec.err"; echo $? >"$d/dec.rc"; } |
	    { nm-stats 2>"$d/st.err"; echo $? >"$d/st.rc"; } |
	    "$LG_TOOLS/ledger" -n "$n" -w "$d/ready" >"$d/ledger.out" \
	    2>"$d/ledger.err" &
	lpid=$!
	ip netns exec "$LG_NSB" nm-capture -i "$LG_IFB" "$@" \
	    "udp dst port $LG_PORT" >"$d/fifo" 2>"$d/cap.err" &
	cpid=$!
	LG_PIDS="$spid $lpid $cpid"
	for i in $(seq 100); do
		[ -e "$d/ready" ] && break
		kill -0 "$cpid" 2>/dev/null || break
		sleep 0.05
	done
	if [ ! -e "$d/ready" ]; then
		LG_ERR="the pipeline did not start: $(head -c 200 "$d/cap.err")"
	else
		timeout 120 ip netns exec "$LG_NSA" "$LG_TOOLS/seqsend" \
		    -d 10.79.0.2 -p "$LG_PORT" -n "$n" -r "$pps" >"$d/send.out"
	fi
	# Let the pipeline drain what the ring holds, then stop the capture.
	sleep 1
	kill -TERM "$cpid" 2>/dev/null
	lg_wait "$cpid" 20 || kill -KILL "$cpid" 2>/dev/null
	wait "$cpid"; LG_CAP_RC=$?
	lg_wait "$lpid" 20 || kill -KILL "$lpid" 2>/dev/null
	wait "$lpid"; LG_LEDGER_RC=$?
	kill -TERM "$spid" 2>/dev/null
	lg_wait "$spid" 5
	wait "$spid"
	LG_PIDS=
	LG_DEC_RC=$(cat "$d/dec.rc" 2>/dev/null) LG_ST_RC=$(cat "$d/st.rc" 2>/dev/null)
	LG_STDERR=$(cat "$d"/*.err)
	LG_SENT=0 LG_SENDPPS=0 LG_SEEN=0 LG_MISSING=0 LG_DUPS=0 LG_STRAY=0
	LG_PACKETS=0 LG_RECV=0 LG_DROP=0 LG_IFDROP=0 LG_CAP_FRAMES=0
	LG_DEC_FRAMES=0 LG_DEC_PACKETS=0 LG_ST_FRAMES=0 LG_ST_PACKETS=0 LG_WHOLE=0
	LG_RECEIVED=0
	eval "$(sed -n 's/^sent=\([0-9]*\) .*pps=\([0-9]*\).*/LG_SENT=\1 LG_SENDPPS=\2/p' "$d/send.out" 2>/dev/null)"
	eval "$(sed -n 's/^received=\([0-9]*\)$/LG_RECEIVED=\1/p' "$d/sink.out")"
	# ledger's line: sent=.. seen=.. ...; its "sent" is the -n we gave
	eval "$(tr ' ' '\n' <"$d/ledger.out" | grep -E '^[a-z_]+=[0-9]+$' |
	    grep -v '^sent=' | sed 's/^\([a-z_]*\)=/LG_\U\1=/')"
	# The books balance when every sent packet was either captured or
	# reported dropped by the kernel, and the missing ones are those.
	LG_BALANCE=no
	[ "$LG_SENT" = "$n" ] && [ "$LG_RECV" = "$n" ] &&
	    [ $((LG_CAP_FRAMES + LG_DROP)) = "$n" ] &&
	    [ "$LG_MISSING" = "$LG_DROP" ] && [ "$LG_DUPS" = 0 ] &&
	    [ "$LG_STRAY" = 0 ] && LG_BALANCE=yes
	# Every stage after capture passed on exactly what it received.
	LG_STAGES=no
	[ "$LG_DEC_FRAMES" = "$LG_CAP_FRAMES" ] &&
	    [ "$LG_DEC_PACKETS" = "$LG_DEC_FRAMES" ] &&
	    [ "$LG_ST_PACKETS" = "$LG_DEC_PACKETS" ] &&
	    [ "$LG_PACKETS" = "$LG_ST_PACKETS" ] && [ "$LG_WHOLE" = 1 ] &&
	    LG_STAGES=yes
	[ -z "$LG_ERR" ]
}

lg_header() {
	printf '%-8s %9s %9s %9s %9s %9s %9s %-7s %9s %9s %9s %9s %-6s\n' \
	    rate pps sent captured drops missing recv balance \
	    decode-in decode-out stats-in ledger stages
}

# lg_row LABEL: one line of the table from the last lg_run
lg_row() {
	printf '%-8s %9s %9s %9s %9s %9s %9s %-7s %9s %9s %9s %9s %-6s\n' \
	    "$1" "$LG_SENDPPS" "$LG_SENT" "$LG_CAP_FRAMES" "$LG_DROP" \
	    "$LG_MISSING" "$LG_RECV" "$LG_BALANCE" "$LG_DEC_FRAMES" \
	    "$LG_DEC_PACKETS" "$LG_ST_PACKETS" "$LG_PACKETS" "$LG_STAGES"
}
