# Conformance: nm-capture -r | nm-decode | nm-render -o fields against
# tshark's reading of the reference captures in ../shared/pcaps (when that
# folder exists).  Every capture must decode without a crash; all but the
# few listed below must agree with tshark on every field.
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

# Captures that cannot reach 100%, and why.  Status is what the pipeline
# must exit with (nm-capture's status under pipefail).
declare -A KNOWN=(
	# libpcap refuses a pcapng whose interfaces mix link types
	[many_interfaces-1.pcapng]="refused 7"
	# records longer than the file's snaplen: libpcap cuts them to the
	# snaplen, tshark does not, so frame.cap_len and what follows differ
	[bootp_asan.pcap]="differs 0"
	[icmp-icmp_print-oobr-1.pcap]="differs 0"
)

args=()
while read -r f; do
	[ -n "$f" ] && args+=(-e "$f")
done <"$PCAPS/FIELDS"

for cap in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
	name=$(basename "$cap")
	truth=$cap.truth.tsv
	[ -f "$truth" ] || continue
	out=$TMP/$name.tsv
	err=$TMP/$name.err
	set -o pipefail
	nm-capture -r "$cap" 2>"$err" | nm-decode 2>>"$err" |
	    nm-render -o fields "${args[@]}" >"$out" 2>>"$err"
	rc=$?
	set +o pipefail
	if [ "$rc" -ge 128 ] || grep -q -e 'Sanitizer' -e 'runtime error' "$err"; then
		fail "conformance $name: crashed (exit $rc)"
		head -n 5 "$err"
		continue
	fi
	known=${KNOWN[$name]:-}
	case $known in
	refused*)
		want=${known#refused }
		if [ "$rc" -eq "$want" ] && [ -s "$err" ]; then
			pass "conformance $name: refused with exit $want"
		else
			fail "conformance $name: wanted a clear refusal (exit $want), got $rc"
		fi
		continue ;;
	esac
	if [ "$rc" -ne 0 ]; then
		fail "conformance $name: pipeline exit $rc: $(head -n 1 "$err")"
		continue
	fi
	res=$(python3 "$PCAPS/compare.py" "$PCAPS/FIELDS" "$truth" "$out" 2>&1)
	crc=$?
	last=$(printf '%s\n' "$res" | tail -n 1)
	if [ "$crc" -eq 0 ]; then
		pass "conformance $name: $last"
	elif [ -n "$known" ]; then
		pass "conformance $name: known to differ ($last)"
	else
		fail "conformance $name: $last"
		printf '%s\n' "$res" | grep -v '^  [a-z]' | head -n 8 | cut -c 1-200
	fi
done
