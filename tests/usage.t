# Every program's --help and --version: the text on stdout and status 0,
# and, when stdout cannot take it (/dev/full), one line and status 1
# rather than a silent 0.
source "$(dirname "$0")/lib.sh"

for p in nm-capture nm-decode nm-stats nm-render nm-monitor nm-pcap nm-web; do
	if ! command -v $p >/dev/null; then
		skip "$p: not built"
		continue
	fi
	check "$p --help: usage on stdout, status 0" \
	    sh -c "$p --help | grep -q '^usage: $p'"
	check "$p --version: name and version, status 0" \
	    sh -c "$p --version | grep -qx '$p [0-9][0-9.]*'"
	for o in --help --version; do
		$p $o > /dev/full 2> "$TMP/err"
		st=$?
		if [ "$st" = 1 ] && [ "$(cat "$TMP/err")" = "$p: stdout: No space left on device" ]; then
			pass "$p $o > /dev/full: one line, status 1"
		else
			fail "$p $o > /dev/full: status $st: $(head -c 200 "$TMP/err")"
		fi
	done
done
if command -v nm-render >/dev/null; then
	nm-render --list-fields > /dev/full 2> "$TMP/err"
	st=$?
	check "nm-render --list-fields > /dev/full: one line, status 1" \
	    test "$st" = 1 -a "$(cat "$TMP/err")" = "nm-render: stdout: No space left on device"
fi
