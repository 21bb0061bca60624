# nm-pcap carries nm-detect's alerts into the capture it writes: each
# alert becomes a comment (pcapng opt_comment) on the packet right before
# it in the stream, the one that completed it.
# - a real SYN scan (nmap -sS -T4 -p 1-100, from one network namespace
#   against another, captured by tcpdump) replayed through
#   nm-capture -r | nm-decode | nm-detect | nm-pcap: tshark finds exactly
#   one packet whose comment names port_scan, the one the alert followed,
#   the comment has the alert's kind, style, message, severity, key and
#   community_id; the capture has the input's packets (count, times,
#   lengths; with nm-decode -k every byte); the alert still passes on;
# - rotation (-P, -C, -G): the files are those written without nm-detect,
#   packet for packet, one comment in all, in the file of its packet;
# - classic pcap: no comment, one line saying how many alerts were not
#   carried;
# - made-up streams: two alerts after one packet (two comments, and the
#   record's own comment kept), an alert as the last record, an alert
#   before any packet (counted, one line), the end of a stream held open
#   and ended by a signal (the held packet and its comment written).
source "$(dirname "$0")/lib.sh"

for p in nm-capture nm-decode nm-detect nm-render nm-pcap; do
	[ -x "$NM_TOP/$p" ] || { fail "pcap-alert: not built: $p (run make)"; exit 1; }
done
have() { command -v "$1" >/dev/null; }
have tshark || { skip "pcap-alert: no tshark"; exit 0; }
cd "$TMP" || exit 1

# comments FILE: "frame-number<TAB>comment" per comment, in order
comments() {
	tshark -r "$1" -Y frame.comment -T fields -E occurrence=a \
	    -E aggregator='|' -e frame.number -e frame.comment 2>/dev/null |
	    awk -F'\t' '{ n = split($2, c, "|"); for (i = 1; i <= n; i++) print $1 "\t" c[i] }'
}
# frames FILE: time, length on the wire, bytes captured, per frame
frames() {
	tshark -r "$1" -T fields -e frame.time_epoch -e frame.len \
	    -e frame.cap_len 2>/dev/null
}
# td FILE: tcpdump's every byte and time
td() { tcpdump -r "$1" -n -xx -tt --nano 2>/dev/null; }

# --- a real SYN scan, captured between two namespaces ---
scan=
if ! netns_ok; then
	skip "pcap-alert: a live SYN scan: $NETNS_WHY"
elif ! have nmap || ! have tcpdump; then
	skip "pcap-alert: a live SYN scan: needs nmap and tcpdump"
else
	na=nmpa$$ nb=nmpb$$
	cleanup() { ip netns del "$na" 2>/dev/null; ip netns del "$nb" 2>/dev/null; }
	trap 'cleanup; rm -rf "$TMP"' EXIT
	ip netns add "$na" && ip netns add "$nb" &&
	    ip link add nmpa$$ netns "$na" type veth peer name nmpb$$ netns "$nb" &&
	    ip -n "$na" addr add 10.79.0.1/24 dev nmpa$$ &&
	    ip -n "$nb" addr add 10.79.0.2/24 dev nmpb$$ &&
	    ip -n "$na" link set nmpa$$ up && ip -n "$nb" link set nmpb$$ up
	ip netns exec "$nb" tcpdump -Z root --immediate-mode -B 16384 -i nmpb$$ -U -w scan.pcap 2>td.err &
	tdpid=$!
	for _ in $(seq 50); do grep -q 'listening on' td.err && break; sleep 0.1; done
	ip netns exec "$na" timeout 120 nmap -n -Pn -sS -T4 -p 1-100 10.79.0.2 >nmap.out 2>&1
	# the capture is whole once tcpdump has seen every SYN (bounded)
	for _ in $(seq 50); do
		[ "$(tcpdump -r scan.pcap 2>/dev/null | grep -c 'Flags \[S\]')" -ge 100 ] && break
		sleep 0.1
	done
	sleep 0.5
	kill -INT "$tdpid"
	wait "$tdpid"
	cleanup
	if [ "$(tcpdump -r scan.pcap 2>/dev/null | grep -c 'Flags \[S\]')" -ge 100 ]; then
		scan=scan.pcap
	else
		fail "pcap-alert: the SYN scan: no 100 SYNs captured ($(tail -n 1 td.err); $(tail -n 1 nmap.out))"
	fi
fi

if [ -n "$scan" ]; then
	nm-capture -r scan.pcap 2>/dev/null | nm-decode | nm-detect |
	    nm-pcap -w out.pcapng 2>out.err | nm-render -o json >recs.json
	st=("${PIPESTATUS[@]}")
	[ "${st[*]}" = "0 0 0 0 0" ] && [ ! -s out.err ]
	verdict $? "the scan through nm-detect and nm-pcap: every stage exits 0 (${st[*]}), quietly"
	# the packet the alert followed, counted in the stream
	after=$(jq -r .type recs.json | awk '$1 == "frame" || $1 == "packet" { n++ }
		$1 == "alert" { print n; exit }')
	tshark -r out.pcapng -Y 'frame.comment contains "port_scan"' -T fields \
	    -e frame.number -e frame.comment 2>/dev/null >ps.txt
	[ "$(wc -l <ps.txt)" = 1 ] && [ -n "$after" ] &&
	    [ "$(cut -f 1 ps.txt)" = "$after" ]
	verdict $? "one packet's comment names port_scan: frame $(cut -f 1 ps.txt | tr '\n' ' ')(the alert followed packet $after)"
	jq -r 'select(.type == "alert") |
		"nm-detect alert \(.kind) (\(.style), \(.scan)): \(.msg) [\(.severity)] key=\"\(.key)\" community_id=\(.community_id)"' \
	    recs.json | head -n 1 >want.txt
	check "the comment: kind, style, scan, message, severity, key and community_id of the alert ($(cut -f 2 ps.txt))" \
	    [ "$(cut -f 2 ps.txt)" = "$(cat want.txt)" ]
	check "the alert passes on through nm-pcap" \
	    [ "$(jq -r 'select(.type == "alert") | .kind' recs.json)" = port_scan ]
	check "no other comment" [ "$(comments out.pcapng | wc -l)" = 1 ]
	frames scan.pcap >a.fr
	frames out.pcapng >b.fr
	n_in=$(wc -l <a.fr)
	[ -s a.fr ] && cmp -s <(cut -f 1,2 a.fr) <(cut -f 1,2 b.fr)
	verdict $? "the capture's packets are the input's: $n_in, their times and lengths (tshark)"
	have capinfos &&
		check "capinfos: as many packets ($n_in) and bytes on the wire" \
		    [ "$(capinfos -c -z out.pcapng | grep -E 'packets|size')" = "$(capinfos -c -z scan.pcap | grep -E 'packets|size')" ]
	nm-capture -r scan.pcap 2>/dev/null | nm-decode -k | nm-detect |
	    nm-pcap -w k.pcapng >/dev/null 2>&1
	[ "$(td scan.pcap | md5sum)" = "$(td k.pcapng | md5sum)" ] &&
	    [ "$(comments k.pcapng | cut -f 1)" = "$after" ]
	verdict $? "with nm-decode -k: every byte and time the input's (tcpdump), the comment the same"

	# rotation: the files written without nm-detect, packet for packet
	# (-P, -G); by size (-C) the comment makes its file larger, so the
	# files up to its own are the same, and all of them hold the same
	# packets in the same order.  The files in order: ls -v.
	nm-capture -r scan.pcap 2>/dev/null | nm-decode -k >plain.nmr
	nm-detect <plain.nmr >det.nmr
	for r in "-P 10" "-C 4k" "-G 2"; do
		d=$(echo "$r" | tr -d ' -')
		w=r.pcapng
		[ "$d" = G2 ] && w='r-%s.pcapng'
		mkdir "p$d" "d$d"
		(cd "p$d" && nm-pcap $r -w "$w" <../plain.nmr >/dev/null)
		(cd "d$d" && nm-pcap $r -w "$w" <../det.nmr >/dev/null)
		bad= got= nc=0
		for f in $(ls -v "d$d"); do
			c=$(comments "d$d/$f" | grep -c port_scan)
			nc=$((nc + c))
			[ "$c" -gt 0 ] && got=$f
			[ -z "$got" ] || [ "$d" != C4k ] || continue
			[ "$(td "p$d/$f" | md5sum)" = "$(td "d$d/$f" | md5sum)" ] ||
			    bad="$bad $f"
		done
		(cd "p$d" && for f in $(ls -v); do td "$f"; done) | md5sum >p.sum
		(cd "d$d" && for f in $(ls -v); do td "$f"; done) | md5sum >d.sum
		[ -z "$bad" ] && [ "$nc" = 1 ] && cmp -s p.sum d.sum &&
		    { [ "$d" = C4k ] || [ "$(ls "p$d")" = "$(ls "d$d")" ]; }
		verdict $? "rotation $r: $(ls "d$d" | wc -l) files ($(ls "p$d" | wc -l) without nm-detect), the same packets in order, the files$bad the same, one comment ($nc), in $got"
	done
	# -P 10: the alert's packet is the file's ((after - 1) % 10 + 1)th
	f=$(ls -v dP10 | sed -n "$(((after - 1) / 10 + 1))p")
	check "rotation -P 10: the comment is on packet $(((after - 1) % 10 + 1)) of $f, as packet $after belongs" \
	    [ "$(comments "dP10/$f" | cut -f 1)" = "$(((after - 1) % 10 + 1))" ]
	# -C: the packet is in the file it would have gone to without it
	f=$(for g in $(ls -v pC4k); do echo "$g $(frames "pC4k/$g" | wc -l)"; done |
	    awk -v a="$after" '{ n += $2 } n >= a { print $1; exit }')
	check "rotation -C 4k: the comment in $f, the file its packet goes to without nm-detect" \
	    [ "$(comments "dC4k/$f" | grep -c port_scan)" = 1 ]

	nm-pcap -F pcap -w out.pcap <det.nmr >/dev/null 2>pc.err
	st=$?
	[ "$st" = 0 ] && [ "$(wc -l <pc.err)" = 1 ] &&
	    grep -q '1 alerts not carried: a pcap file has no comments' pc.err &&
	    [ "$(td out.pcap | md5sum)" = "$(td k.pcapng | md5sum)" ]
	verdict $? "-F pcap: the same packets, status $st, one line: $(cat pc.err)"
fi

# --- made-up streams ---
D=ffffffffffff000000000001080600010800060400010000000000010a0000010000000000000a000002
D=$D$(printf '%036d' 0)
hdr='{"type":"header","version":1,"minor":0,"producer":"t","stages":["nm-capture","nm-decode","nm-detect"],"sources":[{"name":"eth9","kind":"interface","linktype":1,"snaplen":262144,"tsprec":9}]}'
fr() { echo "{\"type\":\"frame\",\"ts\":$((1700000000000000000 + $1 * 100000000)),\"if\":0,\"len\":60,\"caplen\":60,\"data\":\"$D\"${2:-}}"; }
al() { echo "{\"type\":\"alert\",\"ts\":1700000000000000000,\"kind\":\"$1\",\"severity\":\"high\",\"msg\":\"$2\",\"key\":\"$1 k\",\"repeat\":$3}"; }
{
	echo "$hdr"
	al syn_flood "before any packet" 0
	fr 1 ',"comment":"own"'
	al syn_flood "first of two" 0
	al host_sweep "second of two" 3
	fr 2
	fr 3
	al dns_tunnel "at the end" 0
	echo '{"type":"end","producer":"t","records":8,"frames":3,"packets":0,"reason":"eof"}'
} >m.json
nm-pcap -w m.pcapng <m.json >/dev/null 2>m.err
st=$?
comments m.pcapng >m.c
printf '%s\n' "1	own" \
    "1	nm-detect alert syn_flood: first of two [high] key=\"syn_flood k\"" \
    "1	nm-detect alert host_sweep: second of two [high] key=\"host_sweep k\" repeat=3" \
    "3	nm-detect alert dns_tunnel: at the end [high] key=\"dns_tunnel k\"" >m.want
[ "$st" = 0 ] && cmp -s m.want m.c
verdict $? "two alerts after one packet: two comments after its own; an alert as the last record: its comment; status $st"
[ -s m.c ] || cat m.err
[ "$(wc -l <m.err)" = 1 ] && grep -q '1 alerts followed no packet written' m.err
verdict $? "an alert before any packet: one line ($(cat m.err))"
[ "$(frames m.pcapng | wc -l)" = 3 ]
verdict $? "three packets written, as many as came"
# a stream cut after the alert (no end record: status 8): still written
sed '$d' m.json | nm-pcap -w e.pcapng >/dev/null 2>e.err
st=$?
[ "$st" = 8 ] && cmp -s m.want <(comments e.pcapng)
verdict $? "a stream cut after its last alert: status $st, the held packet and its comment written"
# a header without nm-detect: nothing is held, so nothing to attach to
sed '1s/,"nm-detect"//' m.json | nm-pcap -w n.pcapng >/dev/null 2>n.err
[ "$(comments n.pcapng)" = "1	own" ] && grep -q '4 alerts followed no packet' n.err
verdict $? "a stream nm-detect did not pass: packets not held, the alerts counted ($(cat n.err))"
# a signal while the packet is held, the input still open: it is
# written with its comment.  The first signal lets a piped input drain
# (nm-stage's policy), the second stops reading at once.
mkfifo s.in
nm-pcap -w s.pcapng <s.in >/dev/null 2>s.err &
spid=$!
exec 4>s.in
{ echo "$hdr"; fr 1; al port_scan "held" 0; } >&4
sleep 1
kill -TERM "$spid"
sleep 0.2
kill -TERM "$spid"
for _ in $(seq 50); do kill -0 "$spid" 2>/dev/null || break; sleep 0.1; done
kill -KILL "$spid" 2>/dev/null
wait "$spid"
st=$?
exec 4>&-
[ "$st" = 0 ] && [ "$(comments s.pcapng)" = "1	nm-detect alert port_scan: held [high] key=\"port_scan k\"" ]
verdict $? "a signal with the packet held: status $st, the packet and its comment written"
