#!/usr/bin/env python3
"""Check Kamailio's HEPv3 mirror against the SIP on the wire (stdlib only).

    hepcheck.py [--sip-port 5070] [--hep-port 9060] [--decap OUT.pcap] PCAP...

Reads classic pcap files (tcpdump -w; Ethernet, Linux cooked v1/v2, raw IP
or BSD loopback link types, IPv4/IPv6, UDP), takes

  * wire:  every SIP message in a UDP datagram from or to --sip-port,
  * HEP:   every HEPv3 packet to --hep-port, unwrapped (chunk 15, or 16
           zlib-compressed) with its original addresses and ports,

and matches them one to one on (source, destination, payload bytes).
Prints the HEP messages, the counts (requests / replies) and the result;
exit status 0 when every wire message has exactly one HEP copy and the
other way round, 1 otherwise.

--decap writes the unwrapped HEP payloads as plain UDP/IPv4 packets (raw IP
link type, HEP timestamps) so that tshark can show them:
    tshark -r OUT.pcap -Y sip       (tshark 4.0 has no HEP dissector)
"""

import argparse
import collections
import socket
import struct
import sys
import zlib

SIP_METHODS = (b"INVITE", b"ACK", b"BYE", b"CANCEL", b"REGISTER", b"OPTIONS", b"PRACK",
               b"SUBSCRIBE", b"NOTIFY", b"PUBLISH", b"INFO", b"REFER", b"MESSAGE", b"UPDATE")


def is_sip(p):
    if p.startswith(b"SIP/2.0 "):
        return True
    sp = p.find(b" ")
    return 0 < sp <= 10 and p[:sp] in SIP_METHODS and b" SIP/2.0\r\n" in p[:2048]


def pcap_records(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise SystemExit("%s: not a pcap file" % path)
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise SystemExit("%s: not a classic pcap file (pcapng is not supported)" % path)
    nsec = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    off, frame = 24, 0
    while off + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        frame += 1
        yield frame, sec + frac / (1e9 if nsec else 1e6), linktype, data[off:off + incl]
        off += incl


def ip_payload(linktype, pkt):
    """(ethertype-ish version, ip packet) or None."""
    if linktype == 1:  # Ethernet
        et, off = struct.unpack("!H", pkt[12:14])[0], 14
        while et in (0x8100, 0x88A8):
            et, off = struct.unpack("!H", pkt[off + 2:off + 4])[0], off + 4
        return pkt[off:] if et in (0x0800, 0x86DD) else None
    if linktype == 113:  # Linux cooked v1
        return pkt[16:] if struct.unpack("!H", pkt[14:16])[0] in (0x0800, 0x86DD) else None
    if linktype == 276:  # Linux cooked v2
        return pkt[20:] if struct.unpack("!H", pkt[0:2])[0] in (0x0800, 0x86DD) else None
    if linktype in (101, 12, 14):  # raw IP
        return pkt
    if linktype in (0, 108):  # BSD loopback
        return pkt[4:]
    return None


def udp_of(linktype, pkt):
    ip = ip_payload(linktype, pkt)
    if not ip:
        return None
    v = ip[0] >> 4
    if v == 4:
        ihl = (ip[0] & 0x0F) * 4
        if ip[9] != 17 or struct.unpack("!H", ip[6:8])[0] & 0x3FFF:
            return None  # not UDP, or a fragment
        src, dst, udp = socket.inet_ntop(socket.AF_INET, ip[12:16]), socket.inet_ntop(socket.AF_INET, ip[16:20]), ip[ihl:]
    elif v == 6:
        if ip[6] != 17:
            return None
        src, dst, udp = socket.inet_ntop(socket.AF_INET6, ip[8:24]), socket.inet_ntop(socket.AF_INET6, ip[24:40]), ip[40:]
    else:
        return None
    sport, dport, ulen = struct.unpack("!HHH", udp[:6])
    return src, sport, dst, dport, udp[8:ulen]


def parse_hep3(p):
    if not p.startswith(b"HEP3") or len(p) < 6:
        return None
    total = struct.unpack("!H", p[4:6])[0]
    off, h = 6, {}
    end = min(total, len(p))
    while off + 6 <= end:
        _vendor, ctype, clen = struct.unpack("!HHH", p[off:off + 6])
        if clen < 6:
            break
        val = p[off + 6:off + clen]
        off += clen
        if ctype == 1:
            h["family"] = val[0]
        elif ctype == 3:
            h["src"] = socket.inet_ntop(socket.AF_INET, val)
        elif ctype == 4:
            h["dst"] = socket.inet_ntop(socket.AF_INET, val)
        elif ctype == 5:
            h["src"] = socket.inet_ntop(socket.AF_INET6, val)
        elif ctype == 6:
            h["dst"] = socket.inet_ntop(socket.AF_INET6, val)
        elif ctype == 7:
            h["sport"] = struct.unpack("!H", val)[0]
        elif ctype == 8:
            h["dport"] = struct.unpack("!H", val)[0]
        elif ctype == 9:
            h["sec"] = struct.unpack("!I", val)[0]
        elif ctype == 10:
            h["usec"] = struct.unpack("!I", val)[0]
        elif ctype == 11:
            h["ptype"] = val[0]
        elif ctype == 12:
            h["capture_id"] = struct.unpack("!I", val)[0]
        elif ctype == 14:
            h["auth_key"] = val.decode("utf-8", "replace")
        elif ctype == 15:
            h["payload"] = val
        elif ctype == 16:
            h["payload"] = zlib.decompress(val)
    return h


def first_line(p):
    return p.split(b"\r\n", 1)[0].decode("utf-8", "replace")


def cseq(p):
    for line in p.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line.lower().startswith(b"cseq:"):
            return line[5:].strip().decode("utf-8", "replace")
    return "?"


def kind(p):
    return "reply" if p.startswith(b"SIP/2.0 ") else "request"


def ip_checksum(h):
    s = sum(struct.unpack("!%dH" % (len(h) // 2), h))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def write_decap(path, heps):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))
        for h in heps:
            payload = h["payload"]
            try:
                src = socket.inet_aton(h["src"])
                dst = socket.inet_aton(h["dst"])
            except (OSError, KeyError):
                continue  # IPv6 HEP: not written
            udp = struct.pack("!HHHH", h.get("sport", 0), h.get("dport", 0), 8 + len(payload), 0) + payload
            iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0, src, dst)
            iph = iph[:10] + struct.pack("!H", ip_checksum(iph)) + iph[12:]
            pkt = iph + udp
            sec, usec = h.get("sec", int(h["time"])), h.get("usec", 0)
            f.write(struct.pack("<IIII", sec, usec, len(pkt), len(pkt)) + pkt)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pcap", nargs="+")
    ap.add_argument("--sip-port", type=int, default=5070)
    ap.add_argument("--hep-port", type=int, default=9060)
    ap.add_argument("--decap", help="write the unwrapped HEP payloads to this pcap")
    ap.add_argument("-q", "--quiet", action="store_true", help="counts only")
    a = ap.parse_args()

    wire, heps, bad_hep = [], [], 0
    for path in a.pcap:
        for frame, ts, lt, pkt in pcap_records(path):
            u = udp_of(lt, pkt)
            if not u:
                continue
            src, sport, dst, dport, payload = u
            if dport == a.hep_port:
                h = parse_hep3(payload)
                if not h or "payload" not in h:
                    bad_hep += 1
                    continue
                h["frame"], h["file"], h["time"] = frame, path, ts
                heps.append(h)
            elif a.sip_port in (sport, dport) and is_sip(payload):
                wire.append((src, sport, dst, dport, payload))

    if not a.quiet:
        print("HEP messages (frame, capture id, original addresses, first line, CSeq):")
        for i, h in enumerate(heps, 1):
            print("  %3d  frame %-4d id=%s%s  %s:%s -> %s:%s  %-45s  %s" % (
                i, h["frame"], h.get("capture_id", "?"),
                (" key=%s" % h["auth_key"]) if "auth_key" in h else "",
                h.get("src"), h.get("sport"), h.get("dst"), h.get("dport"),
                first_line(h["payload"])[:45], cseq(h["payload"])))

    w = collections.Counter(wire)
    hp = collections.Counter((h.get("src"), h.get("sport"), h.get("dst"), h.get("dport"), h["payload"]) for h in heps)
    matched = sum((w & hp).values())
    wire_only = sum((w - hp).values())
    hep_only = sum((hp - w).values())
    wk = collections.Counter(kind(m[4]) for m in wire)
    hk = collections.Counter(kind(h["payload"]) for h in heps)
    not_sip = sum(1 for h in heps if h.get("ptype", 1) != 1)

    print("wire SIP messages on port %d: %d (requests %d, replies %d)" % (
        a.sip_port, len(wire), wk["request"], wk["reply"]))
    print("HEPv3 messages to port %d:    %d (requests %d, replies %d)%s%s" % (
        a.hep_port, len(heps), hk["request"], hk["reply"],
        ", %d undecodable" % bad_hep if bad_hep else "",
        ", %d not SIP" % not_sip if not_sip else ""))
    print("matched byte for byte (addresses + payload): %d; wire only: %d; HEP only: %d" % (
        matched, wire_only, hep_only))
    for m in (w - hp):
        print("  wire only: %s:%s -> %s:%s %s" % (m[0], m[1], m[2], m[3], first_line(m[4])))
    for m in (hp - w):
        print("  HEP only:  %s:%s -> %s:%s %s" % (m[0], m[1], m[2], m[3], first_line(m[4])))

    if a.decap:
        write_decap(a.decap, heps)
        print("decapsulated HEP written to %s" % a.decap)

    ok = len(wire) > 0 and wire_only == 0 and hep_only == 0 and bad_hep == 0
    print("RESULT: %s" % ("OK, every SIP message is mirrored exactly once" if ok else "MISMATCH"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
