# Conformance: nm-capture -r | nm-decode | nm-render -o fields against
# tshark's reading of the reference captures in ../shared/pcaps (when that
# folder exists).  Every capture must decode without a crash; all but the
# few listed below must agree with tshark on every field.  First the
# fields of the truth files (FIELDS); then, where tshark is installed,
# every other field nm-render names after tshark's (--list-fields), with
# tshark's reading made here by the same rules (truth.py), on those
# captures and on pktgen's; and dns.time on a capture of dig and dnsmasq.
# long: tshark reads every reference capture
source "$(dirname "$0")/lib.sh"

PCAPS=$SHARED/pcaps
if [ ! -d "$PCAPS" ] || [ ! -f "$PCAPS/FIELDS" ]; then
	skip "conformance: no reference captures in $PCAPS"
	exit 0
fi
if ! command -v python3 >/dev/null; then
	skip "conformance: python3 is needed for compare.py"
	exit 0
fi

# Captures that cannot reach 100%, and why.  "refused STATUS": the
# pipeline must exit with STATUS (nm-capture's, under pipefail) and say
# why.  "differs STATUS CELL...": it must exit with STATUS and differ from
# tshark in those cells (frame:field) at most, so any other difference,
# or one more, is a regression.
declare -A KNOWN=(
	# records longer than the file's snaplen: libpcap cuts them to the
	# snaplen, tshark does not, so frame.cap_len differs
	[bootp_asan.pcap]="differs 0 1:frame.cap_len"
	# the same cut; and in frame 1 the IP length leaves the ICMP
	# message 3 bytes: nm reports the type and code they hold (and an
	# err: truncated), tshark no ICMP field at all
	[icmp-icmp_print-oobr-1.pcap]="differs 0 1:frame.cap_len 1:icmp.type 1:icmp.code 2:frame.cap_len 3:frame.cap_len"
)
# The same for the other fields.
declare -A KNOWN_MORE=(
	# the response is cut by the snaplen: nm times it from its query
	# (its header is all the match needs), tshark only a response it
	# could read to the end
	[dns_udp_2.pcap]="differs 0 2:dns.time 2:dns.response_to"
	# ICMP errors quoting an echo request: tshark gives the quoted
	# echo's id and sequence as icmp.ident and icmp.seq; a quoted header
	# sets no field (the captures' README), and nm gives none
	[dhcp-rfc4388.pcap]="differs 0 6:icmp.ident 6:icmp.seq 16:icmp.ident 16:icmp.seq 36:icmp.ident 36:icmp.seq"
	# an HTTP request in IP fragments: tshark reassembles the datagram
	# and reads the request where it completes; nm-decode does not
	# reassemble IP (nm-decode(1), BUGS), so it sees no TCP payload
	[frag_http_req.pcap]="differs 0 1:http.request.method 1:http.request.uri 1:http.request.version 1:http.host 1:http.user_agent"
	# TLS records that span segments: truth.py runs tshark with TCP
	# desegmentation off, which loses its place after the first such
	# record (a 3662-byte Certificate ending in frame 15, a 2545-byte
	# TLS 1.3 record ending in frame 33); nm names each record on the
	# frame that completes it, as tshark does by default
	[tls.pcap]="differs 0 15:tls.record.content_type 15:tls.record.version 15:tls.handshake.type 15:tls.handshake.sig_hash_alg 33:tls.record.opaque_type 33:tls.record.version"
	# an alert on a connection whose start is not in the capture: tshark
	# takes TLS from port 443, nm follows records only from a handshake
	# record it saw begin a direction, and guesses nothing
	[sll2.pcap]="differs 0 1:tls.record.content_type 1:tls.record.version"
	# a record of type 22 whose message is no hello ("hello" in ASCII):
	# tshark takes TLS from the port, nm from the bytes (tls_sniff wants
	# a ClientHello or ServerHello at a direction's start)
	[pktgen-mixed.pcap]="differs 0 26:tls.record.content_type 26:tls.record.version"
	# the same record on the other link types
	[pktgen-sll.pcap]="differs 0 13:tls.record.content_type 13:tls.record.version"
	[pktgen-sll2.pcap]="differs 0 13:tls.record.content_type 13:tls.record.version"
	[pktgen-raw.pcap]="differs 0 11:tls.record.content_type 11:tls.record.version"
	[pktgen-null.pcap]="differs 0 11:tls.record.content_type 11:tls.record.version"
)

# judge NAME FIELDS TRUTH OURS STATUS ERR KNOWN: one PASS or FAIL line for
# a capture's table, by compare.py and the capture's KNOWN entry.
judge() {
	local name=$1 fields=$2 truth=$3 out=$4 rc=$5 err=$6 known=$7
	local want res crc last allowed cells extra n c max
	if [ "$rc" -ge 128 ] || grep -q -e 'Sanitizer' -e 'runtime error' "$err"; then
		fail "$name: crashed (exit $rc)"
		head -n 5 "$err"
		return
	fi
	case $known in
	refused*)
		want=${known#refused }
		if [ "$rc" -eq "$want" ] && [ -s "$err" ]; then
			pass "$name: refused with exit $want"
		else
			fail "$name: wanted a clear refusal (exit $want), got $rc"
		fi
		return ;;
	esac
	if [ "$rc" -ne 0 ]; then
		fail "$name: pipeline exit $rc: $(head -n 1 "$err")"
		return
	fi
	res=$(python3 "$PCAPS/compare.py" "$fields" "$truth" "$out" \
	    --show 100000 2>&1)
	crc=$?
	last=$(printf '%s\n' "$res" | tail -n 1)
	if [ "$crc" -eq 0 ]; then
		pass "$name: $last"
	elif [ -n "$known" ]; then
		# every differing cell must be one of the named ones
		allowed=" ${known#differs * } "
		cells=$(printf '%s\n' "$res" |
		    sed -n 's/^  frame \([0-9]*\) \([^:]*\): .*/\1:\2/p')
		extra=
		n=0
		for c in $cells; do
			n=$((n + 1))
			case $allowed in
			*" $c "*) ;;
			*) extra="$extra $c" ;;
			esac
		done
		if printf '%s\n' "$res" | grep -q '^  frame count differs'; then
			extra="$extra (frame count)"
		fi
		max=$(printf '%s\n' $allowed | grep -c .)
		if [ -z "$extra" ] && [ "$n" -le "$max" ]; then
			pass "$name: $n known cells differ, at most $max ($last)"
		else
			fail "$name: differs beyond the $max known cells:$extra ($last)"
			printf '%s\n' "$res" | grep -v '^  [a-z]' | head -n 8 | cut -c 1-200
		fi
	else
		fail "$name: $last"
		printf '%s\n' "$res" | grep -v '^  [a-z]' | head -n 8 | cut -c 1-200
	fi
}

# run_nm CAPTURE OUT ERR FIELDS: the pipeline's table; prints its status
# (nm-capture's first, under pipefail).
run_nm() {
	local args=() f rc
	while read -r f; do
		[ -n "$f" ] && args+=(-e "$f")
	done <"$4"
	set -o pipefail
	nm-capture -r "$1" 2>"$3" | nm-decode 2>>"$3" |
	    nm-render -o fields "${args[@]}" >"$2" 2>>"$3"
	rc=$?
	set +o pipefail
	echo "$rc"
}

for cap in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
	name=$(basename "$cap")
	truth=$cap.truth.tsv
	[ -f "$truth" ] || continue
	rc=$(run_nm "$cap" "$TMP/$name.tsv" "$TMP/$name.err" "$PCAPS/FIELDS")
	judge "conformance $name" "$PCAPS/FIELDS" "$truth" "$TMP/$name.tsv" \
	    "$rc" "$TMP/$name.err" "${KNOWN[$name]:-}"
done

# --- every other field nm-render names, against tshark run here ---
if ! command -v tshark >/dev/null; then
	skip "conformance, other fields: tshark is not installed"
	exit 0
fi
more=$TMP/FIELDS.more
# frame.interface_id left out: tshark has one only in pcapng files; the
# geoip fields too: tshark shows them only with a MaxMind database; and
# the fields this tshark does not know (tls.handshake.ja4 came in
# Wireshark 4.2; tests/web-traffic.t computes JA4 from tshark's fields)
tshark -G fields 2>/dev/null | awk -F'\t' '$1 == "F" { print $3 }' \
    >"$TMP/tshark-fields"
nm-render --list-fields | grep -v -x -F -f "$PCAPS/FIELDS" |
    grep -v -x 'frame.interface_id' | grep -v '\.geoip\.' |
    grep -x -F -f "$TMP/tshark-fields" >"$more"
nmore=$(grep -c . "$more")
# truth.py keeps every value of the fields in its MULTI set, the first of
# the others: of these fields, those over records or tags are lists too,
# and join that set (tls.*: every record of a segment, every handshake
# message, every list of a hello).
cat >"$TMP/truth_more.py" <<'EOF'
import sys
path = sys.argv[1]
src = open(path).read()
if src.count("MULTI = {") != 1:
    sys.exit("truth.py: no MULTI set to add to")
fields = [l.strip() for l in open(sys.argv[2]) if l.strip()]
lists = {f for f in fields if f.startswith((
    "vlan.", "dns.qry.", "dns.resp.name", "dns.resp.type", "dns.resp.ttl",
    "dns.ns", "dns.cname", "dns.ptr.", "dns.mx.", "dns.txt", "dns.opt.",
    "tls."))}
src = src.replace("MULTI = {", "MULTI = LISTS | {", 1)
sys.argv = [path] + sys.argv[2:]
exec(compile(src, path, "exec"), {"__name__": "__main__", "LISTS": lists})
EOF
# and pktgen's scenarios, whose every byte is known (tests/README.md):
# bulk and mix with 20000 frames each, thousands of interleaved
# exchanges (DNS among them: dns.time and dns.response_to)
gen=()
for sc in mixed sll sll2 raw null bulk mix; do
	if "$NM_TOP/tests/tools/pktgen" "$sc" "$TMP/pktgen-$sc.pcap" \
	    -n 20000 -s 1 2>/dev/null; then
		gen+=("$TMP/pktgen-$sc.pcap")
	else
		fail "conformance pktgen $sc: pktgen failed (make tests/tools/pktgen)"
	fi
done
for cap in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng "${gen[@]}"; do
	name=$(basename "$cap")
	[ -f "$cap.truth.tsv" ] || [ "${name#pktgen-}" != "$name" ] || continue
	n="conformance $name, $nmore more fields"
	if ! python3 "$TMP/truth_more.py" "$PCAPS/truth.py" "$more" "$cap" \
	    >"$TMP/$name.more.truth" 2>"$TMP/$name.more.terr"; then
		fail "$n: truth.py: $(head -n 1 "$TMP/$name.more.terr")"
		continue
	fi
	rc=$(run_nm "$cap" "$TMP/$name.more" "$TMP/$name.more.err" "$more")
	judge "$n" "$more" "$TMP/$name.more.truth" "$TMP/$name.more" "$rc" \
	    "$TMP/$name.more.err" "${KNOWN_MORE[$name]:-}"
done

# --- dns.time on a capture made here: dig against dnsmasq ---
# Two network namespaces joined by a veth pair; tcpdump writes what dig
# and dnsmasq exchange (UDP and TCP, IPv4 and IPv6, EDNS with and without
# DO, an NXDOMAIN, a query repeated); nm and tshark read the same file.
live_dns() {
	local tag=$$ nsa nsb va vb t ok=1 pids=() lf=$TMP/FIELDS.dns
	nsa=nmca$tag nsb=nmcb$tag va=nmcva$tag vb=nmcvb$tag
	if [ "$(id -u)" -ne 0 ]; then
		skip "conformance dns.time live: needs root for network namespaces"
		return
	fi
	for t in ip tcpdump dnsmasq dig timeout; do
		if ! command -v $t >/dev/null; then
			skip "conformance dns.time live: $t is not installed"
			return
		fi
	done
	if ! netns_ok; then
		skip "conformance dns.time live: $NETNS_WHY"
		return
	fi
	ip netns add "$nsa" && ip netns add "$nsb" || ok=0
	ip link add "$va" netns "$nsa" type veth peer name "$vb" netns "$nsb" ||
	    ok=0
	ip -n "$nsa" addr add 10.79.0.1/24 dev "$va"
	ip -n "$nsb" addr add 10.79.0.2/24 dev "$vb"
	ip -n "$nsa" -6 addr add fd79::1/64 dev "$va" nodad
	ip -n "$nsb" -6 addr add fd79::2/64 dev "$vb" nodad
	ip -n "$nsa" link set "$va" up
	ip -n "$nsb" link set "$vb" up
	if [ "$ok" -eq 0 ]; then
		fail "conformance dns.time live: could not make the namespaces"
		ip netns del "$nsa" 2>/dev/null
		ip netns del "$nsb" 2>/dev/null
		return
	fi
	ip netns exec "$nsb" timeout 30 dnsmasq -k -C /dev/null --no-resolv \
	    --no-hosts --bind-interfaces --listen-address=10.79.0.2 \
	    --listen-address=fd79::2 --user=root \
	    --address=/example.test/10.79.0.2 --address=/example.test/fd79::2 \
	    --local=/test/ --pid-file="$TMP/dnsmasq.pid" \
	    --log-facility=/dev/null &
	pids+=("$!")
	for t in $(seq 50); do
		ip netns exec "$nsa" timeout 1 dig +tries=1 +time=1 \
		    @10.79.0.2 example.test >/dev/null 2>&1 && break
		sleep 0.1
	done
	ip netns exec "$nsa" timeout 20 tcpdump -i "$va" -s 0 -U -n -Z root \
	    --immediate-mode -w "$TMP/dns.pcap" 'port 53' 2>"$TMP/td.err" &
	pids+=("$!")
	for t in $(seq 50); do
		grep -q listening "$TMP/td.err" && break
		sleep 0.1
	done
	for t in "@10.79.0.2 example.test A" "@10.79.0.2 example.test AAAA" \
	    "@10.79.0.2 nothere.test A" "@10.79.0.2 +dnssec example.test A" \
	    "@10.79.0.2 +noedns example.test A" "@10.79.0.2 +tcp example.test A" \
	    "@fd79::2 example.test AAAA" "@fd79::2 +tcp nothere.test AAAA" \
	    "@10.79.0.2 example.test A" "@10.79.0.2 +bufsize=1232 example.test MX"
	do
		# shellcheck disable=SC2086
		ip netns exec "$nsa" timeout 5 dig +tries=1 +time=2 $t \
		    >/dev/null 2>&1
	done
	sleep 0.3
	for t in "${pids[@]}"; do
		kill "$t" 2>/dev/null
	done
	wait "${pids[@]}" 2>/dev/null
	ip netns del "$nsa" 2>/dev/null
	ip netns del "$nsb" 2>/dev/null

	printf '%s\n' frame.time_epoch dns.id dns.flags.response dns.time \
	    dns.response_to dns.rr.udp_payload_size dns.resp.z.do \
	    dns.opt.code dns.resp.name dns.resp.type dns.resp.ttl \
	    dns.flags.rcode dns.flags.authoritative dns.flags.recavail >"$lf"
	if ! python3 "$TMP/truth_more.py" "$PCAPS/truth.py" "$lf" \
	    "$TMP/dns.pcap" >"$TMP/dns.truth" 2>"$TMP/dns.terr"; then
		fail "conformance dns.time live: truth.py: $(head -n 1 "$TMP/dns.terr")"
		return
	fi
	# every response timed, by both
	t=$(awk -F '\t' '$3 == 1 && $4 != ""' "$TMP/dns.truth" | wc -l)
	if [ "$(awk -F '\t' '$3 == 1' "$TMP/dns.truth" | wc -l)" -lt 10 ] ||
	    [ "$t" -lt 10 ]; then
		fail "conformance dns.time live: want 10 timed responses," \
		    "tshark has $t"
		return
	fi
	rc=$(run_nm "$TMP/dns.pcap" "$TMP/dns.nm" "$TMP/dns.err" "$lf")
	judge "conformance dns.time live ($t responses)" "$lf" \
	    "$TMP/dns.truth" "$TMP/dns.nm" "$rc" "$TMP/dns.err" ""
}
live_dns
