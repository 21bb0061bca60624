#!/usr/bin/env python3
"""A small client of Chromium's DevTools protocol, for tests/web.t.

Our own WebSocket (RFC 6455: the handshake, masked client frames, the
server's frames of any length, fragments) over a plain socket to a
headless chromium's --remote-debugging-port; no module from outside the
standard library.  It opens a tab, runs the steps given on the command
line in order, and prints one line per step:

    open URL           navigate and wait for the load event
    wait SECS EXPR     evaluate EXPR until it is true (at most SECS)
    eval EXPR          print EXPR's value as JSON
    shot FILE          a PNG screenshot of the page
    click SELECTOR     a click on the first element matching SELECTOR
    errors             the console errors, exceptions and CSP reports seen

Each line is "ok STEP VALUE" or "fail STEP WHY"; the status is 1 if any
step failed (errors fails when there was one).  Every wait is bounded.
"""
import base64
import json
import os
import socket
import struct
import sys
import time
import urllib.request


class WebSocket:
    def __init__(self, url, timeout=20):
        assert url.startswith("ws://")
        hostport, _, path = url[5:].partition("/")
        host, _, port = hostport.partition(":")
        self.sock = socket.create_connection((host, int(port)), timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        req = ("GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
               "Sec-WebSocket-Version: 13\r\n\r\n" % (path, hostport, key))
        self.sock.sendall(req.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise OSError("websocket: closed during the handshake")
            head += chunk
        head, _, self.buf = head.partition(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise OSError("websocket: " + head.split(b"\r\n")[0].decode())

    def send(self, text):
        data = text.encode()
        n = len(data)
        if n < 126:
            hdr = struct.pack("!BB", 0x81, 0x80 | n)
        elif n < 65536:
            hdr = struct.pack("!BBH", 0x81, 0x80 | 126, n)
        else:
            hdr = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
        mask = os.urandom(4)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(hdr + mask + body)

    def _take(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise OSError("websocket: closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self):
        """One whole message (fragments joined), as text."""
        parts = []
        while True:
            b0, b1 = self._take(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._take(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._take(8))[0]
            if b1 & 0x80:
                mask = self._take(4)
                data = bytes(b ^ mask[i % 4]
                             for i, b in enumerate(self._take(n)))
            else:
                data = self._take(n)
            op = b0 & 0x0F
            if op == 8:
                raise OSError("websocket: closed by the browser")
            if op in (9, 10):  # ping, pong: not from chromium, skipped
                continue
            parts.append(data)
            if b0 & 0x80:
                return b"".join(parts).decode()


class Tab:
    def __init__(self, port):
        req = urllib.request.Request(
            "http://127.0.0.1:%d/json/new?about:blank" % port, method="PUT")
        with urllib.request.urlopen(req, timeout=10) as r:
            target = json.load(r)
        self.ws = WebSocket(target["webSocketDebuggerUrl"])
        self.next_id = 0
        self.events = []
        self.errors = []
        for m in ("Page.enable", "Runtime.enable", "Log.enable"):
            self.call(m)

    def _note(self, msg):
        m, p = msg.get("method"), msg.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in (
                "error", "assert"):
            self.errors.append("console: " + " ".join(
                str(a.get("value", a.get("description", "")))
                for a in p.get("args", [])))
        elif m == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            self.errors.append("exception: " + d.get("text", "") + " " +
                               d.get("exception", {}).get("description", ""))
        elif m == "Log.entryAdded":
            e = p.get("entry", {})
            if e.get("level") == "error" or "Content Security Policy" in \
                    e.get("text", ""):
                self.errors.append("log: " + e.get("text", ""))
        self.events.append(m)

    def call(self, method, timeout=20, **params):
        self.next_id += 1
        want = self.next_id
        self.ws.send(json.dumps({"id": want, "method": method,
                                 "params": params}))
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == want:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            self._note(msg)
        raise TimeoutError(method)

    def wait_event(self, name, timeout):
        end = time.monotonic() + timeout
        self.ws.sock.settimeout(1)
        try:
            while time.monotonic() < end:
                if name in self.events:
                    return True
                try:
                    self._note(json.loads(self.ws.recv()))
                except socket.timeout:
                    pass
        finally:
            self.ws.sock.settimeout(20)
        return name in self.events

    def eval(self, expr):
        r = self.call("Runtime.evaluate", expression=expr,
                      returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError(r["exceptionDetails"].get("text", "error"))
        return r.get("result", {}).get("value")


def step(tab, args):
    what = args.pop(0)
    if what == "open":
        url = args.pop(0)
        tab.events.clear()
        tab.call("Page.navigate", url=url)
        if not tab.wait_event("Page.loadEventFired", 15):
            return what, False, "no load event in 15 s"
        return what, True, url
    if what == "wait":
        secs, expr = float(args.pop(0)), args.pop(0)
        end = time.monotonic() + secs
        while time.monotonic() < end:
            v = tab.eval(expr)
            if v:
                return what, True, json.dumps(v)
            time.sleep(0.2)
        return what, False, "%s: not true in %g s" % (expr, secs)
    if what == "eval":
        return what, True, json.dumps(tab.eval(args.pop(0)))
    if what == "click":
        sel = args.pop(0)
        ok = tab.eval("(() => { const e = document.querySelector(%s); "
                      "if (!e) return false; e.click(); return true; })()"
                      % json.dumps(sel))
        return what, bool(ok), sel
    if what == "shot":
        path = args.pop(0)
        r = tab.call("Page.captureScreenshot", format="png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))
        return what, True, path
    if what == "errors":
        tab.wait_event("-", 0.5)  # what is still on its way
        if tab.errors:
            return what, False, " | ".join(tab.errors)[:2000]
        return what, True, "none"
    raise SystemExit("cdp.py: unknown step: " + what)


def main():
    if len(sys.argv) < 3:
        raise SystemExit("usage: cdp.py DEVTOOLS-PORT STEP [ARG]...")
    tab = Tab(int(sys.argv[1]))
    args = sys.argv[2:]
    status = 0
    while args:
        try:
            what, ok, val = step(tab, args)
        except Exception as e:  # one line, and on to the next step
            what, ok, val = "step", False, repr(e)
        print("%s %s %s" % ("ok" if ok else "fail", what, val), flush=True)
        status |= not ok
    sys.exit(status)


if __name__ == "__main__":
    main()
