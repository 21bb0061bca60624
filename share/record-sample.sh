#!/bin/sh
# Records share/sample.pcap, the capture nm bundles for its demo: real
# programs talking over a veth pair between two network namespaces (a web
# server, a DNS server, ping, curl, dig and a small port sweep), written by
# tcpdump.  It makes the project's own capture rather than borrowing one,
# and it is re-run whenever the sample should change.  Needs root (for the
# namespaces); installs the tools it needs with apt-get when they are
# missing.  Usage: sh share/record-sample.sh [OUT.pcap]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/sample.pcap}
tag=$$
nsa=nmsa$tag nsb=nmsb$tag
va=nmva$tag vb=nmvb$tag
work=$(mktemp -d "${TMPDIR:-/tmp}/nmsample.XXXXXX")
pids=

if [ "$(id -u)" -ne 0 ]; then
	echo "record-sample.sh: needs root (network namespaces)" >&2
	exit 4
fi

# Tools, by the Debian package that has them.
missing=
need() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need tcpdump tcpdump
need ip iproute2
need dnsmasq dnsmasq-base
need busybox busybox
need curl curl
need dig dnsutils
need nc netcat-openbsd
need ping iputils-ping
if [ -n "$missing" ]; then
	echo "record-sample.sh: installing$missing" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends $missing >/dev/null
fi

cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null || true
	done
	sleep 0.2
	ip netns del "$nsa" 2>/dev/null || true
	ip netns del "$nsb" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

in_a() { ip netns exec "$nsa" "$@"; }
in_b() { ip netns exec "$nsb" "$@"; }
pause() { sleep "${1:-0.3}"; }

# state: namespaces and the veth pair, fixed MACs so the sample is tidy
ip netns add "$nsa"
ip netns add "$nsb"
ip link add "$va" netns "$nsa" address 02:77:00:00:00:01 type veth \
    peer name "$vb" netns "$nsb" address 02:77:00:00:00:02
in_a ip link set lo up
in_b ip link set lo up
in_a ip addr add 10.77.0.1/24 dev "$va"
in_b ip addr add 10.77.0.2/24 dev "$vb"
in_a ip -6 addr add fd77::1/64 dev "$va" nodad
in_b ip -6 addr add fd77::2/64 dev "$vb" nodad
# The kernel's own router solicitations and MLD reports stay in: a real
# link has them too.
in_a ip link set "$va" up
in_b ip link set "$vb" up

# state: servers in b
mkdir -p "$work/www"
cat >"$work/www/index.html" <<'EOF'
<!doctype html>
<title>nm sample</title>
<p>Hello from the nm sample capture.</p>
EOF
# Background jobs call ip directly: a function would run in a subshell,
# and killing that would leave the server running.
ip netns exec "$nsb" busybox httpd -f -p 80 -h "$work/www" &
pids="$pids $!"
ip netns exec "$nsb" dnsmasq -k -C /dev/null --no-resolv --no-hosts --bind-interfaces \
    --listen-address=10.77.0.2 --listen-address=fd77::2 \
    --address=/example.test/10.77.0.2 --address=/example.test/fd77::2 \
    --local=/test/ --pid-file="$work/dnsmasq.pid" --user=root \
    --log-facility=/dev/null &
pids="$pids $!"
sleep 1

# state: recording
ip netns exec "$nsa" tcpdump -i "$va" -s 0 -U -n -Z root \
    --immediate-mode \
    -w "$work/sample.pcap" \
    2>"$work/tcpdump.err" &
tpid=$!
pids="$pids $tpid"
i=0
while ! grep -q listening "$work/tcpdump.err" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 50 ] && { echo "record-sample.sh: tcpdump did not start" >&2
	    cat "$work/tcpdump.err" >&2; exit 1; }
	sleep 0.1
done
pause 0.5

# state: traffic, spaced out so a --realtime replay looks alive
in_a ping -c 4 -i 0.3 -W 1 10.77.0.2 >/dev/null
pause
for q in "example.test A" "example.test AAAA" "www.example.test A" \
    "mail.example.test MX"; do
	in_a dig +tries=1 +time=1 @10.77.0.2 $q >/dev/null
	pause 0.2
done
for i in 1 2 3; do
	in_a curl -s -m 3 -o /dev/null http://10.77.0.2/
	pause
done
in_a ping -6 -c 4 -i 0.3 -W 1 fd77::2 >/dev/null
pause
in_a dig +tries=1 +time=1 @fd77::2 www.example.test AAAA >/dev/null
pause
in_a dig +tries=1 +time=1 @10.77.0.2 nothere.test A >/dev/null || true
pause
for i in 1 2; do
	in_a curl -s -m 3 -o /dev/null 'http://[fd77::2]/'
	pause
done
in_a curl -s -m 3 -o /dev/null http://10.77.0.2/missing.html || true
pause
# A small port sweep: closed ports answer with RST, 80 accepts.
in_a nc -z -w1 10.77.0.2 70-90 2>/dev/null || true
pause 0.5
in_a nc -z -w1 fd77::2 440-445 2>/dev/null || true
pause
for n in a b c d e f; do
	in_a dig +tries=1 +time=1 @10.77.0.2 "$n.example.test" A >/dev/null
	pause 0.2
done
in_a curl -s -m 3 -o /dev/null http://10.77.0.2/
pause
in_a ping -c 3 -i 0.3 -W 1 10.77.0.2 >/dev/null
pause 0.5

# state: done.  SIGTERM, as a background job ignores SIGINT in sh.
kill -TERM "$tpid"
wait "$tpid" 2>/dev/null || true
mv "$work/sample.pcap" "$out"
chmod 644 "$out"
echo "record-sample.sh: wrote $out ($(tcpdump -n -r "$out" 2>/dev/null |
    wc -l) packets, $(wc -c <"$out") bytes)" >&2
