package analyzer

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/capture"
)

// TestChallengeFrames: an exchange names the frames of the challenge
// whose nonce it answers, all of them when the 401 came in several TCP
// segments; a reissue of the nonce in one frame replaces them.
func TestChallengeFrames(t *testing.T) {
	reg := func(cseq, branch, auth string) string {
		return "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.1:5060;branch=" + branch + "\r\n" +
			"From: <sip:alice@example.com>;tag=1\r\nTo: <sip:alice@example.com>\r\nCall-ID: ch-1\r\nCSeq: " + cseq + " REGISTER\r\n" + auth +
			"Content-Length: 0\r\n\r\n"
	}
	challenge := func(cseq, branch, nonce string) string {
		return "SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/TCP 10.0.0.1:5060;branch=" + branch + "\r\n" +
			"From: <sip:alice@example.com>;tag=1\r\nTo: <sip:alice@example.com>;tag=2\r\nCall-ID: ch-1\r\nCSeq: " + cseq + " REGISTER\r\n" +
			`WWW-Authenticate: Digest realm="example.com", nonce="` + nonce + `", qop="auth"` + "\r\nContent-Length: 0\r\n\r\n"
	}
	auth := func(nonce string) string {
		return `Authorization: Digest username="alice", realm="example.com", nonce="` + nonce + `", uri="sip:example.com", response="0123456789abcdef0123456789abcdef", qop=auth, nc=00000001, cnonce="x"` + "\r\n"
	}
	ue, pcscf := netip.MustParseAddrPort("10.0.0.1:5060"), netip.MustParseAddrPort("198.51.100.9:5060")
	steps := []struct {
		frames []int
		up     bool
		text   string
	}{
		{[]int{1}, true, reg("1", "z9hG4bK1", "")},
		{[]int{2, 3}, false, challenge("1", "z9hG4bK1", "n1")}, // two segments
		{[]int{4}, true, reg("2", "z9hG4bK2", auth("n1"))},
		{[]int{5}, true, reg("3", "z9hG4bK3", "")},
		{[]int{6}, false, challenge("3", "z9hG4bK3", "n1")}, // n1 reissued in one frame
		{[]int{7}, true, reg("4", "z9hG4bK4", auth("n1"))},
	}
	var exs []*Exchange
	a := New(Config{OnExchange: func(e *Exchange) { exs = append(exs, e) }})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, s := range steps {
		src, dst := pcscf, ue
		if s.up {
			src, dst = ue, pcscf
		}
		a.Add(&capture.Message{Frames: s.frames, Time: t0.Add(time.Duration(i) * time.Millisecond),
			Src: src, Dst: dst, Transport: capture.TCP, Raw: []byte(s.text)})
	}
	a.Close()
	if len(exs) != 2 {
		t.Fatalf("%d exchanges, want 2", len(exs))
	}
	if got := exs[0].ChallengeFrames; !slices.Equal(got, []int{2, 3}) {
		t.Errorf("first exchange: challenge frames %v, want [2 3]", got)
	}
	if got := exs[1].ChallengeFrames; !slices.Equal(got, []int{6}) {
		t.Errorf("second exchange: challenge frames %v, want [6] (the reissue)", got)
	}
}
