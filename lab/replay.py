#!/usr/bin/env python3
"""Digest replay probe for the sipaudit lab (python3 standard library only).

Does, over one UDP socket, with one Call-ID:

  1. REGISTER (CSeq 1)                                  -> expects 401
  2. REGISTER (CSeq 2) + Authorization, nc=00000001     -> expects 200
  3. REGISTER (CSeq 3, new Via branch) carrying the very same Authorization
     header field as step 2 (same nonce, nc=00000001, cnonce and response):
     a replay of an accepted (nonce, nc)             -> a server with
     nonce-count checking must refuse it (Kamailio: 401 stale=true)
  4. (only with --next-nc) REGISTER (CSeq 4) with the same nonce and
     nc=00000002, a fresh cnonce and a correct response -> expects 200,
     which shows that step 3 was refused for its nc, not for its nonce.

sipp cannot do step 3: with [authentication] it reuses the stored challenge
but increments nc (00000002), which is a legitimate nonce reuse.

The digest is computed here (RFC 2617 / RFC 3261 22.4, MD5, qop=auth); the
digest uri is the Request-URI, sip:DOMAIN.

Prints one summary line (key=value) on stdout, the SIP exchange on stderr
with -v. Exit status: 0 flow done and the replay refused; 3 the replay was
accepted (2xx); 1 anything else (timeout, unexpected reply).
"""

import argparse
import hashlib
import os
import re
import socket
import sys
import time

T1 = 0.5


def md5hex(s):
    return hashlib.md5(s.encode()).hexdigest()


def parse_challenge(value):
    """Parameters of a Digest challenge or credentials header value."""
    v = value.strip()
    if v.lower().startswith("digest"):
        v = v[6:]
    params = {}
    for m in re.finditer(r'\s*([A-Za-z0-9_-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^,\s]*)\s*,?', v):
        name = m.group(1).lower()
        params[name] = m.group(3) if m.group(3) is not None else m.group(2)
    return params


class Reply:
    def __init__(self, raw):
        self.raw = raw
        text = raw.decode("utf-8", "replace")
        head = text.split("\r\n\r\n", 1)[0]
        lines = head.split("\r\n")
        self.start = lines[0]
        m = re.match(r"SIP/2\.0 (\d{3}) ?(.*)", self.start)
        self.status = int(m.group(1)) if m else 0
        self.reason = m.group(2) if m else ""
        self.headers = []
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and self.headers:
                n, v = self.headers[-1]
                self.headers[-1] = (n, v + " " + line.strip())
            elif ":" in line:
                n, v = line.split(":", 1)
                self.headers.append((n.strip().lower(), v.strip()))

    def header(self, name):
        name = name.lower()
        for n, v in self.headers:
            if n == name:
                return v
        return None


class Client:
    def __init__(self, args):
        self.a = args
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((args.local_ip, args.local_port))
        self.local_port = self.sock.getsockname()[1]
        self.server = (args.server_ip, args.server_port)
        tag = os.urandom(4).hex()
        self.from_tag = "rp" + tag
        self.call_id = "replay-%s@%s" % (os.urandom(6).hex(), args.local_ip)
        self.ruri = "sip:%s" % args.domain
        self.aor = "sip:%s@%s" % (args.user, args.domain)

    def request(self, cseq, auth=None):
        branch = "z9hG4bK-rp-%s-%d" % (os.urandom(5).hex(), cseq)
        lines = [
            "REGISTER %s SIP/2.0" % self.ruri,
            "Via: SIP/2.0/UDP %s:%d;rport;branch=%s" % (self.a.local_ip, self.local_port, branch),
            "Max-Forwards: 70",
            "From: <%s>;tag=%s" % (self.aor, self.from_tag),
            "To: <%s>" % self.aor,
            "Call-ID: %s" % self.call_id,
            "CSeq: %d REGISTER" % cseq,
            "Contact: <sip:%s@%s:%d>" % (self.a.user, self.a.local_ip, self.local_port),
            "Expires: 300",
        ]
        if auth:
            lines.append("Authorization: " + auth)
        lines += ["User-Agent: sipaudit-lab replay.py", "Content-Length: 0", "", ""]
        return branch, "\r\n".join(lines).encode()

    def transact(self, cseq, auth=None):
        """Send a REGISTER, retransmit as RFC 3261 17.1.2, return the final reply."""
        branch, msg = self.request(cseq, auth)
        deadline = time.monotonic() + self.a.timeout
        interval = T1
        next_send = time.monotonic()
        while True:
            now = time.monotonic()
            if now >= deadline:
                return None
            if now >= next_send:
                self.log(">>> CSeq %d REGISTER%s" % (cseq, " (retransmission)" if interval > T1 else ""))
                self.log(msg.decode())
                self.sock.sendto(msg, self.server)
                next_send = now + interval
                interval = min(interval * 2, 4.0)
            self.sock.settimeout(max(0.01, min(next_send, deadline) - time.monotonic()))
            try:
                data, _ = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            r = Reply(data)
            via = r.header("via") or r.header("v") or ""
            cs = r.header("cseq") or ""
            if r.status == 0 or ("branch=" + branch) not in via or not cs.startswith("%d " % cseq):
                continue  # not ours (a stray retransmission)
            self.log("<<< %s" % r.start)
            self.log(data.decode("utf-8", "replace"))
            if r.status >= 200:
                return r

    def log(self, s):
        if self.a.verbose:
            sys.stderr.write(s.rstrip("\r\n") + "\n")

    def credentials(self, chal, nc, cnonce):
        realm = chal["realm"]
        nonce = chal["nonce"]
        qop = "auth"
        ha1 = md5hex("%s:%s:%s" % (self.a.user, realm, self.a.password))
        ha2 = md5hex("REGISTER:%s" % self.ruri)
        resp = md5hex("%s:%s:%s:%s:%s:%s" % (ha1, nonce, nc, cnonce, qop, ha2))
        parts = [
            'username="%s"' % self.a.user,
            'realm="%s"' % realm,
            'nonce="%s"' % nonce,
            'uri="%s"' % self.ruri,
            'response="%s"' % resp,
            "algorithm=MD5",
            'cnonce="%s"' % cnonce,
            "qop=%s" % qop,
            "nc=%s" % nc,
        ]
        if "opaque" in chal:
            parts.append('opaque="%s"' % chal["opaque"])
        return "Digest " + ", ".join(parts)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--server", default="127.0.0.1:5070", help="registrar IP:PORT (default %(default)s)")
    p.add_argument("--local-ip", default="127.0.0.1")
    p.add_argument("--local-port", type=int, default=0, help="local UDP port (default: any)")
    p.add_argument("--user", default="alice")
    p.add_argument("--password", default="alicepw")
    p.add_argument("--domain", default="lab.sipaudit.test", help="registrar domain (Request-URI, AoR)")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for each final reply")
    p.add_argument("--next-nc", action="store_true", help="also send step 4 (same nonce, nc=00000002)")
    p.add_argument("-v", "--verbose", action="store_true", help="print the SIP exchange on stderr")
    a = p.parse_args()
    host, _, port = a.server.rpartition(":")
    a.server_ip, a.server_port = host, int(port)

    c = Client(a)
    out = {"user": a.user}

    def finish(code, **kw):
        out.update(kw)
        print(" ".join("%s=%s" % (k, v) for k, v in out.items()))
        sys.exit(code)

    r1 = c.transact(1)
    if r1 is None:
        finish(1, error="timeout_step1")
    out["step1"] = r1.status
    chal = parse_challenge(r1.header("www-authenticate") or "")
    if r1.status != 401 or "nonce" not in chal or "realm" not in chal:
        finish(1, error="no_challenge")

    cnonce = os.urandom(8).hex()
    auth = c.credentials(chal, "00000001", cnonce)
    r2 = c.transact(2, auth)
    if r2 is None:
        finish(1, error="timeout_step2")
    out["step2"] = r2.status
    if r2.status != 200:
        finish(1, error="auth_refused")

    # the replay: the same Authorization header field, byte for byte
    r3 = c.transact(3, auth)
    if r3 is None:
        finish(1, error="timeout_step3")
    out["replay_status"] = r3.status
    chal3 = parse_challenge(r3.header("www-authenticate") or "")
    out["replay_stale"] = chal3.get("stale", "absent").lower()
    out["replay_new_nonce"] = "yes" if chal3.get("nonce") and chal3.get("nonce") != chal["nonce"] else "no"
    out["nonce"] = chal["nonce"]
    out["nc"] = "00000001"
    out["cnonce"] = cnonce

    if a.next_nc and r3.status >= 300:
        auth4 = c.credentials(chal, "00000002", os.urandom(8).hex())
        r4 = c.transact(4, auth4)
        out["next_nc_status"] = r4.status if r4 else "timeout"

    if 200 <= r3.status < 300:
        finish(3, result="REPLAY_ACCEPTED")
    finish(0, result="replay_refused")


if __name__ == "__main__":
    main()
