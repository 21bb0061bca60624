#!/usr/bin/env bash
# Runs one command in one of the suite's job slots:
#   bash tests/slot.sh [-a|-l] [-t FILE] CMD...
# tests/run.sh runs every test through it; a test that builds or runs a
# suite of its own (tests/sanitize.t) runs its heavy steps through it too,
# so that the whole tree of runners shares NM_SLOT_COUNT slots and never
# runs more at once.  -a: alone: no other slot's command runs meanwhile
# (the test asked for it with a "# exclusive" line); it may hand the
# machine back early with lib.sh's `alone_done`.  -l: long (a "# long"
# line): served before the tests that are neither.  -t FILE: write the
# time the command started (after the wait for a slot) to FILE.  Exits with
# CMD's status.  Without NM_SLOTS (no runner above) it just runs CMD.
#
# The locks are flock(1)s on files in NM_SLOTS, which the kernel drops
# when their holder dies, so a killed test cannot keep its slot:
#   pending shared by the tests waiting to run alone, which keeps the
#           others out of the queue until they have run;
#   pending-long  the same for the long tests (-l) over the rest;
#   gate    taken to queue: whoever holds it is next, in turn;
#   slotN   one per slot, held while the command runs;
#   busy    shared while a command runs, exclusive for one run alone.
# A command that runs alone keeps the gate until it is done or calls
# alone_done (then it lets go of all of them), so nobody else queues
# meanwhile.  The command gets none of the lock descriptors: a daemon it
# leaves behind holds no slot.
set -u
alone=0 long=0 tfile=
while [ $# -gt 0 ]; do
	case $1 in
	-a) alone=1; shift ;;
	-l) long=1; shift ;;
	-t) tfile=$2; shift 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: slot.sh [-a|-l] [-t FILE] CMD..." >&2; exit 2; }

if [ -z "${NM_SLOTS:-}" ]; then
	[ -n "$tfile" ] && date +%s >"$tfile"
	exec "$@"
fi
exec 5>"$NM_SLOTS/pending-long" 6>"$NM_SLOTS/pending" \
    8>"$NM_SLOTS/gate" 9>"$NM_SLOTS/busy" || exit 1
# The queue has three classes, served in this order: the tests that run
# alone, each holding "pending" (shared) from the moment it is queued, so
# that the machine is emptied once for a run of them, not once for each;
# then the long ones, holding "pending-long" until they have a slot, so
# that the suite does not end on one long test and an idle slot; then
# the rest.  A test waits for the classes before its own to be served.
if [ "$alone" = 1 ]; then
	flock -s 6
else
	flock -x 6
	exec 6>&-
	if [ "$long" = 1 ]; then
		flock -s 5
	else
		flock -x 5
		exec 5>&-
	fi
fi
flock 8
# A slot: whichever is free first.  Polled, as flock waits on one file
# only; the gate keeps the others queued behind us meanwhile.
got=0
while [ "$got" = 0 ]; do
	for ((i = 1; i <= ${NM_SLOT_COUNT:-2}; i++)); do
		exec 7>"$NM_SLOTS/slot$i" || exit 1
		flock -n 7 && { got=1; break; }
	done
	[ "$got" = 1 ] || sleep 0.1
done
if [ "$alone" = 1 ]; then
	flock -x 9
else
	flock -s 9
	exec 5>&- 8>&-
fi
# alone_done (lib.sh) sends USR1: what is left of the command is light
# (replays, waits), so it lets go of everything and runs on outside the
# slots: holding even a shared lock would stall the next test that runs
# alone, and everything queued behind it, for as long as the tail lasts.
share() {
	[ "$held" = 1 ] || return 0
	exec 5>&- 6>&- 7>&- 8>&- 9>&-
	held=0
}
held=1
trap share USR1

[ -n "$tfile" ] && date +%s >"$tfile"
NM_SLOT_PID=$$ "$@" 5>&- 6>&- 7>&- 8>&- 9>&- &
pid=$!
# wait returns early when USR1 comes; the status is kept until reaped
while kill -0 "$pid" 2>/dev/null; do
	wait "$pid"
done
wait "$pid"
