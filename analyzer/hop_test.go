package analyzer

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/capture"
)

// TestForwardedCopy: a capture on two links sees an authenticated request
// twice, from the UE to the proxy and from the proxy (one more Via) to
// the next hop (CSeq renumbered), with the same credentials. It is one
// exchange, not a replay, whose copy_frames name the second frame.
func TestForwardedCopy(t *testing.T) {
	const auth = `Authorization: Digest username="alice", realm="example.com", nonce="abc", uri="sip:example.com", response="0123456789abcdef0123456789abcdef", qop=auth, nc=00000001, cnonce="x"`
	reg := func(via string) string {
		return "REGISTER sip:example.com SIP/2.0\r\n" + via +
			"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKue1\r\nFrom: <sip:alice@example.com>;tag=1\r\nTo: <sip:alice@example.com>\r\n" +
			"Call-ID: hop-1\r\nCSeq: 2 REGISTER\r\n" + auth + "\r\nContent-Length: 0\r\n\r\n"
	}
	ok := func(request string) string {
		var h []string
		for _, l := range strings.Split(request, "\r\n")[1:] {
			if strings.HasPrefix(l, "Via:") || strings.HasPrefix(l, "From:") || strings.HasPrefix(l, "Call-ID:") || strings.HasPrefix(l, "CSeq:") {
				h = append(h, l)
			}
			if strings.HasPrefix(l, "To:") {
				h = append(h, l+";tag=2")
			}
		}
		return "SIP/2.0 200 OK\r\n" + strings.Join(h, "\r\n") + "\r\nContent-Length: 0\r\n\r\n"
	}
	ue, proxy, registrar := "10.0.0.1:5060", "203.0.113.1:5060", "198.51.100.9:5060"
	first := reg("")
	// The copy's CSeq renumbered, as some session border controllers do.
	copyReq := strings.Replace(reg("Via: SIP/2.0/UDP 203.0.113.1:5060;branch=z9hG4bKpx1\r\n"), "CSeq: 2 ", "CSeq: 1709929695 ", 1)
	steps := []struct{ src, dst, text string }{
		{ue, proxy, first}, {proxy, registrar, copyReq}, {registrar, proxy, ok(copyReq)}, {proxy, ue, ok(first)},
	}
	var exs []*Exchange
	a := New(Config{OnExchange: func(e *Exchange) { exs = append(exs, e) }})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, s := range steps {
		a.Add(&capture.Message{Frames: []int{i + 1}, Time: t0.Add(time.Duration(i) * time.Millisecond),
			Src: netip.MustParseAddrPort(s.src), Dst: netip.MustParseAddrPort(s.dst), Transport: capture.UDP, Raw: []byte(s.text)})
	}
	a.Close()
	if len(exs) != 1 {
		t.Fatalf("%d exchanges, want 1", len(exs))
	}
	if e := exs[0]; !slices.Equal(e.CopyFrames, []int{2}) || e.NCReplay || e.ServerVerdict != "accepted" || !slices.Equal(e.ResponseFrames, []int{4}) {
		t.Errorf("exchange %+v", e)
	}
}
