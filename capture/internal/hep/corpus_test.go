package hep

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// corpusDir is the shared capture corpus, relative to this package
// (/work/main/capture/internal/hep -> /work/shared/corpus).
const corpusDir = "../../../../shared/corpus"

func readCorpus(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpusDir, name))
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("../shared corpus absent")
	}
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// frame is one captured link-layer frame.
type frame struct {
	linkType uint32
	data     []byte
}

// readPcap is a minimal classic pcap reader: 24-byte global header,
// 16-byte record headers, either byte order.
func readPcap(data []byte) ([]frame, error) {
	if len(data) < 24 {
		return nil, errors.New("pcap: short global header")
	}
	var bo binary.ByteOrder
	switch binary.LittleEndian.Uint32(data) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		bo = binary.LittleEndian
	case 0xd4c3b2a1, 0x4d3cb2a1:
		bo = binary.BigEndian
	default:
		return nil, fmt.Errorf("pcap: bad magic % x", data[:4])
	}
	linkType := bo.Uint32(data[20:]) & 0x0fffffff
	var out []frame
	for off := 24; off < len(data); {
		if len(data)-off < 16 {
			return nil, fmt.Errorf("pcap: short record header at %d", off)
		}
		incl := int(bo.Uint32(data[off+8:]))
		off += 16
		if incl > len(data)-off {
			return nil, fmt.Errorf("pcap: record at %d runs past the end", off)
		}
		out = append(out, frame{linkType, data[off : off+incl]})
		off += incl
	}
	return out, nil
}

// readPcapng is a minimal pcapng reader: section header (0x0A0D0D0A),
// interface description (1) and enhanced packet (6) blocks; other blocks
// are skipped.
func readPcapng(data []byte) ([]frame, error) {
	var (
		bo    binary.ByteOrder = binary.LittleEndian
		links []uint32
		out   []frame
	)
	for off := 0; off < len(data); {
		if len(data)-off < 12 {
			return nil, fmt.Errorf("pcapng: short block at %d", off)
		}
		typ := bo.Uint32(data[off:])
		if typ == 0x0a0d0d0a { // byte-order independent; fix bo first
			switch binary.LittleEndian.Uint32(data[off+8:]) {
			case 0x1a2b3c4d:
				bo = binary.LittleEndian
			case 0x4d3c2b1a:
				bo = binary.BigEndian
			default:
				return nil, fmt.Errorf("pcapng: bad byte-order magic at %d", off)
			}
			links = links[:0]
		}
		blen := int(bo.Uint32(data[off+4:]))
		if blen < 12 || blen%4 != 0 || blen > len(data)-off {
			return nil, fmt.Errorf("pcapng: bad block length %d at %d", blen, off)
		}
		body := data[off+8 : off+blen-4]
		switch typ {
		case 1:
			if len(body) < 2 {
				return nil, errors.New("pcapng: short IDB")
			}
			links = append(links, uint32(bo.Uint16(body)))
		case 6:
			if len(body) < 20 {
				return nil, errors.New("pcapng: short EPB")
			}
			iface := int(bo.Uint32(body))
			capLen := int(bo.Uint32(body[12:]))
			if iface >= len(links) || capLen > len(body)-20 {
				return nil, fmt.Errorf("pcapng: bad EPB at %d", off)
			}
			out = append(out, frame{links[iface], body[20 : 20+capLen]})
		}
		off += blen
	}
	return out, nil
}

// udpPayload extracts the UDP payload and destination port from an
// Ethernet (link type 1) or Linux SLL (113) frame carrying IPv4.
func udpPayload(f frame) (payload []byte, dstPort uint16, ok bool) {
	b := f.data
	var etherType uint16
	switch f.linkType {
	case 1:
		if len(b) < 14 {
			return nil, 0, false
		}
		etherType, b = binary.BigEndian.Uint16(b[12:]), b[14:]
	case 113:
		if len(b) < 16 {
			return nil, 0, false
		}
		etherType, b = binary.BigEndian.Uint16(b[14:]), b[16:]
	default:
		return nil, 0, false
	}
	if etherType != 0x0800 || len(b) < 20 || b[0]>>4 != 4 || b[9] != 17 {
		return nil, 0, false
	}
	ihl := int(b[0]&0x0f) * 4
	totLen := int(binary.BigEndian.Uint16(b[2:]))
	if ihl < 20 || totLen < ihl+8 || totLen > len(b) {
		return nil, 0, false
	}
	udp := b[ihl:totLen]
	udpLen := int(binary.BigEndian.Uint16(udp[4:]))
	if udpLen < 8 || udpLen > len(udp) {
		return nil, 0, false
	}
	return udp[8:udpLen], binary.BigEndian.Uint16(udp[2:]), true
}

// hepPackets parses every UDP datagram to port 9060 of a capture.
func hepPackets(t *testing.T, frames []frame) []Packet {
	t.Helper()
	var out []Packet
	for i, f := range frames {
		pl, port, ok := udpPayload(f)
		if !ok || port != 9060 {
			continue
		}
		if !IsHEP3(pl) {
			t.Errorf("frame %d: UDP/9060 payload is not HEP3: % x", i+1, pl[:min(len(pl), 8)])
			continue
		}
		p, n, err := Parse(pl, 1<<16)
		if err != nil {
			t.Errorf("frame %d: %v", i+1, err)
			continue
		}
		if n != len(pl) {
			t.Errorf("frame %d: n = %d, datagram is %d bytes", i+1, n, len(pl))
		}
		out = append(out, p)
	}
	return out
}

func firstLine(b []byte) string {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return strings.TrimSuffix(string(line), "\r")
}

func TestCorpusMixedTypes(t *testing.T) {
	frames, err := readPcap(readCorpus(t, "hep3_sip_udp9060_mixed_types.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	pkts := hepPackets(t, frames)
	if len(pkts) != 8 {
		t.Fatalf("%d HEP packets, want 8", len(pkts))
	}
	want := []struct {
		protoType uint8
		start     string // first line of the payload (prefix for non-SIP)
		sec, usec int64  // HEP chunks 0x0009/0x000a, not the pcap record time
	}{
		{1, "INVITE sip:nodejs@127.0.0.1 SIP/2.0", 1481455196, 100},
		{1, "SIP/2.0 100 Trying", 1481455196, 325},
		{1, "SIP/2.0 407 Proxy Authentication Required", 1481455197, 126},
		{1, "OPTIONS sip:127.0.0.1 SIP/2.0", 1481455198, 127},
		{100, "SYSLOG: Processing OPTIONS request from ", 1481455199, 126},
		{1, "SIP/2.0 200 Alive", 1481455200, 326},
		{1, "PUBLISH sip:nodejs@127.0.0.1:5999;transport=udp SIP/2.0", 1481455201, 627},
		{5, `{"sender_information":{`, 1481455202, 927},
	}
	a := netip.MustParseAddr("192.168.1.1")
	b := netip.MustParseAddr("192.168.1.2")
	counts := map[uint8]int{}
	for i, p := range pkts {
		w := want[i]
		counts[p.ProtoType]++
		if p.ProtoType != w.protoType {
			t.Errorf("packet %d: ProtoType = %d, want %d", i, p.ProtoType, w.protoType)
		}
		line := firstLine(p.Payload)
		if w.protoType == 1 && line != w.start || !strings.HasPrefix(line, w.start) {
			t.Errorf("packet %d: first line %q, want %q", i, line, w.start)
		}
		// HEPGEN's SIP header lines end in a bare LF.
		if p.ProtoType == 1 && !bytes.HasPrefix(p.Payload, []byte(w.start+"\n")) {
			t.Errorf("packet %d: start line not LF-terminated: %q", i, p.Payload[:min(len(p.Payload), 80)])
		}
		if !p.Time.Equal(time.Unix(w.sec, w.usec*1000)) {
			t.Errorf("packet %d: Time = %v", i, p.Time)
		}
		if p.Family != 2 || p.IPProto != 17 || p.CaptureID != 2001 || p.Compressed ||
			p.CorrelationID != "qgf3dm9rudi@127.0.0.1" || p.AuthKey != "myHep" || p.NodeName != "" {
			t.Errorf("packet %d: unexpected fields %+v", i, p)
		}
		src, dst := p.Src.Addr(), p.Dst.Addr()
		if !(src == a && dst == b || src == b && dst == a) {
			t.Errorf("packet %d: %v -> %v", i, p.Src, p.Dst)
		}
		wantPort := uint16(5060)
		if p.ProtoType != 1 {
			wantPort = 0 // LOG and RTCP packets carry no ports
		}
		if p.Src.Port() != wantPort || p.Dst.Port() != wantPort {
			t.Errorf("packet %d: ports %d -> %d, want %d", i, p.Src.Port(), p.Dst.Port(), wantPort)
		}
	}
	if counts[1] != 6 || counts[100] != 1 || counts[5] != 1 {
		t.Errorf("proto types %v, want 6 SIP, 1 LOG, 1 RTCP", counts)
	}
	// Direction: the INVITE goes 192.168.1.1 -> .2, its 100 comes back.
	if pkts[0].Src.Addr() != a || pkts[1].Src.Addr() != b {
		t.Errorf("INVITE %v -> %v, 100 %v -> %v", pkts[0].Src, pkts[0].Dst, pkts[1].Src, pkts[1].Dst)
	}
}

func TestCorpusCompressed(t *testing.T) {
	frames, err := readPcapng(readCorpus(t, "hep3_compressed_sll_rcs_register_digest.pcapng"))
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 21 || frames[0].linkType != 113 {
		t.Fatalf("%d frames, link type %d; want 21 SLL frames", len(frames), frames[0].linkType)
	}
	pkts := hepPackets(t, frames)
	if len(pkts) != 21 {
		t.Fatalf("%d HEP packets, want 21", len(pkts))
	}
	starts := map[string]int{}
	for i, p := range pkts {
		if !p.Compressed {
			t.Errorf("packet %d: not compressed", i)
		}
		// The captured SIP ran over TCP (Via: SIP/2.0/TCP); HEP itself over UDP.
		if p.ProtoType != 1 || p.Family != 2 || p.IPProto != 6 {
			t.Errorf("packet %d: ProtoType %d Family %d IPProto %d", i, p.ProtoType, p.Family, p.IPProto)
		}
		if !p.Src.IsValid() || !p.Dst.IsValid() || p.Time.IsZero() {
			t.Errorf("packet %d: %v -> %v at %v", i, p.Src, p.Dst, p.Time)
		}
		line := firstLine(p.Payload)
		if !strings.HasPrefix(line, "REGISTER ") && !strings.HasPrefix(line, "SIP/2.0 ") {
			t.Errorf("packet %d: first line %q", i, line)
		}
		if !bytes.Contains(p.Payload, []byte("\r\n\r\n")) {
			t.Errorf("packet %d: no end of headers in %d-byte payload", i, len(p.Payload))
		}
		method, _, _ := strings.Cut(strings.TrimPrefix(line, "SIP/2.0 "), " ")
		starts[method]++
	}
	// expected.json: REGISTER 12, 401 6, 200 3.
	if starts["REGISTER"] != 12 || starts["401"] != 6 || starts["200"] != 3 {
		t.Errorf("start lines %v, want REGISTER 12, 401 6, 200 3", starts)
	}
}
