#!/usr/bin/env bash
# The stage driver (share/stage.c): every stage that reads records behaves
# the same at the edges of its input, because the behaviour is written
# once.  Each case runs for every stage:
# - empty input, and stdin closed: a header, an end record "early", one
#   line, status 8 (never a wait: a closed stdin must not become some
#   other descriptor);
# - piped into nm-render: the next stage sees a well-formed stream that
#   ended early, exits 8 and stays quiet (the first stage has spoken);
# - input cut short (no end record), and a malformed record: what was read
#   is passed on and reported, then an end record "early", one line,
#   status 8 and 3;
# - /dev/full: status 1, one line; a reader that goes away: status 0,
#   quietly;
# - signals on a piped input: the first lets it drain, the second stops
#   it; either way the end record says "signal" and the status is 0.
source "$(dirname "$0")/lib.sh"
STAGES="nm-decode nm-stats nm-render"
for p in nm-capture $STAGES; do
	[ -x "$NM_TOP/$p" ] || { echo "$p not built"; exit 77; }
done
# one_line NAME FILE REGEX: FILE holds exactly one line, matching REGEX
one_line() {
	if [ "$(wc -l <"$2")" -eq 1 ] && grep -Eq "$3" "$2"; then pass "$1"
	else fail "$1: $(head -c 400 "$2" | tr '\n' '|')"; fi
}
# shape FILE: the types of a stream's records, and the end's reason
shape() {
	nm-render -o json <"$1" 2>/dev/null |
	    jq -r '.type + (if .type == "end" then ":" + .reason else "" end)' |
	    uniq | tr '\n' ' '
}
# recs STAGE: whether the stage writes records (nm-render writes text)
recs() { [ "$1" != nm-render ]; }

nm-capture -r "$NM_TOP/share/sample.pcap" | nm-decode >"$TMP/s.mp"
size=$(stat -c %s "$TMP/s.mp")
head -c $((size / 2)) "$TMP/s.mp" >"$TMP/half.mp"
# a stream that goes bad in its middle: a record breaking the schema
nm-render -o json <"$TMP/s.mp" >"$TMP/s.json"
{ head -n $(($(wc -l <"$TMP/s.json") / 2)) "$TMP/s.json"
  echo '{"type":"packet","ip":{"src":12}}'; } >"$TMP/bad.mp"
check "saved stream made" [ -s "$TMP/s.mp" ]

for s in $STAGES; do
	# --- empty input, stdin closed ---
	for how in empty closed; do
		if [ $how = empty ]; then
			timeout 10 "$s" </dev/null >"$TMP/o" 2>"$TMP/e"
		else
			timeout 10 "$s" <&- >"$TMP/o" 2>"$TMP/e"
		fi
		rc=$?
		check "$s, $how input: status 8 ($rc)" [ $rc = 8 ]
		one_line "$s, $how input: one line" "$TMP/e" \
		    "^$s: stdin: input ended early: no records at all$"
		if recs "$s"; then
			# (nm-stats' final figures come between)
			check "$s, $how input: a header, an early end ($(shape "$TMP/o"))" \
			    [ "$(shape "$TMP/o" | awk '{print $1, $NF}')" = \
			    "header end:early" ]
		fi
	done

	# --- the next stage after an empty input ---
	if recs "$s"; then
		: | "$s" 2>"$TMP/e1" | nm-render -o json >"$TMP/o" 2>"$TMP/e2"
		st="${PIPESTATUS[*]}"
		check "$s empty | nm-render: 0 8 8 ($st)" [ "$st" = "0 8 8" ]
		check "$s empty | nm-render: nm-render quiet" [ ! -s "$TMP/e2" ]
		nm-capture -r /nonexistent 2>/dev/null | "$s" 2>"$TMP/e1" |
		    nm-render --color=never >"$TMP/o" 2>"$TMP/e2"
		st="${PIPESTATUS[*]}"
		check "capture of no file | $s | nm-render: 5 8 8 ($st)" \
		    [ "$st" = "5 8 8" ]
		check "capture of no file | $s | nm-render: nm-render quiet" \
		    [ ! -s "$TMP/e2" ]
	fi

	# --- cut short, malformed ---
	for how in half bad; do
		want=8 line='input ended early: stream ends inside a record at byte [0-9]+ \(truncated\)$'
		[ $how = bad ] && want=3 line='malformed record stream at byte [0-9]+: '
		"$s" <"$TMP/$how.mp" >"$TMP/o" 2>"$TMP/e"
		rc=$?
		check "$s, $how stream: status $want ($rc)" [ $rc = $want ]
		one_line "$s, $how stream: one line" "$TMP/e" "^$s: stdin: .*$line"
		if recs "$s"; then
			check "$s, $how stream: what was read goes on, then an early end" \
			    [ "$(shape "$TMP/o" | awk '{print $1, $NF}')" = \
			    "header end:early" ]
			check "$s, $how stream: packets passed on" \
			    [ "$(nm-render -o json <"$TMP/o" 2>/dev/null |
			    grep -c '"type":"packet"')" -gt 10 ]
		else
			check "$s, $how stream: what was read is shown" \
			    [ "$(grep -c ' → ' "$TMP/o")" -gt 10 ]
		fi
	done

	# --- /dev/full, a reader that goes away ---
	"$s" <"$TMP/s.mp" >/dev/full 2>"$TMP/e"
	rc=$?
	check "$s >/dev/full: status 1 ($rc)" [ $rc = 1 ]
	one_line "$s >/dev/full: one line" "$TMP/e" \
	    "^$s: stdout: No space left on device$"
	for i in 1 2 3 4 5 6 7 8; do cat "$TMP/s.mp"; done | nm-render -o json |
	    head -c 1 >/dev/null
	nm-capture -r "$NM_TOP/share/sample.pcap" | nm-decode | "$s" 2>"$TMP/e" |
	    head -c 1 >/dev/null
	st="${PIPESTATUS[*]}"
	check "$s | head -c 1: status 0 ($st)" [ "${st// /}" = 0000 ]
	check "$s | head -c 1: quiet" [ ! -s "$TMP/e" ]

	# --- signals on a piped input ---
	# The writer sends a quarter of the stream, waits, then the rest: one
	# signal lets all of it through; a second stops the stage at once.
	q=$((size / 4))
	for n in 1 2; do
		rm -f "$TMP/fifo"; mkfifo "$TMP/fifo"
		"$s" <"$TMP/fifo" >"$TMP/o" 2>"$TMP/e" &
		pid=$!
		{ head -c $q "$TMP/s.mp"; sleep 2; tail -c +$((q + 1)) "$TMP/s.mp"; } \
		    >"$TMP/fifo" 2>/dev/null &
		wpid=$!
		sleep 0.5
		kill -INT $pid
		sleep 0.4
		if [ $n = 1 ]; then
			check "$s, one SIGINT on a pipe: still draining" kill -0 $pid
		else
			kill -INT $pid
		fi
		for i in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
		kill -0 $pid 2>/dev/null && { fail "$s, $n SIGINT: still running"; kill -KILL $pid; }
		wait $pid; rc=$?
		wait $wpid 2>/dev/null
		check "$s, $n SIGINT: status 0 ($rc)" [ $rc = 0 ]
		if recs "$s"; then
			if [ $n = 2 ]; then r=signal; else r=eof; fi
			check "$s, $n SIGINT: ends with reason $r ($(shape "$TMP/o" | awk '{print $NF}'))" \
			    [ "$(shape "$TMP/o" | awk '{print $NF}')" = "end:$r" ]
		else
			check "$s, $n SIGINT: packets shown" grep -q ' → ' "$TMP/o"
		fi
		check "$s, $n SIGINT: quiet" [ ! -s "$TMP/e" ]
	done
done

# --- binary records to a terminal: refused, unless --force ---
# on_tty CMD...: CMD with stdout on a pseudo-terminal and stdin empty;
# prints its status, its stderr goes to $TMP/e
on_tty() {
	python3 - "$@" 2>"$TMP/e" <<'PY'
import os, pty, subprocess, sys
m, s = pty.openpty()
p = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=s,
    stderr=subprocess.PIPE, timeout=20)
os.close(s)
sys.stderr.write(p.stderr.decode())
print(p.returncode)
PY
}
for s in nm-decode nm-stats; do
	rc=$(on_tty "$s")
	check "$s to a terminal: refused, status 2 ($rc)" [ "$rc" = 2 ]
	one_line "$s to a terminal: one line with the hint" "$TMP/e" \
	    "^$s: refusing to write binary records to a terminal: pipe them on, e.g. \| nm-render \(or use --force\)$"
	rc=$(on_tty "$s" --force)
	check "$s --force to a terminal: writes (empty input, status 8: $rc)" \
	    [ "$rc" = 8 ]
done
rc=$(on_tty nm-render)
check "nm-render to a terminal: text is fine (empty input, status 8: $rc)" \
    [ "$rc" = 8 ]
