package analyzer

import (
	"strings"
	"testing"

	"github.com/sipaudit/sipaudit/capture"
)

const okRegister = "REGISTER sip:example.com SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n" +
	"Max-Forwards: 70\r\n" +
	"From: <sip:alice@example.com>;tag=1928301774\r\n" +
	"To: <sip:alice@example.com>\r\n" +
	"Call-ID: a84b4c76e66710@192.0.2.1\r\n" +
	"CSeq: 1 REGISTER\r\n" +
	"Content-Length: 0\r\n\r\n"

func TestCounterMalformed(t *testing.T) {
	for _, c := range []struct {
		name      string
		raw       string
		malformed bool
	}{
		{"well formed", okRegister, false},
		{"bare LF line ends (Wireshark accepts them)", strings.ReplaceAll(okRegister, "\r\n", "\n"), false},
		{"bare LF headers, CRLF body", strings.ReplaceAll(strings.TrimSuffix(okRegister, "Content-Length: 0\r\n\r\n"), "\r\n", "\n") + "Content-Length: 4\n\r\nab\r\n", false},
		{"compact forms", "OPTIONS sip:b@example.com SIP/2.0\r\nv: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nf: <sip:a@example.com>;tag=1\r\nt: <sip:b@example.com>\r\ni: 1@h\r\nCSeq: 2 OPTIONS\r\nl: 0\r\n\r\n", false},
		{"no Via (RFC 3261 8.1.1)", strings.Replace(okRegister, "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n", "", 1), true},
		{"no Call-ID", strings.Replace(okRegister, "Call-ID: a84b4c76e66710@192.0.2.1\r\n", "", 1), true},
		{"body shorter than Content-Length", strings.Replace(okRegister, "Content-Length: 0", "Content-Length: 40", 1) + "short", true},
		{"Content-Length not a number", strings.Replace(okRegister, "Content-Length: 0", "Content-Length: bad", 1), true},
		{"IPv6 address without brackets", strings.Replace(okRegister, "REGISTER sip:example.com", "REGISTER sip:fec0::1:5060", 1), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			cnt := NewCounter(1 << 16)
			cnt.Add(&capture.Message{Raw: []byte(c.raw), Frames: []int{1}})
			s := cnt.Stats
			if s.SIPMessages != 1 {
				t.Fatalf("counted %d messages", s.SIPMessages)
			}
			if got := s.Malformed == 1; got != c.malformed {
				_, err := cnt.Parse([]byte(c.raw))
				t.Errorf("malformed %v, want %v (parse error: %v)", got, c.malformed, err)
			}
		})
	}
}

func TestCounterCounts(t *testing.T) {
	cnt := NewCounter(1 << 16)
	for _, raw := range []string{
		okRegister,
		okRegister,
		"SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:a@x>;tag=2\r\nCall-ID: 1\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n",
		"REGIStER sip:x SIP/2.0\r\n\r\n", // counted as written, like tshark; malformed
		"not sip at all",                 // not counted
	} {
		cnt.Add(&capture.Message{Raw: []byte(raw), Frames: []int{1}})
	}
	s := cnt.Stats
	if s.SIPMessages != 4 || s.Requests["REGISTER"] != 2 || s.Requests["REGIStER"] != 1 || s.Responses["401"] != 1 || s.Malformed != 1 {
		t.Errorf("stats %+v", s)
	}
}
