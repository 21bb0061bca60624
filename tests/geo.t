# Where addresses are (issue 16): country, AS and flags of public
# addresses from a local database.  A tiny MaxMind DB made here
# (tests/tools/mkmmdb.pl, Debian's libmaxmind-db-writer-perl) and a
# capture written here (tests/tools/geopcap.py): nm-stats' top_hosts geo
# and flow records' src_geo/dst_geo, the cache's figures; nm-render's
# final report, -o json, -e ip.geoip.* fields and its own lookups;
# private and special-purpose addresses get nothing; --geo off; a missing,
# a garbage and a truncated database (one line, the documented status, no
# crash); the hint when there is no database, once, in nm-monitor's
# pipeline too; --version and the licence; libloc's database on
# well-known addresses when libloc-database is installed; the same
# answers with and without the seccomp filter; the top view's column.
source "$(dirname "$0")/lib.sh"

for t in jq perl python3 nm-capture nm-decode nm-stats nm-render nm-monitor; do
	command -v $t >/dev/null || { skip "geo: needs $t"; exit 0; }
done
if ! perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null; then
	skip "geo: needs libmaxmind-db-writer-perl (tests/deps.sh test)"
	exit 0
fi
DB=$TMP/t.mmdb
perl "$NM_TOP/tests/tools/mkmmdb.pl" "$DB"
check "mkmmdb.pl: a MaxMind DB" test -s "$DB"
python3 "$NM_TOP/tests/tools/geopcap.py" "$TMP/g.pcap"
nm-capture -r "$TMP/g.pcap" | nm-decode >"$TMP/g.nm"
LIBLOC=/usr/share/libloc-location/location.db

# --- nm-stats with the test database ---
nm-stats --geo "$DB" <"$TMP/g.nm" | nm-render -o json >"$TMP/s.json"
final() { jq -c 'select(.type == "stats" and .final)' "$1"; }
hostgeo() { final "$1" | jq -c --arg a "$2" '.top_hosts[] | select(.addr == $a) | .geo'; }
check "top_hosts: 81.2.69.161 is GB, AS12345 Test Net One" \
    test "$(hostgeo "$TMP/s.json" 81.2.69.161)" = \
    '{"country":"GB","asn":12345,"as_name":"Test Net One"}'
check "top_hosts: 2a02:cf40::1's registered country, its flags" \
    test "$(hostgeo "$TMP/s.json" 2a02:cf40::1)" = \
    '{"country":"DE","asn":64500,"as_name":"Test Net Two","anycast":true,"satellite":true}'
check "top_hosts: private, CGNAT, link-local and ULA addresses have no geo" \
    test "$(final "$TMP/s.json" | jq -c '[.top_hosts[] | select(.addr | test("^(10|192\\.168|100\\.64|169\\.254)\\.|^fd00")) | has("geo")] | unique')" = '[false]'
check "top_hosts: a public address the database lacks has no geo" \
    test "$(hostgeo "$TMP/s.json" 8.8.8.8)" = null
check "top_flows: dst_geo of the GB server, no src_geo of the private client" \
    test "$(final "$TMP/s.json" | jq -c '.top_flows[] | select(.dport == 5000) | [.dst_geo.country, has("src_geo")]')" = '["GB",false]'
check "flow records: the same" \
    test "$(jq -c 'select(.type == "flow" and .dport == 5000) | [.dst_geo.asn, has("src_geo")]' "$TMP/s.json")" = '[12345,false]'
check "flow records: src_geo of the IPv6 originator" \
    test "$(jq -c 'select(.type == "flow" and .dport == 5003) | [.src_geo.country, has("dst_geo")]' "$TMP/s.json")" = '["DE",false]'
# four public addresses, each looked up in the database once
end=$(jq -c 'select(.type == "end" and .producer == "nm-stats") | .geo' "$TMP/s.json")
echo "cache: $end"
check "end record: 4 lookups, the rest from the cache" \
    test "$(jq -c '.lookups == 4 and .hits > 4' <<<"$end")" = true

# --- nm-stats --merge: the merged lists too ---
nm-stats -q --summary-interval 5 --geo off <"$TMP/g.nm" >"$TMP/w1.nm"
nm-stats --merge --geo "$DB" "$TMP/w1.nm" | nm-render -o json >"$TMP/m.json"
check "--merge: merged top_hosts and top_flows carry geo" \
    test "$(final "$TMP/m.json" | jq -c '[.top_hosts[] | select(.geo) | .addr], [.top_flows[] | select(.dst_geo) | .dst_geo.asn]' | tr '\n' ' ')" = \
    '["81.2.69.161","2a02:cf40::1"] [12345] '

# --- nm-render: the final report ---
nm-stats --geo "$DB" <"$TMP/g.nm" | nm-render --geo "$DB" >"$TMP/r.txt" 2>"$TMP/r.err"
check "report: a top host with its country and AS" \
    grep -Eq '^  81\.2\.69\.161 .* GB AS12345 Test Net One$' "$TMP/r.txt"
check "report: a top connection's end with its country and AS" \
    grep -Fq '81.2.69.161:5000 [GB AS12345 Test Net One]' "$TMP/r.txt"
check "report: nothing beside a private host" \
    grep -Eq '^  192\.168\.1\.5 .*\)$' "$TMP/r.txt"
nm-stats --geo off <"$TMP/g.nm" | nm-render --geo "$DB" >"$TMP/r2.txt"
check "report: nm-render's own lookup when the records have none" \
    grep -Eq '^  2a02:cf40::1 .* DE AS64500 Test Net Two \(anycast, satellite\)$' "$TMP/r2.txt"
nm-stats --geo "$DB" <"$TMP/g.nm" | nm-render --geo off >"$TMP/r3.txt"
check "report: nm-render --geo off shows none, even from the records" \
    sh -c "! grep -q 'AS12345' '$TMP/r3.txt'"

# --- nm-render -o json and -e ---
nm-render --geo "$DB" -o json <"$TMP/g.nm" >"$TMP/p.json"
check "-o json: dst_geo of a packet to the GB server" \
    test "$(jq -c 'select(.type == "packet" and .udp.dport == 5000) | .dst_geo' "$TMP/p.json" | sort -u)" = \
    '{"country":"GB","asn":12345,"as_name":"Test Net One"}'
check "-o json: src_geo of the IPv6 sender" \
    test "$(jq -c 'select(.type == "packet" and .udp.dport == 5003) | [.src_geo.country, .src_geo.anycast, has("dst_geo")]' "$TMP/p.json" | sort -u)" = '["DE",true,false]'
check "-o json: a packet between private addresses has no geo" \
    test "$(jq -c 'select(.type == "packet" and .udp.dport == 5001) | [has("src_geo"), has("dst_geo")]' "$TMP/p.json")" = '[false,false]'
nm-render --geo "$DB" -e ip.dst -e ip.geoip.dst_country_iso -e ip.geoip.dst_asnum \
    -e ip.geoip.dst_org -e ip.geoip.dst_country -e ip.geoip.src_country_iso \
    -e ipv6.geoip.src_country_iso -e ipv6.geoip.src_asnum -e ipv6.geoip.src_org \
    <"$TMP/g.nm" >"$TMP/f.txt"
check "-e ip.geoip.*: ISO code, AS number, AS name, country name" \
    grep -qx $'81.2.69.161\tGB\t12345\tTest Net One\tUnited Kingdom\t\t\t\t' "$TMP/f.txt"
check "-e ipv6.geoip.*: of the IPv6 source, the IPv4 columns empty" \
    grep -qx $'\t\t\t\t\t\tDE\t64500\tTest Net Two' "$TMP/f.txt"
check "-e ip.geoip.*: a private destination's columns are empty" \
    grep -qx $'10.0.0.9\t\t\t\t\t\t\t\t' "$TMP/f.txt"

# --- --geo off, a missing and a corrupt database ---
nm-stats --geo off <"$TMP/g.nm" | nm-render -o json --geo off >"$TMP/off.json" 2>"$TMP/off.err"
! grep -q '_geo\|"geo"' "$TMP/off.json" && [ ! -s "$TMP/off.err" ]
verdict $? "--geo off: no geo keys, no hint"
head -c 4096 /dev/urandom >"$TMP/garbage"
head -c 600 "$DB" >"$TMP/trunc.mmdb"
bad() { # bad PROG FILE STATUS WHY: one line naming the file, that status
	local st
	$1 --geo "$2" </dev/null >/dev/null 2>"$TMP/bad.err"
	st=$?
	[ "$st" = "$3" ] && [ "$(wc -l <"$TMP/bad.err")" = 1 ] &&
	    grep -q "^$1: --geo $2: $4" "$TMP/bad.err"
	verdict $? "$1 --geo $(basename "$2"): one line, status $3"
}
for p in nm-stats nm-render nm-monitor; do
	bad $p "$TMP/none.mmdb" 5 'No such file or directory'
	bad $p "$TMP/garbage" 1 'neither a MaxMind DB nor a sound libloc database'
done
bad nm-stats "$TMP/trunc.mmdb" 1 'neither'
if [ -r "$LIBLOC" ]; then
	for n in 100 9000 1000000; do
		head -c $n "$LIBLOC" >"$TMP/trunc$n.db"
		bad nm-stats "$TMP/trunc$n.db" 1 'neither a MaxMind DB nor a sound libloc'
	done
	# a bit flipped in the header's section offsets
	python3 - "$LIBLOC" "$TMP/flip.db" <<'EOF'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[8 + 28] ^= 0x40  # the AS section's offset, far past the end
open(sys.argv[2], "wb").write(b)
EOF
	bad nm-stats "$TMP/flip.db" 1 'neither'
fi

# --- damaged databases: refused or read, never a crash ---
# every 5th byte of the MaxMind DB flipped in turn (its search tree, its
# data, its metadata), then the capture counted with it
python3 - "$DB" "$TMP/flip" <<'EOF'
import sys
b = open(sys.argv[1], "rb").read()
for n, i in enumerate(range(0, len(b), 5)):
    c = bytearray(b)
    c[i] ^= 0xff
    open("%s%03d.mmdb" % (sys.argv[2], n), "wb").write(c)
EOF
# damaged F STATUS: not killed by a signal, and one line when refused
damaged() {
	[ "$2" -lt 128 ] && { [ "$2" = 0 ] || [ "$(wc -l <"$TMP/flip.err")" = 1 ]; }
}
crash=
for f in "$TMP"/flip[0-9]*.mmdb; do
	nm-stats -q --geo "$f" <"$TMP/g.nm" >/dev/null 2>"$TMP/flip.err"
	damaged "$f" $? || crash="$crash $(basename "$f")"
done
check "a MaxMind DB with a byte flipped anywhere: no crash, one line if refused${crash:+:$crash}" \
    test -z "$crash"
if [ -r "$LIBLOC" ]; then
	crash=
	for off in 9000 200000 5000000 30000000 55000000; do
		python3 - "$LIBLOC" "$TMP/lflip.db" $off <<'EOF'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = int(sys.argv[3]) % len(b)
b[i:i + 64] = bytes(x ^ 0x5a for x in b[i:i + 64])
open(sys.argv[2], "wb").write(b)
EOF
		nm-stats -q --geo "$TMP/lflip.db" <"$TMP/g.nm" >/dev/null 2>"$TMP/flip.err"
		damaged "$off" $? || crash="$crash $off"
	done
	rm -f "$TMP/lflip.db"
	check "libloc's database with 64 bytes garbled here and there: no crash${crash:+:$crash}" \
	    test -z "$crash"
fi

# --- no database: the hint, once per run ---
export NM_GEO_DEFAULT=$TMP/absent.db
nm-stats <"$TMP/g.nm" | nm-render >"$TMP/h.txt" 2>"$TMP/h.err"
[ "$(grep -c 'geolocation' "$TMP/h.err")" = 1 ] &&
    grep -qx "nm-render: no geolocation database ($TMP/absent.db): apt-get install libloc-database, or --geo FILE.mmdb" "$TMP/h.err" &&
    ! grep -q 'AS[0-9]' "$TMP/h.txt"
verdict $? "no database: nothing shown, one line from nm-render"
nm-stats <"$TMP/g.nm" 2>"$TMP/h2.err" | nm-render -o json --geo off >/dev/null
check "no database: nm-stats (which only writes) says nothing" \
    test ! -s "$TMP/h2.err"
nm-monitor -r "$TMP/g.pcap" >/dev/null 2>"$TMP/h3.err"
check "no database: nm-monitor's pipeline says it once" \
    test "$(grep -c 'no geolocation database' "$TMP/h3.err")" = 1
check "no database: --version says how to get one" \
    sh -c "nm-stats --version | grep -qx 'geolocation: none (apt-get install libloc-database, or --geo FILE.mmdb)'"
unset NM_GEO_DEFAULT
check "--version: the MaxMind DB's path and type" \
    sh -c "nm-render --geo '$DB' --version | grep -qx 'geolocation: $DB (nm-test-City-ASN)'"

# --- libloc's database, when installed ---
if [ -r "$LIBLOC" ]; then
	check "--version: IPFire Location database, CC BY-SA 4.0" \
	    sh -c "nm-stats --version | grep -qx 'geolocation: $LIBLOC (IPFire Location database, CC BY-SA 4.0)'"
	nm-stats <"$TMP/g.nm" | nm-render -o json >"$TMP/l.json"
	check "libloc: 8.8.8.8 is US, AS15169, anycast" \
	    test "$(hostgeo "$TMP/l.json" 8.8.8.8 | jq -c '[.country, .asn, .anycast]')" = '["US",15169,true]'
	check "libloc: 1.1.1.1 is AS13335 (CLOUDFLARENET)" \
	    test "$(hostgeo "$TMP/l.json" 1.1.1.1 | jq -c '[.asn, .as_name, (.country | length)]')" = '[13335,"CLOUDFLARENET",2]'
	check "libloc: a private address has no geo" \
	    test "$(hostgeo "$TMP/l.json" 10.0.0.1)" = null
	# special-purpose ranges libloc's database itself places (2001:db8::/32
	# lies in a registry's block there): never looked up
	python3 - >"$TMP/special.json" <<'EOF'
import json
def pkt(i, src, dst, v6=False):
    l3 = {"src": src, "dst": dst, "proto": 17}
    r = {"type": "packet", "ts": 1700000000000000000 + i, "if": 0,
         "len": 60, "caplen": 60, "proto": "UDP",
         "udp": {"sport": 1, "dport": 2}}
    r["ipv6" if v6 else "ip"] = l3
    return r
print(json.dumps({"type": "header", "version": 1, "minor": 0,
                  "producer": "test", "stages": ["nm-decode"]}))
for i, (s, d, v6) in enumerate([
        ("8.8.8.8", "192.0.2.1", 0), ("8.8.8.8", "198.51.100.1", 0),
        ("8.8.8.8", "203.0.113.9", 0), ("8.8.8.8", "224.0.0.251", 0),
        ("8.8.8.8", "255.255.255.255", 0), ("8.8.8.8", "198.18.0.1", 0),
        ("2a00:1450:4001::1", "2001:db8::1", 1),
        ("2a00:1450:4001::1", "fe80::1", 1),
        ("2a00:1450:4001::1", "ff02::fb", 1),
        ("2a00:1450:4001::1", "::ffff:8.8.8.8", 1)]):
    print(json.dumps(pkt(i, s, d, v6)))
print(json.dumps({"type": "end", "producer": "test", "records": 11,
                  "frames": 0, "packets": 10, "reason": "eof"}))
EOF
	nm-render -e ip.geoip.src_asnum -e ip.geoip.dst_country_iso \
	    -e ipv6.geoip.src_asnum -e ipv6.geoip.dst_country_iso \
	    <"$TMP/special.json" >"$TMP/special.txt"
	check "libloc: documentation, multicast, broadcast, benchmarking, link-local, IPv4-mapped: no lookup" \
	    test "$(sort -u "$TMP/special.txt" | tr '\t' ,)" = "$(printf ',,15169,\n15169,,,')"
	# libloc reads its file through a FILE of its own, which stdio winds
	# back with lseek at exit: refused by the filter unless let go first
	printf '\xc1\xc1\xc1' | nm-render >/dev/null 2>&1
	check "libloc: a stage that stops on a bad stream exits 3 under the filter" \
	    test $? = 3
	nm-stats </dev/null >/dev/null 2>&1
	check "libloc: nm-stats on no input exits 8 under the filter" test $? = 8
	# the same answers under the seccomp filter (the default) and without
	NM_NO_SECCOMP=1 nm-stats <"$TMP/g.nm" | NM_NO_SECCOMP=1 nm-render -o json >"$TMP/l0.json"
	check "libloc: the same answers with and without the seccomp filter" \
	    test "$(final "$TMP/l.json" | jq -c '.top_hosts')" = "$(final "$TMP/l0.json" | jq -c '.top_hosts')"
else
	skip "geo: libloc's database: $LIBLOC absent (apt-get install libloc-database)"
fi
NM_NO_SECCOMP=1 nm-render --geo "$DB" -o json <"$TMP/g.nm" >"$TMP/p0.json"
check "mmdb: the same -o json with and without the seccomp filter" \
    cmp -s "$TMP/p.json" "$TMP/p0.json"

# --- the top view: a WHERE column ---
if command -v tmux >/dev/null; then
	TM="tmux -L nmgeo$$ -f /dev/null"
	trap '$TM kill-server 2>/dev/null; rm -rf "$TMP"' EXIT
	$TM new-session -d -s g -x 140 -y 20 \
	    "nm-render -m top --geo '$DB' <'$TMP/g.nm'; sleep 60"
	ok=1
	for i in $(seq 50); do
		$TM capture-pane -p -t g >"$TMP/top.txt" 2>/dev/null
		grep -q '81\.2\.69\.161:5000 .* GB AS12345 *$' "$TMP/top.txt" &&
		    grep -q 'WHERE' "$TMP/top.txt" && { ok=0; break; }
		sleep 0.2
	done
	[ $ok = 0 ] || cat "$TMP/top.txt"
	verdict $ok "top view: the WHERE column has the responder's country and AS"
	$TM kill-server 2>/dev/null
else
	skip "geo: top view: tmux not installed"
fi
