# nm-pcap: captures written from the record stream.
# - round trips: every link type nm decodes (pktgen's scenarios, with
#   nanosecond timestamps too, and share/sample.pcap) through
#   nm-capture -r | nm-pcap, as pcapng and as pcap, read back by tcpdump
#   and tshark with the same frames, times to the nanosecond, interface
#   names and link types as the original;
# - after nm-decode: packets cut to 64 payload bytes keep their length on
#   the wire, and one line says so; with -k the frames are whole; the
#   Linux cooked header's packet type becomes the direction flag;
# - a stream through JSON and back writes the same frames; nm-pcap in the
#   middle passes every record on unchanged; -w - is the capture alone;
# - pcapng blocks: the BPF filter, a source not in the header, a record's
#   comment, the statistics block's counts (tshark's reading of the blocks);
# - write errors (/dev/full, a tiny tmpfs): one line, status 1, the file a
#   valid capture up to its last whole packet;
# - rotation by size (-C), by packet count (-P), by time on the clock
#   (-G), a ring (-W), -z on every closed file, refused to stdout, -U;
# - nm-capture -w: one line naming nm-pcap, status 2.
source "$(dirname "$0")/lib.sh"

for p in nm-capture nm-decode nm-render nm-pcap tests/tools/pktgen; do
	[ -x "$NM_TOP/$p" ] || { fail "pcap: not built: $p (run make)"; exit 1; }
done
PKTGEN=$NM_TOP/tests/tools/pktgen
have() { command -v "$1" >/dev/null; }
cd "$TMP" || exit 1

# td FILE: tcpdump's every byte and time of a capture
td() { tcpdump -r "$1" -n -xx -tt --nano 2>/dev/null; }
# ts FILE: tshark's time, lengths and interface of each frame
ts() {
	tshark -r "$1" -T fields -e frame.time_epoch -e frame.len \
	    -e frame.cap_len -e frame.interface_name 2>/dev/null
}
# encap FILE: the link type, as capinfos names it
encap() { capinfos -E "$1" 2>/dev/null | sed -n 's/^File encapsulation: *//p'; }
# same NAME CMD A B: CMD's outputs for A and B are equal (and not empty)
same() {
	local n=$1 c=$2
	"$c" "$3" >"$TMP/a.out"
	"$c" "$4" >"$TMP/b.out"
	if [ -s "$TMP/a.out" ] && cmp -s "$TMP/a.out" "$TMP/b.out"; then
		pass "$n"
	else
		fail "$n: differs"
		diff "$TMP/a.out" "$TMP/b.out" | head -n 6
	fi
}

cp "$NM_TOP/share/sample.pcap" sample.pcap
CAPS="sample"
for sc in mixed sll sll2 raw null; do
	"$PKTGEN" "$sc" "$sc.pcap" && CAPS="$CAPS $sc"
	"$PKTGEN" "$sc" "$sc-ns.pcap" -p nsec && CAPS="$CAPS $sc-ns"
done

# --- round trips ---
for c in $CAPS; do
	nm-capture -r "$c.pcap" 2>/dev/null | nm-pcap -w "$c.pcapng" \
	    >/dev/null 2>"$c.err"
	st1=$?
	nm-capture -r "$c.pcap" 2>/dev/null | nm-pcap -F pcap -w "$c.out.pcap" \
	    >/dev/null 2>>"$c.err"
	st2=$?
	[ "$st1" = 0 ] && [ "$st2" = 0 ] && [ ! -s "$c.err" ]
	verdict $? "pcap $c: both formats written, status 0 ($st1 $st2), quietly"
	if have tcpdump; then
		same "pcap $c: pcapng, tcpdump reads the same bytes and times" \
		    td "$c.pcap" "$c.pcapng"
		same "pcap $c: pcap, tcpdump reads the same bytes and times" \
		    td "$c.pcap" "$c.out.pcap"
	else
		skip "pcap $c: tcpdump not installed (tests/deps.sh)"
	fi
	if have tshark && have capinfos; then
		# the original's interface is unnamed; the copy's is its file
		ts "$c.pcap" | cut -f 1-3 >"$c.ts.a"
		ts "$c.pcapng" >"$c.ts.b"
		check "pcap $c: tshark, the same times and lengths" \
		    cmp -s "$c.ts.a" <(cut -f 1-3 "$c.ts.b")
		check "pcap $c: tshark, interface named $c.pcap" \
		    [ "$(cut -f 4 "$c.ts.b" | sort -u)" = "$c.pcap" ]
		[ -n "$(encap "$c.pcap")" ] &&
		    [ "$(encap "$c.pcap")" = "$(encap "$c.pcapng")" ] &&
		    [ "$(encap "$c.pcap")" = "$(encap "$c.out.pcap")" ]
		verdict $? "pcap $c: the same link type ($(encap "$c.pcap"))"
	else
		skip "pcap $c: tshark or capinfos not installed (tests/deps.sh; capinfos is in wireshark-common)"
	fi
done
if have capinfos; then
	check "pcap: nanosecond magic in -F pcap" \
	    grep -q 'nanoseconds' <(capinfos -t mixed.out.pcap 2>/dev/null;
		capinfos mixed.out.pcap 2>/dev/null)
	check "pcap: the statistics block is there (capinfos)" \
	    grep -q 'Number of stat entries = 1' <(capinfos mixed.pcapng 2>/dev/null)
fi

# --- after nm-decode ---
nm-capture -r mixed.pcap 2>/dev/null | nm-decode | nm-pcap -w cut.pcapng \
    >/dev/null 2>cut.err
st=$?
check "pcap cut: status 0 ($st)" [ "$st" = 0 ]
[ "$(wc -l <cut.err)" = 1 ] && grep -q 'nm-decode -k' cut.err &&
    grep -Eq '^nm-pcap: cut.pcapng: [1-9][0-9]* of 45 packets' cut.err
verdict $? "pcap cut: one line names nm-decode -k ($(head -c 200 cut.err))"
if have tshark; then
	tshark -r mixed.pcap -T fields -e frame.len 2>/dev/null >len.a
	tshark -r cut.pcapng -T fields -e frame.len 2>/dev/null >len.b
	same_file "pcap cut: the length on the wire is kept" len.a len.b
	ncut=$(tshark -r cut.pcapng -T fields -e frame.len -e frame.cap_len \
	    2>/dev/null | awk '$1 != $2' | wc -l)
	check "pcap cut: the cut frames are the ones counted ($ncut)" \
	    grep -q "^nm-pcap: cut.pcapng: $ncut of" cut.err
	check "pcap cut: each cut frame keeps 64 payload bytes or fewer" \
	    [ "$(tshark -r cut.pcapng -T fields -e frame.cap_len 2>/dev/null |
		sort -n | tail -n 1)" -le 200 ]
fi
for c in mixed sll sll2 raw null; do
	nm-capture -r "$c.pcap" 2>/dev/null | nm-decode -k |
	    nm-pcap -w "$c.k.pcapng" >/dev/null 2>"$c.k.err"
	check "pcap $c: after nm-decode -k, quietly" [ ! -s "$c.k.err" ]
	have tcpdump && same "pcap $c: after nm-decode -k, whole frames" \
	    td "$c.pcap" "$c.k.pcapng"
done
if have tshark; then
	# pkttype 0, 1, 2: inbound (1); 4: outbound (2); others: no flag
	tshark -r sll.pcap -T fields -e sll.pkttype 2>/dev/null | awk '{
	    print ($1 <= 2 ? "0x00000001" : $1 == 4 ? "0x00000002" : "") }' \
	    >dir.a
	tshark -r sll.k.pcapng -T fields -e frame.packet_flags_direction \
	    2>/dev/null | sed 's/^$//' >dir.b
	[ -s dir.a ] && grep -q 0x00000002 dir.a && cmp -s dir.a dir.b
	verdict $? "pcap sll: direction flags from the cooked header's packet type"
	tshark -r sll.pcapng -T fields -e frame.packet_flags_direction \
	    2>/dev/null | sort -u >dir.c
	check "pcap sll: no direction from frames nm-decode did not decode" \
	    [ "$(tr -d '\n' <dir.c)" = "" ]
fi

# --- JSON and back; in the middle; -w - ---
nm-capture -r mixed.pcap 2>/dev/null >mixed.nmr
nm-render -o json <mixed.nmr | nm-pcap -w json.pcapng >/dev/null
have tcpdump && same "pcap: a stream through JSON writes the same frames" \
    td mixed.pcapng json.pcapng
nm-pcap -w mid.pcapng <mixed.nmr >mid.nmr
st=$?
nm-render -o json <mixed.nmr | sed 1d >rec.a
nm-render -o json <mid.nmr | sed '1d;$d' >rec.b
[ "$st" = 0 ] && cmp -s rec.a rec.b
verdict $? "pcap: in the middle, status 0 ($st), every record passed unchanged"
grep -q '"stages":\["nm-capture","nm-pcap"\]' <(nm-render -o json <mid.nmr | head -n 1) &&
    grep -q '"producer":"nm-pcap".*"frames":45' <(nm-render -o json <mid.nmr | tail -n 1)
verdict $? "pcap: in the middle, the header says nm-pcap, the end is its own"
nm-pcap -w - <mixed.nmr >stdout.pcapng
check "pcap: -w - writes the capture, and only it" cmp -s stdout.pcapng mid.pcapng
nm-pcap -F pcap -w - <mixed.nmr >stdout.pcap
check "pcap: -w - -F pcap the same" cmp -s stdout.pcap mixed.out.pcap

# --- pcapng's blocks, from a stream made by hand ---
D=ffffffffffff000000000001080600010800060400010000000000010a0000010000000000000a000002
D=$D$(printf '%036d' 0)
cat >hand.json <<EOF2
{"type":"header","version":1,"minor":0,"producer":"t","stages":["t"],"sources":[{"name":"eth9","kind":"interface","linktype":1,"snaplen":262144,"filter":"arp or udp","tsprec":9,"start":1700000000000000000}]}
{"type":"frame","ts":1700000000123456789,"if":0,"len":60,"caplen":60,"data":"$D","comment":"kept: a test"}
{"type":"frame","ts":1700000001000000001,"if":1,"len":60,"caplen":60,"data":"$D"}
{"type":"capstats","ts":1700000002000000000,"if":0,"recv":10,"drop":3,"ifdrop":2,"final":true}
{"type":"end","producer":"t","records":4,"frames":2,"packets":0,"reason":"eof"}
EOF2
nm-pcap -w hand.pcapng <hand.json >/dev/null
if have tshark && have capinfos; then
	capinfos hand.pcapng >hand.cap 2>/dev/null
	check "pcap blocks: the BPF text as if_filter" \
	    grep -q 'Filter string = arp or udp' hand.cap
	check "pcap blocks: a source not in the header gets a block of its own" \
	    grep -q 'Number of interfaces in file: 2' hand.cap
	tshark -r hand.pcapng -T fields -e frame.comment -e frame.time_epoch \
	    2>/dev/null >hand.ts
	check "pcap blocks: the record's comment, the time to the ns" \
	    grep -q "^kept: a test	1700000000.123456789$" hand.ts
	tshark -X 'read_format:MIME Files Format' -r hand.pcapng -V \
	    2>/dev/null >hand.v
	grep -q 'Number of Received Packets: 10' hand.v &&
	    grep -q 'Number of Dropped Packets: 5' hand.v &&
	    grep -q 'Number of Dropped Packets by OS: 3' hand.v
	verdict $? "pcap blocks: statistics: received 10, lost 5, by the kernel 3"
	grep -q 'Option: Start Time' hand.v && grep -q 'Option: End Time' hand.v
	verdict $? "pcap blocks: statistics: start and end times"
else
	skip "pcap blocks: tshark or capinfos not installed (tests/deps.sh)"
fi

# --- write errors ---
"$PKTGEN" bulk bulk.pcap -n 20000
nm-capture -r bulk.pcap 2>/dev/null | nm-pcap -w /dev/full 2>full.err |
    nm-render -o json >full.json 2>full.rerr
st="${PIPESTATUS[*]}"
check "pcap /dev/full: statuses 0 1 0 ($st)" [ "$st" = "0 1 0" ]
[ "$(wc -l <full.err)" = 1 ] &&
    grep -q '^nm-pcap: /dev/full: No space left on device$' full.err
verdict $? "pcap /dev/full: one line ($(head -c 200 full.err))"
[ ! -s full.rerr ] && grep -q '"reason":"error"' full.json
verdict $? "pcap /dev/full: the next stage ends cleanly on reason error"
if mountns_ok; then
	for f in pcapng pcap; do
		mkdir -p "small$f"
		unshare -m sh -c 'mount -t tmpfs -o size=256k nmtest "$1" &&
		    nm-capture -r bulk.pcap 2>/dev/null |
		    nm-pcap -F "$2" -w "$1/o" >/dev/null 2>"$2.err"
		    echo $? >"$2.rc"; cp "$1/o" "o.$2"' sh "small$f" "$f"
		check "pcap tiny tmpfs $f: status 1 ($(cat $f.rc))" [ "$(cat $f.rc)" = 1 ]
		[ "$(wc -l <"$f.err")" = 1 ] &&
		    grep -q "^nm-pcap: small$f/o: No space left on device$" "$f.err"
		verdict $? "pcap tiny tmpfs $f: one line"
		n=0
		have capinfos && n=$(capinfos -cM "o.$f" 2>/dev/null |
		    sed -n 's/^Number of packets: *//p')
		[ "$(stat -c %s "o.$f")" -ge 200000 ] && [ "${n:-0}" -gt 1000 ]
		verdict $? "pcap tiny tmpfs $f: the file filled up ($(stat -c %s "o.$f") bytes, $n packets)"
		if have tcpdump; then
			tcpdump -r "o.$f" -n >/dev/null 2>"$f.td"
			[ $? = 0 ] && ! grep -qi 'truncated' "$f.td" &&
			    [ "$(td "o.$f" | grep -c '^[0-9]')" = "$n" ]
			verdict $? "pcap tiny tmpfs $f: a valid capture to its last packet"
		fi
	done
else
	skip "pcap tiny tmpfs: cannot mount one in a private mount namespace here (root and unshare needed)"
fi

# --- usage ---
nm-capture -w out.pcap -r mixed.pcap >/dev/null 2>w.err
st=$?
[ "$st" = 2 ] && [ "$(wc -l <w.err)" = 1 ] &&
    grep -q 'nm-capture \.\.\. | nm-pcap -w out.pcap' w.err && [ ! -e out.pcap ]
verdict $? "nm-capture -w: status 2 ($st), one line naming nm-pcap"
nm-pcap <mixed.nmr >/dev/null 2>u.err
st=$?
[ "$st" = 2 ] && [ "$(wc -l <u.err)" = 1 ]
verdict $? "nm-pcap without -w: status 2 ($st), one line"
nm-pcap -F pcapx -w x <mixed.nmr >/dev/null 2>f.err
st=$?
[ "$st" = 2 ] && [ "$(wc -l <f.err)" = 1 ]
verdict $? "nm-pcap -F pcapx: status 2 ($st), one line"
nm-pcap -w /nonexistent/dir/x <mixed.nmr 2>nx.err | nm-render >nx.out 2>nx.rerr
st="${PIPESTATUS[*]}"
[ "$st" = "1 0" ] && [ "$(wc -l <nx.err)" = 1 ] &&
    grep -q '^nm-pcap: /nonexistent/dir/x: No such file or directory$' nx.err
verdict $? "nm-pcap -w into no directory: statuses 1 0 ($st), one line"
check "nm-pcap -w into no directory: the next stage ends quietly" \
    [ ! -s nx.rerr ]

# --- rotation ---
nm-capture -r bulk.pcap 2>/dev/null >bulk.nmr
td_s() { tcpdump -r "$1" -n -S -tt --nano 2>/dev/null; }
mkdir rc && (cd rc && nm-pcap -C 1 -w r.pcapng <../bulk.nmr >/dev/null)
st=$?
n=$(ls rc | wc -l)
[ "$st" = 0 ] && [ "$n" -ge 5 ] && [ -e rc/r.pcapng ] &&
    [ -e "rc/r.pcapng$((n - 1))" ]
verdict $? "rotation -C 1: status 0 ($st), $n files r.pcapng, r.pcapng1, ..."
big=$(for f in rc/*; do stat -c %s "$f"; done | sort -n | tail -n 1)
check "rotation -C 1: no file much over 1000000 bytes ($big)" [ "$big" -le 1002000 ]
if have tcpdump; then
	for i in $(seq 0 $((n - 1))); do
		[ "$i" = 0 ] && f=rc/r.pcapng || f=rc/r.pcapng$i
		td_s "$f"
	done >rc.all
	td_s bulk.pcap >rc.orig
	check "rotation -C 1: the files in order hold every frame" \
	    cmp -s rc.orig rc.all
fi
mkdir rw && (cd rw && nm-pcap -C 1 -W 3 -F pcap -w r.pcap <../bulk.nmr >/dev/null)
check "rotation -C 1 -W 3: a ring of r.pcap0 r.pcap1 r.pcap2" \
    [ "$(ls rw | tr '\n' ' ')" = "r.pcap0 r.pcap1 r.pcap2 " ]
mkdir r1 && (cd r1 && nm-pcap -C 1 -W 1 -w r.pcapng <../bulk.nmr >/dev/null)
check "rotation -C 1 -W 1: one file, r.pcapng, as tcpdump's" \
    [ "$(ls r1)" = "r.pcapng" ]
if have capinfos; then
	for f in rw/*; do capinfos -c "$f" >/dev/null 2>&1 || echo "$f"; done >rw.bad
	check "rotation -C 1 -W 3: each is a whole capture" [ ! -s rw.bad ]
fi
# -G: periods aligned to the clock, from the stream's own time; a
# capture's clock (capstats) closes a file with no packet after it; -z
# runs on every closed file, the last too; -W with -G keeps the last N.
fr() { echo "{\"type\":\"frame\",\"ts\":$1,\"if\":0,\"len\":60,\"caplen\":60,\"data\":\"$D\"}"; }
{
	echo '{"type":"header","version":1,"minor":0,"producer":"t","stages":["t"],"sources":[{"name":"eth9","kind":"interface","linktype":1,"snaplen":262144,"tsprec":9}]}'
	fr 1700000000500000000; fr 1700000001200000000; fr 1700000001900000000
	echo '{"type":"capstats","ts":1700000002100000000,"if":0,"recv":3,"drop":0,"ifdrop":0}'
	fr 1700000003100000000
	echo '{"type":"end","producer":"t","records":6,"frames":4,"packets":0,"reason":"eof"}'
} >g.json
printf '#!/bin/sh\necho "$1" >>"%s/z.log"\n' "$TMP" >z.sh
chmod +x z.sh
mkdir rg && (cd rg && nm-pcap -G 1 -z "$TMP/z.sh" -w 'g-%s.pcapng' <../g.json >/dev/null)
st=$?
[ "$st" = 0 ] && [ "$(ls rg | tr '\n' ' ')" = "g-1700000000.pcapng g-1700000001.pcapng g-1700000003.pcapng " ]
verdict $? "rotation -G 1: status 0 ($st), one file a second with packets"
have capinfos && check "rotation -G 1: the second's file holds its two packets" \
    grep -q 'Number of packets: *2$' <(capinfos -c rg/g-1700000001.pcapng 2>/dev/null)
check "rotation -z: run on every closed file, the last too" \
    [ "$(sort z.log | tr '\n' ' ')" = "g-1700000000.pcapng g-1700000001.pcapng g-1700000003.pcapng " ]
# The capture's clock closes a file on time: with the input held open
# after the capstats record, -z has already run on the second's file.
mkdir rq && mkfifo rq.in
(cd rq && nm-pcap -G 1 -z "$TMP/z.sh" -w 'q-%s.pcapng' <../rq.in >/dev/null) &
qpid=$!
exec 4>rq.in
: >z.log
sed -n 1,5p g.json >&4
for _ in $(seq 50); do grep -q q-1700000001 z.log 2>/dev/null && break; sleep 0.1; done
check "rotation -G: the capture's clock closes a file, no packet after it" \
    grep -q '^q-1700000001.pcapng$' z.log
sed -n '6,$p' g.json >&4
exec 4>&-
wait "$qpid"
mkdir rh && (cd rh && nm-pcap -G 3600 -w 'h-%s.pcap' -F pcap <../g.json >/dev/null)
check "rotation -G 3600: on the hour (1699999200), not the first packet's time" \
    [ "$(ls rh)" = "h-1699999200.pcap" ]
mkdir rr && (cd rr && nm-pcap -G 1 -W 2 -w 'g-%s.pcapng' <../g.json >/dev/null)
check "rotation -G 1 -W 2: the last two files kept" \
    [ "$(ls rr | tr '\n' ' ')" = "g-1700000001.pcapng g-1700000003.pcapng " ]
nm-pcap -C 1 -w - <g.json >/dev/null 2>r.err
st=$?
[ "$st" = 2 ] && [ "$(wc -l <r.err)" = 1 ] && grep -q 'not to stdout' r.err
verdict $? "rotation to stdout: refused, status 2 ($st), one line"
nm-pcap -W 3 -w x <g.json >/dev/null 2>r.err
st=$?
[ "$st" = 2 ] && [ ! -e x ]
verdict $? "-W without -C or -G: refused, status 2 ($st)"
# -P: a new file every count packets written (frames, and packet records
# with their bytes; a packet record without them, a capstats record, a
# frame a pcap file leaves out are not counted), numbered as -C's files.
hdr='{"type":"header","version":1,"minor":0,"producer":"t","stages":["t"],"sources":[{"name":"eth9","kind":"interface","linktype":1,"snaplen":262144,"tsprec":9}]}'
# frn I [BYTES]: frame I (its last byte I), of 60 bytes or BYTES
frn() {
	local n=${2:-60} d
	d=${D%??}$(printf '%02x' "$1")
	[ "$n" -gt 60 ] && d=$d$(printf "%0$(((n - 60) * 2))d" 0)
	echo "{\"type\":\"frame\",\"ts\":$((1700000000000000000 + $1 * 100000000)),\"if\":0,\"len\":$n,\"caplen\":$n,\"data\":\"$d\"}"
}
{
	echo "$hdr"
	for i in 1 2 3 4; do frn "$i"; done
	frn 5 | sed 's/"frame"/"packet"/'
	echo '{"type":"capstats","ts":1700000000550000000,"if":0,"recv":5,"drop":0,"ifdrop":0}'
	echo '{"type":"packet","ts":1700000000560000000,"if":0,"len":60,"caplen":60}'
	for i in 6 7 8 9 10; do frn "$i"; done
	echo '{"type":"end","producer":"t","records":13,"frames":9,"packets":2,"reason":"eof"}'
} >p10.json
# names DIR: its files, on one line
names() { ls "$1" | tr '\n' ' '; }
# npk FILE: its packets, as capinfos counts them
npk() { capinfos -cM "$1" 2>/dev/null | sed -n 's/^Number of packets: *//p'; }
nm-pcap -w p.ref.pcapng <p10.json >/dev/null
: >z.log
mkdir rp && (cd rp && nm-pcap -P 3 -z "$TMP/z.sh" -w p.pcapng <../p10.json >/dev/null)
st=$?
[ "$st" = 0 ] && [ "$(names rp)" = "p.pcapng p.pcapng1 p.pcapng2 p.pcapng3 " ]
verdict $? "rotation -P 3: status 0 ($st), 4 files p.pcapng, p.pcapng1 .. 3 (-C's names)"
if have capinfos; then
	c=$(for f in p.pcapng p.pcapng1 p.pcapng2 p.pcapng3; do npk "rp/$f"; done | tr '\n' ' ')
	check "rotation -P 3: 10 packets as 3 3 3 1 ($c)" [ "$c" = "3 3 3 1 " ]
fi
if have tcpdump; then
	for f in p.pcapng p.pcapng1 p.pcapng2 p.pcapng3; do td "rp/$f"; done >rp.all
	td p.ref.pcapng >rp.orig
	[ "$(grep -c "^[0-9]" rp.orig)" = 10 ] && cmp -s rp.orig rp.all
	verdict $? "rotation -P 3: the files in order hold the same frames"
fi
check "rotation -P -z: run on every closed file, the last too" \
    [ "$(sort z.log | tr '\n' ' ')" = "p.pcapng p.pcapng1 p.pcapng2 p.pcapng3 " ]
mkdir rpw && (cd rpw && nm-pcap -P 2 -W 3 -w p.pcapng <../p10.json >/dev/null)
st=$?
[ "$st" = 0 ] && [ "$(names rpw)" = "p.pcapng0 p.pcapng1 p.pcapng2 " ]
verdict $? "rotation -P 2 -W 3: status 0 ($st), a ring of p.pcapng0 p.pcapng1 p.pcapng2"
if have tcpdump; then
	# five files of two round a ring of three: 1 holds the last two
	td rpw/p.pcapng1 >rpw.last
	td p.ref.pcapng | awk '/^[0-9]/ { n++ } n >= 9' >rpw.want
	[ "$(grep -c "^[0-9]" rpw.last)" = 2 ] && cmp -s rpw.want rpw.last
	verdict $? "rotation -P 2 -W 3: the newest file holds packets 9 and 10"
fi
# -C and -P, whichever comes first: four small frames fill a file by
# count, then a big one by size
{
	echo "$hdr"
	for i in 1 2 3 4 5 6; do frn "$i"; done
	for i in 7 8 9 10; do frn "$i" 1000; done
	echo '{"type":"end","producer":"t","records":11,"frames":10,"packets":0,"reason":"eof"}'
} >pc.json
mkdir rpc && (cd rpc && nm-pcap -C 1k -P 4 -w c.pcapng <../pc.json >/dev/null)
st=$?
if have capinfos; then
	c=$(for f in c.pcapng c.pcapng1 c.pcapng2 c.pcapng3 c.pcapng4 c.pcapng5; do
		npk "rpc/$f"; done | tr '\n' ' ')
	[ "$st" = 0 ] && [ "$c" = "4 3 1 1 1 " ] && [ "$(ls rpc | wc -l)" = 5 ]
	verdict $? "rotation -C 1k -P 4: status 0 ($st), by count, then by size (4 3 1 1 1 = $c)"
fi
# -G and -P: a new period starts a new file, and the count anew
mkdir rpg && (cd rpg && nm-pcap -G 1 -P 1 -w 'g-%s.pcapng' <../g.json >/dev/null)
check "rotation -G 1 -P 1: a file a packet, counted within the second" \
    [ "$(names rpg)" = "g-1700000000.pcapng g-1700000001.pcapng g-1700000001.pcapng1 g-1700000003.pcapng " ]
# -F pcap: a frame of another link type is left out, and starts no file
{
	echo '{"type":"header","version":1,"minor":0,"producer":"t","stages":["t"],"sources":[{"name":"eth9","kind":"interface","linktype":1,"snaplen":262144,"tsprec":9},{"name":"lo","kind":"interface","linktype":113,"snaplen":262144,"tsprec":9}]}'
	frn 1; frn 2
	frn 3 | sed 's/"if":0/"if":1/'
	echo '{"type":"end","producer":"t","records":4,"frames":3,"packets":0,"reason":"eof"}'
} >pl.json
mkdir rpl && (cd rpl && nm-pcap -F pcap -P 2 -w l.pcap <../pl.json >/dev/null 2>../pl.err)
st=$?
[ "$st" = 0 ] && [ "$(ls rpl)" = "l.pcap" ] &&
    grep -q "1 frames of another link type" pl.err
verdict $? "rotation -F pcap -P 2: status 0 ($st), a frame left out is not counted, no empty file"
nm-pcap -P 3 -w - <p10.json >/dev/null 2>r.err
st=$?
[ "$st" = 2 ] && [ "$(wc -l <r.err)" = 1 ] &&
    grep -q -- "-P.*not to stdout" r.err
verdict $? "rotation -P to stdout: refused, status 2 ($st), one line naming -P"
for v in 0 -1 x 3x '' 4294967296 99999999999999999999; do
	nm-pcap -P "$v" -w bad.pcapng <p10.json >/dev/null 2>r.err
	st=$?
	tr -d "'" <r.err >r.errq
	[ "$st" = 2 ] && [ "$(wc -l <r.err)" = 1 ] &&
	    grep -qF -- "-P: $v" r.errq && [ ! -e bad.pcapng ]
	verdict $? "rotation -P '$v': status 2 ($st), one line naming -P and '$v' ($(head -c 100 r.err))"
done
nm-pcap --packets=0 -w bad.pcapng <p10.json >/dev/null 2>r.err
st=$?
[ "$st" = 2 ] && [ "$(wc -l <r.err)" = 1 ] &&
    grep -q -- "^nm-pcap: -P: 0 " r.err
verdict $? "rotation --packets=0: status 2 ($st), one line naming -P"
if have strace; then
	NM_NO_SECCOMP=1 strace -o u.trace -e trace=write nm-pcap -U -w u.pcapng \
	    <mixed.nmr >/dev/null 2>&1
	NM_NO_SECCOMP=1 strace -o b.trace -e trace=write nm-pcap -w b.pcapng \
	    <mixed.nmr >/dev/null 2>&1
	nu=$(grep -c '^write(3,' u.trace) nb=$(grep -c '^write(3,' b.trace)
	[ "$nu" -ge 45 ] && [ "$nb" -lt 5 ] && cmp -s u.pcapng b.pcapng
	verdict $? "-U: a write per packet ($nu writes; $nb without -U)"
else
	skip "-U: strace not installed"
fi
