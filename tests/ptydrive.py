# tests/ptydrive.py LOG STEPS CMD...: runs CMD on a new pseudo-terminal
# (its session leader, the terminal its controlling one), logging all it
# writes to LOG.  STEPS has lines "regex<TAB>answer": wait (15 s at most)
# for the regex, then type the answer; "-" types nothing, "^C" types the
# terminal's interrupt character, "^Z" its suspend character, "!cmd"
# runs a shell command.  Prints "exit N" (the command's status) or
# "STEPFAIL: ...".  Used by tests/monitor.t and tests/monitor-live.t.
import os, pty, re, select, subprocess, sys, termios, time
log, steps_file, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
steps = [l.rstrip("\n").split("\t", 1) for l in open(steps_file) if l.strip()]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
out = open(log, "wb")
buf = b""
def more(timeout):
    global buf
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return True
    try:
        d = os.read(fd, 4096)
    except OSError:
        d = b""
    out.write(d)
    out.flush()
    buf += d
    return len(d) > 0
def wait_for(pat, timeout=15):
    global buf
    rx, end = re.compile(pat.encode()), time.time() + timeout
    while time.time() < end:
        m = rx.search(buf)
        if m:
            buf = buf[m.end():]
            return True
        if not more(min(0.2, max(0, end - time.time()))):
            break
    return rx.search(buf) is not None
for pat, ans in steps:
    if not wait_for(pat):
        print("STEPFAIL: never saw %r" % pat)
        os.kill(pid, 9)
        sys.exit(1)
    if ans == "^C":
        os.write(fd, termios.tcgetattr(fd)[6][termios.VINTR])
    elif ans == "^Z":
        os.write(fd, termios.tcgetattr(fd)[6][termios.VSUSP])
    elif ans.startswith("!"):
        subprocess.run(ans[1:], shell=True, timeout=20)
    elif ans != "-":
        os.write(fd, ans.encode() + b"\r")
end = time.time() + 15
while time.time() < end:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        while more(0.1):
            pass
        print("exit %d" % os.waitstatus_to_exitcode(status))
        sys.exit(0)
    more(0.1)
print("STEPFAIL: did not end within 15 s")
os.kill(pid, 9)
