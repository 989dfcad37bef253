package store

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/analyzer"
)

// TestBlockRoundTrip packs odd messages (no frames, no endpoints, no
// parsed message, frames out of order, IPv6) and decodes them back.
func TestBlockRoundTrip(t *testing.T) {
	r := &Run{}
	evs := []analyzer.MessageEvent{
		{Input: "a", Raw: []byte("garbage without newline")},
		{Input: "a", Frames: []int{7, 3, 9}, Time: time.Unix(5, 6), Src: netip.MustParseAddrPort("[2001:db8::1]:5060"),
			Dst: netip.MustParseAddrPort("10.0.0.1:5061"), Transport: "TCP", Retransmission: true,
			Msg: &analyzer.Msg{Status: 401, CallID: "c1", CSeqMethod: "INVITE"}, Exchange: &analyzer.Exchange{ID: "e4"},
			Raw: []byte("SIP/2.0 401 Unauthorized\r\nCall-ID: c1\r\n\r\n")},
	}
	for i := range evs {
		r.AddMessage(&evs[i])
	}
	c := r.cur
	if c.nmsgs != 2 || c.first != 3 || c.last != 9 {
		t.Fatalf("block of %d messages, frames %d-%d", c.nmsgs, c.first, c.last)
	}
	br := newBlockReader(c.meta, c.raw)
	var got []*Message
	for br.next() {
		got = append(got, br.m.toMessage("a"))
	}
	if br.err != nil || len(got) != 2 {
		t.Fatalf("%d messages, %v", len(got), br.err)
	}
	m := got[1]
	if !slices.Equal(m.Frames, []int{7, 3, 9}) || !m.Time.Equal(time.Unix(5, 6)) || m.Src != "[2001:db8::1]:5060" || m.Dst != "10.0.0.1:5061" ||
		m.Transport != "TCP" || !m.Retransmission || m.Auth || m.Status != 401 || m.Method != "INVITE" || m.CallID != "c1" ||
		m.Exchange != "e4" || m.StartLine != "SIP/2.0 401 Unauthorized" || string(m.Raw) != string(evs[1].Raw) {
		t.Errorf("got %+v", m)
	}
	if m := got[0]; len(m.Frames) != 0 || m.Src != "" || m.StartLine != "garbage without newline" || m.CallID != "" {
		t.Errorf("got %+v", m)
	}
	// Truncated metadata is an error, not a panic.
	for n := 1; n < len(c.meta); n++ {
		br := newBlockReader(c.meta[:n], c.raw)
		for br.next() {
		}
	}
}
