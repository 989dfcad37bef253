package analyzer

import (
	"fmt"
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

// TestAckBeforeResponse: an agent with several processes (Kamailio's
// siptrace, in the lab) can mirror the ACK before the 200 it
// acknowledges. The ACK still completes the INVITE's exchange: whether
// it repeats the credentials is judged, in either order.
func TestAckBeforeResponse(t *testing.T) {
	const pa = `Proxy-Authorization: Digest username="alice", realm="example.com", nonce="abc", uri="sip:bob@example.com", response="0123456789abcdef0123456789abcdef", qop=auth, nc=00000001, cnonce="x"`
	hdr := "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK%s\r\nFrom: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>%s\r\nCall-ID: early-1\r\nCSeq: 2 %s\r\n"
	invite := "INVITE sip:bob@example.com SIP/2.0\r\n" + fmtHdr(hdr, "inv", "", "INVITE") + pa + "\r\nContent-Length: 0\r\n\r\n"
	ok := "SIP/2.0 200 OK\r\n" + fmtHdr(hdr, "inv", ";tag=2", "INVITE") + "Content-Length: 0\r\n\r\n"
	for _, tc := range []struct {
		name string
		ack  string
		want string
	}{
		{"with credentials", "ACK sip:bob@10.0.0.2 SIP/2.0\r\n" + fmtHdr(hdr, "ack", ";tag=2", "ACK") + pa + "\r\nContent-Length: 0\r\n\r\n", "same"},
		{"without", "ACK sip:bob@10.0.0.2 SIP/2.0\r\n" + fmtHdr(hdr, "ack", ";tag=2", "ACK") + "Content-Length: 0\r\n\r\n", "missing"},
	} {
		for _, ackFirst := range []bool{false, true} {
			var exs []*Exchange
			an := New(Config{OnExchange: func(e *Exchange) { exs = append(exs, e) }})
			t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			steps := []string{invite, ok, tc.ack}
			if ackFirst {
				steps = []string{invite, tc.ack, ok}
			}
			for i, raw := range steps {
				src, dst := "10.0.0.1:5060", "10.0.0.2:5060"
				if strings.HasPrefix(raw, "SIP/2.0") {
					src, dst = dst, src
				}
				an.Add(&capture.Message{Frames: []int{i + 1}, Time: t0.Add(time.Duration(i) * time.Millisecond), Src: netip.MustParseAddrPort(src),
					Dst: netip.MustParseAddrPort(dst), Transport: capture.UDP, Raw: []byte(raw)})
			}
			if len(exs) != 1 {
				t.Fatalf("%s, ACK first %v: %d exchanges before Close, want the INVITE's, completed by its ACK", tc.name, ackFirst, len(exs))
			}
			an.Close()
			ackFrame := 3
			if ackFirst {
				ackFrame = 2
			}
			if e := exs[0]; e.AckCredentials != tc.want || !slices.Equal(e.AckFrames, []int{ackFrame}) || e.Status != 200 {
				t.Errorf("%s, ACK first %v: ack credentials %q, frames %v, status %d; want %q", tc.name, ackFirst, e.AckCredentials, e.AckFrames, e.Status, tc.want)
			}
		}
	}
}

func fmtHdr(format string, args ...any) string { return fmt.Sprintf(format, args...) }
