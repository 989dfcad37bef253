package rules

import (
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/finding"
)

// Helpers of the SA3xx and SA4xx tests.

// h34Callee is the Request-URI of the scenarios' calls.
const h34Callee = "sip:bob@" + realm

// h34Same, as h34Call.ackAuth, makes the ACK repeat the INVITE's
// credentials value verbatim.
const h34Same = "same"

// h34Basic is a Basic credentials value (RFC 7617): base64(user:pass).
func h34Basic(user, pw string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pw))
}

// h34Over moves every packet of a scenario to another transport.
func h34Over(tr capture.Transport, pkts []pkt) []pkt {
	out := slices.Clone(pkts)
	for i := range out {
		out[i] = out[i].over(tr)
	}
	return out
}

// h34Tagged gives a request's To header the tag the server's responses
// put there (an ACK or a request inside the dialog).
func h34Tagged(request string) string {
	var out []string
	for _, line := range strings.Split(request, "\r\n") {
		if strings.HasPrefix(line, "To: ") && !strings.Contains(line, "tag=") {
			line += ";tag=srvtag"
		}
		out = append(out, line)
	}
	return strings.Join(out, "\r\n")
}

// h34Call is a call from alice through an authenticating proxy (the
// scenarios' server): INVITE, 407 with the challenge, the ACK of the 407
// (same branch as the INVITE, RFC 3261 17.1.1.3), the INVITE again with
// the credentials (CSeq+1, new branch), the final answer, and its ACK.
type h34Call struct {
	t0        time.Duration
	n         int    // distinguishes branches and CSeqs
	callID    string // default "call-" + n
	userAgent string // default "Linphone/5.2.0"
	// status and header of the challenge: default 407 and
	// Proxy-Authenticate; with 401, WWW-Authenticate and Authorization.
	challengeStatus int
	challenge       string // default chal(nonce, qop, MD5)
	nonce           string // default "b1e8...-" + n
	auth            string // default the right answer for the INVITE
	status          int    // the answer to the authenticated INVITE; default 200
	// ackAuth is the credentials value the final ACK carries: "" none,
	// h34Same the INVITE's, else that value.
	ackAuth string
}

func (c h34Call) creds() (hdr, value string) {
	hdr = "Proxy-Authorization"
	if c.challengeStatus == 401 {
		hdr = "Authorization"
	}
	value = c.auth
	if value == "" {
		value = answer{nonce: c.nonceValue(), method: "INVITE", uri: h34Callee}.String()
	}
	return hdr, value
}

func (c h34Call) nonceValue() string {
	if c.nonce != "" {
		return c.nonce
	}
	return "b1e8d2c47a9f03e65d1c8b7a2f4e6d9c" + strconv.Itoa(c.n)
}

func (c h34Call) id() string {
	if c.callID != "" {
		return c.callID
	}
	return "call-" + strconv.Itoa(c.n)
}

// invites returns the first INVITE and the one with the credentials.
func (c h34Call) invites() (first, second string) {
	ua := c.userAgent
	if ua == "" {
		ua = "Linphone/5.2.0"
	}
	n := strconv.Itoa(c.n)
	hdr, value := c.creds()
	first = req("INVITE", h34Callee, c.id(), 2*c.n+1, "i1"+n, "User-Agent: "+ua)
	second = req("INVITE", h34Callee, c.id(), 2*c.n+2, "i2"+n, "User-Agent: "+ua, hdr+": "+value)
	return first, second
}

func (c h34Call) pkts() []pkt {
	n := strconv.Itoa(c.n)
	first, second := c.invites()
	chStatus, chReason, chHdr := 407, "Proxy Authentication Required", "Proxy-Authenticate"
	if c.challengeStatus == 401 {
		chStatus, chReason, chHdr = 401, "Unauthorized", "WWW-Authenticate"
	}
	challenge := c.challenge
	if challenge == "" {
		challenge = chal(c.nonceValue(), `qop="auth"`, "algorithm=MD5")
	}
	status := c.status
	if status == 0 {
		status = 200
	}
	reason := map[int]string{200: "OK", 486: "Busy Here", 603: "Decline"}[status]
	hdr, value := c.creds()
	var extra []string
	switch c.ackAuth {
	case "":
	case h34Same:
		extra = append(extra, hdr+": "+value)
	default:
		extra = append(extra, hdr+": "+c.ackAuth)
	}
	ack1 := h34Tagged(req("ACK", h34Callee, c.id(), 2*c.n+1, "i1"+n))
	branch := "a2" + n // a 2xx ACK is a new transaction
	if status >= 300 {
		branch = "i2" + n // a non-2xx ACK is part of the INVITE's
	}
	ack2 := h34Tagged(req("ACK", h34Callee, c.id(), 2*c.n+2, branch, extra...))
	ms := time.Millisecond
	return []pkt{
		up(c.t0, first),
		down(c.t0+10*ms, resp(chStatus, chReason, first, chHdr+": "+challenge)),
		up(c.t0+20*ms, ack1),
		up(c.t0+30*ms, second),
		down(c.t0+2*time.Second, resp(status, reason, second)),
		up(c.t0+2*time.Second+10*ms, ack2),
	}
}

// h34One checks that a rule raised one finding with these frames, key
// and count.
func h34One(frames []int, key string, count int) func(t *testing.T, fs []*finding.Finding) {
	return func(t *testing.T, fs []*finding.Finding) {
		t.Helper()
		f := fs[0]
		if !slices.Equal(f.Frames, frames) {
			t.Errorf("frames %v, want %v", f.Frames, frames)
		}
		if key != "" && f.Key != key {
			t.Errorf("key %q, want %q", f.Key, key)
		}
		if f.Count != count {
			t.Errorf("count %d, want %d", f.Count, count)
		}
	}
}

// h34Severity checks the severity of every finding.
func h34Severity(t *testing.T, fs []*finding.Finding, want finding.Severity) {
	t.Helper()
	for _, f := range fs {
		if f.Severity != want {
			t.Errorf("%s: severity %v, want %v", f.Key, f.Severity, want)
		}
	}
}
