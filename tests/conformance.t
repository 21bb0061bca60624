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

# Captures that cannot reach 100%, and why.  "refused STATUS": the
# pipeline must exit with STATUS (nm-capture's, under pipefail) and say
# why.  "differs STATUS CELL...": it must exit with STATUS and differ from
# tshark in those cells (frame:field) at most, so any other difference,
# or one more, is a regression.
declare -A KNOWN=(
	# libpcap refuses a pcapng whose interfaces mix link types
	[many_interfaces-1.pcapng]="refused 7"
	# records longer than the file's snaplen: libpcap cuts them to the
	# snaplen, tshark does not, so frame.cap_len differs
	[bootp_asan.pcap]="differs 0 1:frame.cap_len"
	# the same cut; and in frame 1 the IP length leaves the ICMP
	# message 3 bytes: nm reports the type and code they hold (and an
	# err: truncated), tshark no ICMP field at all
	[icmp-icmp_print-oobr-1.pcap]="differs 0 1:frame.cap_len 1:icmp.type 1:icmp.code 2:frame.cap_len 3:frame.cap_len"
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
	res=$(python3 "$PCAPS/compare.py" "$PCAPS/FIELDS" "$truth" "$out" \
	    --show 100000 2>&1)
	crc=$?
	last=$(printf '%s\n' "$res" | tail -n 1)
	if [ "$crc" -eq 0 ]; then
		pass "conformance $name: $last"
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
			pass "conformance $name: $n known cells differ, at most $max ($last)"
		else
			fail "conformance $name: differs beyond the $max known cells:$extra ($last)"
			printf '%s\n' "$res" | grep -v '^  [a-z]' | head -n 8 | cut -c 1-200
		fi
	else
		fail "conformance $name: $last"
		printf '%s\n' "$res" | grep -v '^  [a-z]' | head -n 8 | cut -c 1-200
	fi
done
