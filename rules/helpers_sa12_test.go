package rules

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/digest/crack"
	"github.com/sipaudit/sipaudit/finding"
)

// Helpers of the SA1xx/SA2xx rule tests (sa102..sa209).

// h12nonce is the nonce register{n: n} uses by default.
func h12nonce(n int) string { return "5f3c8e1a9b7d4c2e6a0f1b3d5c7e9a2b" + strconv.Itoa(n) }

// h12regURI is the Request-URI (and digest uri) of the registrations.
const h12regURI = "sip:" + realm

// h12authInfo is the Authentication-Info value a registrar holding
// password pw returns for the credentials value auth (an Authorization
// or Proxy-Authorization value).
func h12authInfo(auth, pw string) string {
	c := h12creds(auth)
	ai, err := digest.AuthInfoFor(c, c.Username, digest.Secret{Password: []byte(pw)}, nil)
	if err != nil {
		panic(err)
	}
	return ai.Auth().String()
}

// h12creds parses a Digest credentials value.
func h12creds(auth string) digest.Credentials {
	aus, err := digest.Parse(auth)
	if err != nil || len(aus) == 0 {
		panic("credentials do not parse: " + auth)
	}
	c, _ := digest.ParseCredentials(aus[0])
	return c
}

// h12impu moves the From and To of a scenario from alice's AOR to another
// IMPU (the credentials keep their username).
func h12impu(impu string, pkts []pkt) []pkt {
	out := slices.Clone(pkts)
	for i := range out {
		out[i].text = strings.ReplaceAll(out[i].text, "<sip:alice@"+realm+">", "<"+impu+">")
	}
	return out
}

// h12reregister is a re-REGISTER of alice on Call-ID reg-1 carrying the
// credentials value auth, answered with status and extra headers.
func h12reregister(at time.Duration, cseq int, branch, auth string, status int, extra ...string) []pkt {
	r := req("REGISTER", h12regURI, "reg-1", cseq, branch, "Expires: 600", "Authorization: "+auth)
	reason := map[int]string{200: "OK", 401: "Unauthorized", 403: "Forbidden"}[status]
	return []pkt{up(at, r), down(at+10*time.Millisecond, resp(status, reason, r, extra...))}
}

// h12call is an authenticated INVITE through the proxy's 407: INVITE,
// 407 with the challenge, ACK, INVITE with Proxy-Authorization, the final
// answer, and for a 2xx its ACK (frames 1 to 6).
type h12call struct {
	t0        time.Duration
	callID    string // default "call-1"
	from      string // the From user; default alice
	uri       string // the Request-URI; default sip:bob@example.com
	nonce     string // default "7c1e4b2a9d8f3e6a5b4c3d2e1f0a9b8c"
	challenge string // the Proxy-Authenticate value; default chal(nonce, qop, MD5)
	auth      string // the Proxy-Authorization value; default the right answer
	status    int    // default 200
	final     []string
	extra     []string // more header lines of the second INVITE
}

func (c h12call) pkts() []pkt {
	if c.callID == "" {
		c.callID = "call-1"
	}
	if c.from == "" {
		c.from = "alice"
	}
	if c.uri == "" {
		c.uri = "sip:bob@" + realm
	}
	if c.nonce == "" {
		c.nonce = "7c1e4b2a9d8f3e6a5b4c3d2e1f0a9b8c"
	}
	if c.challenge == "" {
		c.challenge = chal(c.nonce, `qop="auth"`, "algorithm=MD5")
	}
	if c.auth == "" {
		c.auth = answer{nonce: c.nonce, method: "INVITE", uri: c.uri}.String()
	}
	if c.status == 0 {
		c.status = 200
	}
	first := reqFrom(c.from, ueAddr, "INVITE", c.uri, c.callID, 1, "i1")
	challenge := resp(407, "Proxy Authentication Required", first, "Proxy-Authenticate: "+c.challenge)
	ack1 := strings.Replace(reqFrom(c.from, ueAddr, "ACK", c.uri, c.callID, 1, "i1"), "To: <"+c.uri+">", "To: <"+c.uri+">;tag=srvtag", 1)
	second := reqFrom(c.from, ueAddr, "INVITE", c.uri, c.callID, 2, "i2", append([]string{"Proxy-Authorization: " + c.auth}, c.extra...)...)
	reason := map[int]string{200: "OK", 401: "Unauthorized", 403: "Forbidden", 407: "Proxy Authentication Required", 486: "Busy Here"}[c.status]
	ps := []pkt{
		up(c.t0, first),
		down(c.t0+10*time.Millisecond, challenge),
		up(c.t0+20*time.Millisecond, ack1),
		up(c.t0+30*time.Millisecond, second),
		down(c.t0+200*time.Millisecond, resp(c.status, reason, second, c.final...)),
	}
	if c.status < 300 {
		ack2 := strings.Replace(reqFrom(c.from, ueAddr, "ACK", c.uri, c.callID, 2, "i3", "Proxy-Authorization: "+c.auth),
			"To: <"+c.uri+">", "To: <"+c.uri+">;tag=srvtag", 1)
		ps = append(ps, up(c.t0+210*time.Millisecond, ack2))
	}
	return ps
}

// h12options is a keep-alive OPTIONS from the UE and its 200, at t: it
// moves the capture's clock on.
func h12options(at time.Duration, branch string) []pkt {
	o := req("OPTIONS", "sip:"+realm, "ka-"+branch, 1, branch)
	return []pkt{up(at, o), down(at+10*time.Millisecond, resp(200, "OK", o))}
}

// h12crack is Config.Crack running the real wordlist audit over words.
func h12crack(words ...string) func([]crack.Target) []crack.Result {
	return func(ts []crack.Target) []crack.Result {
		rs, _, err := crack.Run(context.Background(), ts, strings.NewReader(strings.Join(words, "\n")+"\n"), crack.Options{})
		if err != nil {
			panic(err)
		}
		return rs
	}
}

// h12frames checks the frames of a finding.
func h12frames(t *testing.T, f *finding.Finding, want ...int) {
	t.Helper()
	if !slices.Equal(f.Frames, want) {
		t.Errorf("%s frames %v, want %v", f.Rule, f.Frames, want)
	}
}

// h12check checks a finding's severity, username and count.
func h12check(t *testing.T, f *finding.Finding, sev finding.Severity, user string, count int) {
	t.Helper()
	if f.Severity != sev || f.Username != user || f.Count != count {
		t.Errorf("%s: severity %v user %q count %d, want %v %q %d", f.Rule, f.Severity, f.Username, f.Count, sev, user, count)
	}
}

// h12move puts the UE of a scenario at another address (packets and
// Via/Contact).
func h12move(pkts []pkt, to string) []pkt {
	out := slices.Clone(pkts)
	for i, p := range out {
		if p.src == ueAddr {
			out[i].src = to
		}
		if p.dst == ueAddr {
			out[i].dst = to
		}
		out[i].text = strings.ReplaceAll(p.text, ueAddr, to)
	}
	return out
}
