package capture

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func hepMsg(i int) *Message {
	return &Message{Time: time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC), Src: netip.MustParseAddrPort("10.0.0.1:5060"),
		Dst: netip.MustParseAddrPort("[2001:db8::2]:5061"), Transport: TCP,
		Raw: []byte("OPTIONS sip:b@example.com SIP/2.0\r\nCall-ID: " + strings.Repeat("x", i) + "\r\nContent-Length: 0\r\n\r\n")}
}

// TestHEPPacket: a packet from an agent becomes the message it carries,
// with the agent's addresses and time; with a key, packets without it
// or with another are refused and counted.
func TestHEPPacket(t *testing.T) {
	var got []*Message
	d := NewDecoder(DefaultLimits(), func(m *Message) { got = append(got, m.Clone()) })
	now := time.Now()
	m := hepMsg(1)
	d.HEPPacket(1, now, EncodeHEP(m, "s3cret"), "s3cret")
	d.HEPPacket(2, now, EncodeHEP(m, ""), "s3cret")
	d.HEPPacket(3, now, EncodeHEP(m, "s3cre"), "s3cret")
	d.HEPPacket(4, now, EncodeHEP(m, "other"), "")
	d.HEPPacket(5, now, []byte("HEP3\x00\x07x"), "")
	if len(got) != 2 || got[0].Frame() != 1 || got[1].Frame() != 4 {
		t.Fatalf("messages %d, frames %v", len(got), got)
	}
	g := got[0]
	if !g.HEP || g.Src != m.Src || g.Dst != m.Dst || g.Transport != TCP || !g.Time.Equal(m.Time) || !bytes.Equal(g.Raw, m.Raw) {
		t.Errorf("message %+v", g)
	}
	st := d.Stats()
	if st.HEPAuthFailed != 2 || st.HEPErrors != 1 || st.HEPPackets != 5 || st.Packets != 5 || st.SIPMessages != 2 {
		t.Errorf("stats %+v", st)
	}
}

// TestReadHEP: a TCP stream of HEP packets, cut anywhere.
func TestReadHEP(t *testing.T) {
	var stream []byte
	var want [][]byte
	for i := range 5 {
		p := EncodeHEP(hepMsg(i*300), "")
		want = append(want, p)
		stream = append(stream, p...)
	}
	r := bufio.NewReader(bytes.NewReader(stream))
	var buf []byte
	for i := range want {
		p, err := ReadHEP(r, buf)
		if err != nil || !bytes.Equal(p, want[i]) {
			t.Fatalf("packet %d: %v", i, err)
		}
		buf = p
	}
	if _, err := ReadHEP(r, buf); err != io.EOF {
		t.Errorf("at the end: %v, want io.EOF", err)
	}
	for _, cut := range []int{1, 5, 6, 7, len(want[0]) - 1} {
		if _, err := ReadHEP(bufio.NewReader(bytes.NewReader(stream[:cut])), nil); err != io.ErrUnexpectedEOF {
			t.Errorf("cut at %d: %v, want io.ErrUnexpectedEOF", cut, err)
		}
	}
	for _, bad := range []string{"GET / HTTP/1.1\r\n", "HEP3\x00\x03abc", "HEP2\x00\x10xxxxxxxxxx"} {
		if _, err := ReadHEP(bufio.NewReader(strings.NewReader(bad)), nil); !errors.Is(err, ErrNotHEPStream) {
			t.Errorf("%q: %v, want ErrNotHEPStream", bad, err)
		}
	}
}

// FuzzReadHEP: whatever a TCP peer sends, reading packets and decoding
// them ends without a panic, each packet within its 64 KiB bound.
func FuzzReadHEP(f *testing.F) {
	f.Add(append(EncodeHEP(hepMsg(3), "k"), EncodeHEP(hepMsg(4), "")...))
	f.Add([]byte("HEP3\xff\xffHEP3"))
	f.Add([]byte("HEP3\x00\x06"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d := NewDecoder(DefaultLimits(), func(*Message) {})
		r := bufio.NewReader(bytes.NewReader(b))
		var buf []byte
		for i := 1; ; i++ {
			p, err := ReadHEP(r, buf)
			if err != nil {
				return
			}
			if len(p) > 65535 {
				t.Fatalf("packet of %d bytes", len(p))
			}
			d.HEPPacket(i, time.Time{}, p, "k")
			buf = p
		}
	})
}
