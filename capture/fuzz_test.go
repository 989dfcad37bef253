package capture

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// FuzzPacket drives the packet-to-message path (link layers, IP,
// fragments, UDP, TCP reassembly and framing, WebSocket, SCTP, HEP) with
// hostile packets. The first byte picks the link type; the rest is split
// into up to four packets so that reassembly state is exercised.
func FuzzPacket(f *testing.F) {
	for _, s := range packetSeeds() {
		f.Add(s)
	}
	links := []layers.LinkType{layers.LinkTypeEthernet, layers.LinkTypeRaw, layers.LinkTypeLinuxSLL,
		layers.LinkTypeLinuxSLL2, layers.LinkTypeNull, layers.LinkTypeLoop, layers.LinkTypeIPv4, layers.LinkTypeIPv6, layers.LinkTypePPP}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 2 {
			return
		}
		lt := links[int(b[0])%len(links)]
		parts := bytes.SplitN(b[1:], []byte("|||"), 4)
		l := DefaultLimits()
		l.MaxMessage = 4096
		l.MaxStreams = 4
		l.MaxStreamBytes = 16 << 10
		l.MaxFragmentDatagrams = 4
		d := NewDecoder(l, func(m *Message) {
			if len(m.Frames) == 0 || len(m.Raw) == 0 || len(m.Raw) > l.MaxMessage {
				t.Fatalf("bad message: frames %v, %d bytes", m.Frames, len(m.Raw))
			}
			for _, fr := range m.Frames {
				if fr < 1 || fr > 2*len(parts) {
					t.Fatalf("frame %d out of range", fr)
				}
			}
			if _, ok := ParseStartLine(m.Raw); !ok {
				t.Fatalf("message without a start line: %q", m.Raw)
			}
		})
		ts := time.Unix(1700000000, 0)
		frame := 0
		// every packet twice: the second is a retransmission or a repeat
		for _, p := range parts {
			for range 2 {
				frame++
				d.Packet(lt, frame, ts, p)
				ts = ts.Add(time.Millisecond)
			}
		}
		d.Close()
		if d.streamBytes != 0 {
			t.Fatalf("%d stream bytes still accounted after Close", d.streamBytes)
		}
	})
}

// FuzzRead feeds arbitrary files to Read: pcap and pcapng headers,
// records and blocks of any shape.
func FuzzRead(f *testing.F) {
	for _, s := range packetSeeds() {
		f.Add(pcapFile(layers.LinkTypeRaw, s[1:]))
	}
	f.Add([]byte{0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1c, 0, 0, 0})
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		d := NewDecoder(DefaultLimits(), func(*Message) {})
		in, _ := Read(context.Background(), bytes.NewReader(b), "fuzz", d, nil)
		d.Close()
		if in.Packets < 0 || in.Bytes > int64(len(b))*64 {
			t.Fatalf("implausible input summary %+v", in)
		}
	})
}

// pcapFile wraps packets in a little-endian microsecond pcap.
func pcapFile(lt layers.LinkType, pkts ...[]byte) []byte {
	var b bytes.Buffer
	h := make([]byte, 24)
	binary.LittleEndian.PutUint32(h, 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], 65535)
	binary.LittleEndian.PutUint32(h[20:], uint32(lt))
	b.Write(h)
	for i, p := range pkts {
		r := make([]byte, 16)
		binary.LittleEndian.PutUint32(r, uint32(1700000000+i))
		binary.LittleEndian.PutUint32(r[8:], uint32(len(p)))
		binary.LittleEndian.PutUint32(r[12:], uint32(len(p)))
		b.Write(r)
		b.Write(p)
	}
	return b.Bytes()
}

// ipv4Packet builds a raw IPv4 packet (no checksum: nothing checks it).
func ipv4Packet(proto byte, id uint16, fragOff uint16, more bool, payload []byte) []byte {
	h := make([]byte, 20, 20+len(payload))
	h[0] = 0x45
	binary.BigEndian.PutUint16(h[2:], uint16(20+len(payload)))
	binary.BigEndian.PutUint16(h[4:], id)
	fo := fragOff / 8
	if more {
		fo |= 0x2000
	}
	binary.BigEndian.PutUint16(h[6:], fo)
	h[8], h[9] = 64, proto
	copy(h[12:], []byte{192, 0, 2, 1})
	copy(h[16:], []byte{192, 0, 2, 2})
	return append(h, payload...)
}

func udpDatagram(sport, dport uint16, payload []byte) []byte {
	h := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint16(h, sport)
	binary.BigEndian.PutUint16(h[2:], dport)
	binary.BigEndian.PutUint16(h[4:], uint16(8+len(payload)))
	return append(h, payload...)
}

func tcpSegment(sport, dport uint16, seq uint32, flags byte, payload []byte) []byte {
	h := make([]byte, 20, 20+len(payload))
	binary.BigEndian.PutUint16(h, sport)
	binary.BigEndian.PutUint16(h[2:], dport)
	binary.BigEndian.PutUint32(h[4:], seq)
	h[12] = 5 << 4
	h[13] = flags
	binary.BigEndian.PutUint16(h[14:], 65535)
	return append(h, payload...)
}

const fuzzSIP = "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n" +
	"From: <sip:a@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\nCall-ID: 1@h\r\nCSeq: 1 REGISTER\r\nContent-Length: 4\r\n\r\nbody"

// packetSeeds are raw-IP seeds (first byte 1 selects LinkTypeRaw).
func packetSeeds() [][]byte {
	sip := []byte(fuzzSIP)
	sep := []byte("|||")
	join := func(ps ...[]byte) []byte { return append([]byte{1}, bytes.Join(ps, sep)...) }
	udp := ipv4Packet(17, 1, 0, false, udpDatagram(5060, 5060, sip))
	dg := udpDatagram(5060, 5060, sip)
	frag1 := ipv4Packet(17, 7, 0, true, dg[:64])
	frag2 := ipv4Packet(17, 7, 64, false, dg[64:])
	syn := ipv4Packet(6, 2, 0, false, tcpSegment(40000, 5060, 100, 0x02, nil))
	seg1 := ipv4Packet(6, 3, 0, false, tcpSegment(40000, 5060, 101, 0x18, sip[:50]))
	seg2 := ipv4Packet(6, 4, 0, false, tcpSegment(40000, 5060, 151, 0x18, append(sip[50:], sip...)))
	ws := ipv4Packet(6, 5, 0, false, tcpSegment(40001, 80, 1, 0x18,
		[]byte("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\n\r\n\x81\x05hello")))
	return [][]byte{join(udp), join(frag2, frag1), join(syn, seg2, seg1), join(seg1, seg2), join(ws)}
}
