package capture

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// feed runs raw IPv4 packets through a decoder with limits l.
func feed(l Limits, pkts ...[]byte) (Stats, []*Message) {
	var msgs []*Message
	d := NewDecoder(l, func(m *Message) { msgs = append(msgs, m.Clone()) })
	ts := time.Unix(1700000000, 0)
	for i, p := range pkts {
		d.Packet(layers.LinkTypeRaw, i+1, ts, p)
		ts = ts.Add(time.Millisecond)
	}
	d.Close()
	return d.Stats(), msgs
}

func TestStreamCap(t *testing.T) {
	l := DefaultLimits()
	l.MaxStreams = 3
	var pkts [][]byte
	for port := range uint16(10) {
		pkts = append(pkts, ipv4Packet(6, port, 0, false, tcpSegment(40000+port, 5060, 1, 0x18, []byte(fuzzSIP))))
	}
	st, msgs := feed(l, pkts...)
	if st.TCPConnections != 3 || st.TCPRefused != 7 || len(msgs) != 3 {
		t.Errorf("connections %d, refused %d, messages %d; want 3, 7, 3", st.TCPConnections, st.TCPRefused, len(msgs))
	}
}

func TestOversizeMessage(t *testing.T) {
	l := DefaultLimits()
	l.MaxMessage = 200
	big := strings.Replace(fuzzSIP, "Content-Length: 4", "Content-Length: 1000", 1) + strings.Repeat("x", 996)
	// over TCP: the oversize message is skipped whole and the next one found
	tcp := append([]byte(big), fuzzSIP...)
	var pkts [][]byte
	for i := 0; i < len(tcp); i += 100 {
		pkts = append(pkts, ipv4Packet(6, uint16(i), 0, false, tcpSegment(40000, 5060, uint32(1+i), 0x18, tcp[i:min(i+100, len(tcp))])))
	}
	st, msgs := feed(l, pkts...)
	if st.OversizeMessages != 1 || len(msgs) != 1 || !bytes.Equal(msgs[0].Raw, []byte(fuzzSIP)) {
		t.Errorf("oversize %d, messages %d", st.OversizeMessages, len(msgs))
	}
	// the message fills bytes [len(big), len(tcp)): segments of 100 bytes
	var want []int
	for f := len(big)/100 + 1; f <= len(pkts); f++ {
		want = append(want, f)
	}
	if len(msgs) == 1 && fmt.Sprint(msgs[0].Frames) != fmt.Sprint(want) {
		t.Errorf("frames %v, want %v", msgs[0].Frames, want)
	}
	// over UDP
	st, msgs = feed(l, ipv4Packet(17, 1, 0, false, udpDatagram(5060, 5060, []byte(big))))
	if st.OversizeMessages != 1 || len(msgs) != 0 {
		t.Errorf("UDP: oversize %d, messages %d", st.OversizeMessages, len(msgs))
	}
}

func TestFragmentCaps(t *testing.T) {
	l := DefaultLimits()
	l.MaxFragmentDatagrams = 2
	dg := udpDatagram(5060, 5060, []byte(fuzzSIP))
	var pkts [][]byte
	for id := range uint16(5) { // five first halves: only two are kept
		pkts = append(pkts, ipv4Packet(17, id, 0, true, dg[:64]))
	}
	for id := range uint16(5) {
		pkts = append(pkts, ipv4Packet(17, id, 64, false, dg[64:]))
	}
	st, msgs := feed(l, pkts...)
	if len(msgs) != 2 || st.IPReassembled != 2 {
		t.Errorf("messages %d, reassembled %d; want 2, 2", len(msgs), st.IPReassembled)
	}
	if len(msgs) > 0 && (len(msgs[0].Frames) != 2 || msgs[0].Frames[0] != 1 || msgs[0].Frames[1] != 6) {
		t.Errorf("frames %v, want [1 6]", msgs[0].Frames)
	}
	// overlapping fragments drop the datagram (RFC 5722, as Linux)
	st, msgs = feed(DefaultLimits(), ipv4Packet(17, 9, 0, true, dg[:64]), ipv4Packet(17, 9, 56, false, dg[56:]))
	if len(msgs) != 0 || st.IPFragmentsLost != 2 {
		t.Errorf("overlap: messages %d, dropped %d", len(msgs), st.IPFragmentsLost)
	}
	// a missing fragment expires after FragmentTimeout of capture time
	l = DefaultLimits()
	d := NewDecoder(l, func(*Message) { t.Error("no message expected") })
	t0 := time.Unix(1700000000, 0)
	d.Packet(layers.LinkTypeRaw, 1, t0, ipv4Packet(17, 3, 0, true, dg[:64]))
	d.Packet(layers.LinkTypeRaw, 2, t0.Add(l.FragmentTimeout+time.Second), ipv4Packet(17, 4, 0, true, dg[:64]))
	if d.Stats().IPFragmentsLost != 1 || len(d.defrag.m) != 1 {
		t.Errorf("expired %d, pending %d; want 1, 1", d.Stats().IPFragmentsLost, len(d.defrag.m))
	}
}

func TestTLSCounted(t *testing.T) {
	f, err := os.Open("../testdata/capture/tls_5061.pcap")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := NewDecoder(DefaultLimits(), func(*Message) { t.Error("TLS yielded a message") })
	if _, err := Read(context.Background(), f, "tls", d, nil); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if st := d.Stats(); st.TLSConnections != 1 || st.TLSBytes == 0 {
		t.Errorf("TLS connections %d, bytes %d", st.TLSConnections, st.TLSBytes)
	}
}

// A connection whose handshake was not captured starts at its first
// segment: messages come out as their segments arrive, not when the
// input ends (which would hold every such stream in memory until then).
func TestMidstreamDeliveredAtOnce(t *testing.T) {
	var got int
	d := NewDecoder(DefaultLimits(), func(*Message) { got++ })
	ts := time.Unix(1700000000, 0)
	tail := []byte("partial body of an earlier message\r\n")
	d.Packet(layers.LinkTypeRaw, 1, ts, ipv4Packet(6, 1, 0, false, tcpSegment(40000, 5060, 5000, 0x18, tail)))
	d.Packet(layers.LinkTypeRaw, 2, ts, ipv4Packet(6, 2, 0, false, tcpSegment(40000, 5060, 5000+uint32(len(tail)), 0x18, []byte(fuzzSIP))))
	if got != 1 {
		t.Errorf("%d messages before Close, want 1", got)
	}
	d.Close()
	if got != 1 {
		t.Errorf("%d messages after Close, want 1", got)
	}
}
