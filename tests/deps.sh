#!/bin/sh
# Installs the Debian packages nm needs to build (deps.sh build) or to run
# its tests (deps.sh test) when they are missing: with apt-get as root,
# otherwise prints the exact command and fails.  deps.sh check (what a
# plain `make` runs first) only says what is missing and how to get it.
# netbase gives /etc/services, mount the mount(8) the fault tests use:
# both are on a full Debian, not on a minimal root.
build="gcc make pkg-config libpcap-dev libmsgpack-dev libseccomp-dev nettle-dev libssl-dev libncurses-dev libmicrohttpd-dev libhiredis-dev librdkafka-dev libloc-dev libmaxminddb-dev"
test="$build netbase mount clang-format cppcheck tcpdump tshark iproute2 dnsmasq-base curl dnsutils netcat-openbsd python3 jq busybox iputils-ping procps psmisc libcap2-bin clang libclang-rt-14-dev time tcpreplay strace nmap hping3 dsniff arping tmux chromium redis-server redis-tools openssl ngtcp2-client ngtcp2-server libloc-database libmaxmind-db-writer-perl"
case ${1:-build} in
build|check) want=$build ;;
test) want=$test ;;
*) echo "usage: deps.sh build|test|check" >&2; exit 2 ;;
esac
missing=
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "${1:-build}" = check ]; then
	echo "nm: cannot build: missing packages$missing;" \
	    "run: make deps (as root), or: sudo apt-get install -y$missing" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "nm: missing packages; run: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "nm: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no, quietly.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
    debconf-set-selections 2>/dev/null
apt-get update -q >/dev/null 2>&1
apt-get install -y -q --no-install-recommends $missing >/dev/null ||
    { echo "nm: apt-get install$missing failed" >&2; exit 1; }
