#!/usr/bin/env bash
# Hand-made bad capture files, each with its expected one line and exit
# status (capture-file.t covers junk, an empty file and a truncated last
# record): bad magic, a global header cut short, a record header cut
# short, caplen above the file's snaplen (cut to it, as tcpdump does) and
# above the maximum, zero snaplen (means the maximum), and pcapng blocks
# whose lengths lie.  Frames before a fault are kept, then an end record
# with reason "error".
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/capture-lib.sh"
NMC=$NM_TOP/nm-capture
[ -x "$NMC" ] || { echo "nm-capture not built"; exit 77; }

python3 - "$TMP" <<'PY'
import struct, sys
d = sys.argv[1] + "/"
def gh(magic=0xA1B2C3D4, snap=262144):
    return struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snap, 1)
fr = bytes.fromhex("020000000002020000000001") + b"\x08\x00" + bytes(46)
def rec(data, caplen=None):
    n = len(data) if caplen is None else caplen
    return struct.pack("<IIII", 1700000000, 0, n, n) + data
def blk(t, body, tl=None, tl2=None):
    body += bytes(-len(body) % 4)
    n = len(body) + 12
    return (struct.pack("<II", t, n if tl is None else tl) + body +
            struct.pack("<I", n if tl2 is None else tl2))
shb = blk(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
idb = blk(1, struct.pack("<HHI", 1, 0, 0))
def epb(data, **k):
    return blk(6, struct.pack("<IIIII", 0, 0, 0, len(data), len(data)) + data, **k)
files = {
    "magic.pcap": struct.pack("<I", 0xA1B2C3D5) + gh()[4:] + rec(fr),
    "shorthdr.pcap": gh()[:14],
    "shortrec.pcap": gh() + rec(fr) + rec(fr)[:10],
    "overcap.pcap": gh(snap=100) + rec(fr) + rec(bytes(200)),
    "hugecap.pcap": gh() + rec(fr) + rec(bytes(300000)),
    "zerosnap.pcap": gh(snap=0) + rec(fr) + rec(fr),
    "ng-shb.pcapng": blk(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1), tl=13) + idb + epb(fr),
    "ng-small.pcapng": shb + idb + epb(fr) + epb(fr, tl=8),
    "ng-odd.pcapng": shb + idb + epb(fr) + epb(fr, tl=83),
    "ng-trailer.pcapng": shb + idb + epb(fr) + epb(fr, tl2=999),
    "ng-huge.pcapng": shb + idb + epb(fr) + epb(fr, tl=0x7fffff00),
    "ng-caplen.pcapng": shb + idb + epb(fr) + blk(6, struct.pack("<IIIII", 0, 0, 0, 5000, 5000) + fr),
}
for name, b in files.items():
    open(d + name, "wb").write(b)
PY

# bad NAME FILE STATUS FRAMES REGEX: exit STATUS, FRAMES frames kept, one
# line on stderr matching REGEX (none when REGEX is empty)
bad() {
	local name=$1 f=$TMP/$2 want=$3 frames=$4 re=$5 st n
	timeout 10 "$NMC" -r "$f" >"$TMP/$2.bin" 2>"$TMP/$2.err" </dev/null
	st=$?
	nmc_json <"$TMP/$2.bin" 2>/dev/null >"$TMP/$2.json"
	n=$(grep -c '"type":"frame"' "$TMP/$2.json")
	check "$name: exit $want ($st)" [ "$st" = "$want" ]
	check "$name: $frames frames kept ($n)" [ "$n" = "$frames" ]
	if [ -z "$re" ]; then
		check "$name: nothing on stderr" [ ! -s "$TMP/$2.err" ]
	elif [ "$(wc -l <"$TMP/$2.err")" = 1 ] &&
	    grep -Eq "^nm-capture: $f: $re" "$TMP/$2.err"; then
		pass "$name: one line"
	else
		fail "$name: message: $(head -c 300 "$TMP/$2.err")"
	fi
}

bad "bad magic" magic.pcap 7 0 'unknown file format'
bad "global header cut short" shorthdr.pcap 7 0 'truncated dump file; tried to read 24 file header bytes'
bad "record header cut short" shortrec.pcap 7 1 'truncated dump file; tried to read 16 header bytes'
bad "caplen above the maximum" hugecap.pcap 7 1 'invalid packet capture length 300000, bigger than snaplen of 262144'
bad "pcapng: section header length" ng-shb.pcapng 7 0 'Section Header Block .* invalid length'
bad "pcapng: block length below 12" ng-small.pcapng 7 1 'block in pcapng dump file has a length of 8 < 12'
bad "pcapng: block length not a multiple of 4" ng-odd.pcapng 7 1 'block in pcapng dump file has a length of 83 that is not a multiple of 4'
bad "pcapng: trailer length differs" ng-trailer.pcapng 7 1 "block total length in header and trailer don't match"
bad "pcapng: block length beyond the maximum" ng-huge.pcapng 7 1 'pcapng block size 2147483392 > maximum'
bad "pcapng: caplen beyond its block" ng-caplen.pcapng 7 1 'block of type 6 in pcapng dump file is too short'
for f in shortrec.pcap hugecap.pcap ng-small.pcapng ng-caplen.pcapng; do
	nmc_is "$f: ends with capstats and an error end" "$TMP/$f.json" \
	    '[(r["type"], r.get("reason")) for r in R[-2:]]' \
	    "[('capstats', None), ('end', 'error')]"
done

# Tolerated, as tcpdump does: caplen above the file's snaplen is cut to
# it; a snaplen of 0 means the maximum.
bad "caplen above the snaplen" overcap.pcap 0 2 ''
nmc_is "caplen above the snaplen: cut to it" "$TMP/overcap.pcap.json" \
    '[(r["len"], r["caplen"], len(r["data"]) // 2) for r in T("frame")]' \
    "[(60, 60, 60), (200, 100, 100)]"
bad "zero snaplen" zerosnap.pcap 0 2 ''
nmc_is "zero snaplen: the maximum" "$TMP/zerosnap.pcap.json" \
    'R[0]["sources"][0]["snaplen"]' 262144
