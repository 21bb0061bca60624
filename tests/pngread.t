# capture/pngread.c, the pcapng reader for files libpcap refuses, on
# files real writers make, read by tests/tools/pngdump and compared with
# tshark's reading (interface, time to the ns, lengths, bytes):
# - nm-pcap writing a stream of two sources (Ethernet and Linux cooked,
#   snaplens 262144 and 96) made by hand: libpcap refuses it; the names,
#   filter, link types and snaplens; a comment; direction flags;
# - mergecap -F pcapng of captures of three link types and two snaplens;
#   tshark -F pcapng of a nanosecond capture; dumpcap -i lo -i any in a
#   network namespace (root);
# - the same files byte-swapped (big-endian sections), and files put end
#   to end (several sections, both byte orders in one file);
# - a file cut short: the packets before the cut, then one error line.
source "$(dirname "$0")/lib.sh"

for p in nm-capture nm-decode nm-pcap tests/tools/pktgen tests/tools/pngdump; do
	[ -x "$NM_TOP/$p" ] || { fail "pngread: not built: $p (run make)"; exit 1; }
done
PKTGEN=$NM_TOP/tests/tools/pktgen
PNGDUMP=$NM_TOP/tests/tools/pngdump
have() { command -v "$1" >/dev/null; }
cd "$TMP" || exit 1


# ts FILE [-x] [-s]: tshark's interface, time, lengths (and bytes with -x,
# the section first with -s)
ts() {
	if [ "${2:-}" = -x ]; then
		tshark -r "$1" -T json -x 2>/dev/null | python3 -c '
import json, sys
for p in json.load(sys.stdin):
    l = p["_source"]["layers"]
    f = l["frame"]
    if len(sys.argv) > 1:
        print(f["frame.section_number"], end="\t")
    print("%s\t%s\t%s\t%s\t%s" % (f["frame.interface_id"],
        f["frame.time_epoch"], f["frame.len"], f["frame.cap_len"],
        l["frame_raw"][0] if f["frame.cap_len"] != "0" else ""))' ${3:-}
	else
		tshark -r "$1" -T fields -e frame.interface_id \
		    -e frame.time_epoch -e frame.len -e frame.cap_len 2>/dev/null
	fi
}
# same NAME FILE [-x [-s]]: pngdump and tshark read FILE alike (not empty)
same() {
	local n=$1 f=$2 x=${3:-} s=${4:-}
	"$PNGDUMP" $x $s "$f" >"$TMP/a.out" 2>"$TMP/a.err"
	local st=$?
	ts "$f" $x $s | sed 's/\t$//' >"$TMP/b.out"
	sed -i 's/\t$//' "$TMP/a.out"
	if [ "$st" = 0 ] && [ -s "$TMP/b.out" ] && cmp -s "$TMP/a.out" "$TMP/b.out"; then
		pass "$n ($(wc -l <"$TMP/a.out") packets)"
	else
		fail "$n: status $st $(head -c 200 "$TMP/a.err"), differs from tshark"
		diff "$TMP/b.out" "$TMP/a.out" | head -n 6
	fi
}

# --- nm-pcap: a stream of two sources, made by hand ---
D=ffffffffffff000000000001080600010800060400010000000000010a0000010000000000000a000002
D=$D$(printf '%036d' 0)
# a Linux cooked frame (16-byte header, then the same ARP), cut to 40
S=000000010006000000000001000008060001080006040001000000000001
cat >two.json <<EOF
{"type":"header","version":1,"minor":0,"producer":"t","stages":["t"],"sources":[{"name":"eth9","kind":"interface","linktype":1,"snaplen":262144,"filter":"arp or udp","tsprec":9,"start":1700000000000000000},{"name":"any","kind":"interface","linktype":113,"snaplen":96,"tsprec":9,"start":1700000000000000000}]}
{"type":"frame","ts":1700000000123456789,"if":0,"len":60,"caplen":60,"data":"$D","comment":"kept: a test"}
{"type":"frame","ts":1700000000200000001,"if":1,"len":76,"caplen":30,"data":"$S"}
{"type":"frame","ts":1700000001000000000,"if":0,"len":60,"caplen":60,"data":"$D"}
{"type":"frame","ts":1700000001999999999,"if":1,"len":76,"caplen":30,"data":"$S"}
{"type":"capstats","ts":1700000002000000000,"if":0,"recv":10,"drop":3,"ifdrop":2,"final":true}
{"type":"end","producer":"t","records":6,"frames":4,"packets":0,"reason":"eof"}
EOF
nm-pcap -w two.pcapng <two.json >/dev/null 2>two.err
check "pngread nm-pcap: two sources written" [ -s two.pcapng ]
if have tcpdump; then
	tcpdump -r two.pcapng -n >/dev/null 2>td.err
	st=$?
	[ "$st" != 0 ] && grep -q 'different from the type of the first interface' td.err
	verdict $? "pngread nm-pcap: libpcap refuses it (status $st: $(tail -n 1 td.err | head -c 120))"
fi
"$PNGDUMP" -i two.pcapng >two.if
cat >two.if.want <<'EOF'
0	linktype=1 snaplen=262144 tsresol=0x09 tsprec=9 tsoffset=0 section=0 name=eth9 filter=arp or udp
1	linktype=113 snaplen=96 tsresol=0x09 tsprec=9 tsoffset=0 section=0 name=any filter=
EOF
same_file "pngread nm-pcap: interfaces, names, filter, link types, snaplens" two.if.want two.if
"$PNGDUMP" -v two.pcapng | cut -f 1,2,5,6 >two.v
printf '%s\n' '0	1700000000.123456789	-1	kept: a test' \
    '1	1700000000.200000001	-1	' '0	1700000001.000000000	-1	' \
    '1	1700000001.999999999	-1	' >two.v.want
same_file "pngread nm-pcap: times to the ns, the comment" two.v.want two.v

# --- files other writers make, and nm-pcap's of real captures ---
"$PKTGEN" mixed mixed.pcap
"$PKTGEN" sll sll.pcap
"$PKTGEN" raw raw.pcap
"$PKTGEN" mixed mixed-ns.pcap -p nsec
nm-capture -r sll.pcap 2>/dev/null | nm-decode -k | nm-pcap -w dir.pcapng >/dev/null
if ! have tshark; then
	skip "pngread: tshark not installed (tests/deps.sh): no comparison"
	exit 0
fi
same "pngread nm-pcap: two sources, bytes as tshark reads them" two.pcapng -x
same "pngread nm-pcap: after nm-decode -k" dir.pcapng -x
"$PNGDUMP" -v dir.pcapng | cut -f 5 | sed 's/^-1$//;s/^1$/0x00000001/;s/^2$/0x00000002/' >dir.a
tshark -r dir.pcapng -T fields -e frame.packet_flags_direction 2>/dev/null >dir.b
[ -s dir.a ] && grep -q 0x00000002 dir.a && cmp -s dir.a dir.b
verdict $? "pngread nm-pcap: direction flags as tshark reads them"
FILES="two dir"
if have mergecap && have editcap; then
	editcap -s 96 sll.pcap sll96.pcap 2>/dev/null
	mergecap -F pcapng -w merged.pcapng mixed.pcap sll96.pcap raw.pcap
	same "pngread mergecap: three link types, two snaplens" merged.pcapng -x
	FILES="$FILES merged"
fi
tshark -r mixed-ns.pcap -F pcapng -w tsh.pcapng 2>/dev/null
same "pngread tshark -F pcapng: nanoseconds" tsh.pcapng -x
FILES="$FILES tsh"

if have dumpcap && netns_ok; then
	ns=nmpng$$
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip netns exec "$ns" timeout 20 dumpcap -q -i lo -i any -a duration:4 \
	    -w "$TMP/dc.pcapng" >/dev/null 2>dc.err &
	dpid=$!
	sleep 1.5
	ip netns exec "$ns" ping -c 4 -i 0.2 127.0.0.1 >/dev/null 2>&1
	wait "$dpid"
	ip netns del "$ns"
	check "pngread dumpcap: two interfaces" \
	    [ "$(capinfos dc.pcapng 2>/dev/null | grep -c '^Interface #')" = 2 ]
	same "pngread dumpcap -i lo -i any" dc.pcapng -x
else
	skip "pngread dumpcap: dumpcap not installed or no network namespaces (${NETNS_WHY:-no dumpcap})"
fi

# --- big-endian, several sections ---
for f in $FILES; do
	if python3 "$NM_TOP/tests/tools/pngswap.py" "$f.pcapng" "$f.be.pcapng" 2>swap.err; then
		same "pngread big-endian: $f" "$f.be.pcapng" -x
	else
		fail "pngread big-endian: $f: swap.py: $(head -c 200 swap.err)"
	fi
done
cat two.pcapng merged.pcapng two.be.pcapng tsh.be.pcapng >sections.pcapng
same "pngread sections: four, both byte orders" sections.pcapng -x -s
# the reader numbers interfaces across the file: 2 + 3 + 2 + 1
"$PNGDUMP" -i sections.pcapng | cut -f 1 >sect.if
"$PNGDUMP" sections.pcapng | cut -f 1 | sort -un >sect.used
[ "$(tr '\n' ' ' <sect.if)" = "0 1 2 3 4 5 6 7 " ] &&
    [ "$(tr '\n' ' ' <sect.used)" = "0 1 2 3 4 5 6 7 " ] &&
    grep -q '^7	.* section=3 ' <("$PNGDUMP" -i sections.pcapng)
verdict $? "pngread sections: interfaces numbered on across sections (0 to 7)"

# --- cut short ---
n=$(stat -c %s merged.pcapng)
head -c $((n - 10)) merged.pcapng >cut.pcapng
"$PNGDUMP" cut.pcapng >cut.out 2>cut.err
st=$?
total=$(ts merged.pcapng | wc -l)
ts merged.pcapng | head -n "$(wc -l <cut.out)" >cut.want
[ "$st" = 7 ] && [ "$(wc -l <cut.err)" = 1 ] &&
    grep -Eq "^pngdump: cut.pcapng: byte [0-9]+: truncated block: [0-9]+ of [0-9]+ bytes \(after $(wc -l <cut.out) packets\)$" cut.err &&
    [ "$(wc -l <cut.out)" -ge $((total - 2)) ] && cmp -s cut.want cut.out
verdict $? "pngread cut short: $(wc -l <cut.out) of $total packets, then one line (status $st: $(head -c 160 cut.err))"
