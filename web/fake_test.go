package web

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sipaudit/sipaudit/finding"
)

// fakeSource is an in-memory Source: one small realistic run (and an
// empty incomplete one), or a hostile one.
type fakeSource struct {
	runs      []Run
	overview  map[int64]*Overview
	findings  []finding.Finding
	exchanges []Exchange
	dialogs   []Dialog
	messages  map[string][]Message
	regs      []Registration
	exportErr error
}

var _ Source = (*fakeSource)(nil)

func (s *fakeSource) hasRun(run int64) bool {
	return slices.ContainsFunc(s.runs, func(r Run) bool { return r.ID == run })
}

func (s *fakeSource) Runs(context.Context) ([]Run, error) { return slices.Clone(s.runs), nil }

func (s *fakeSource) Overview(_ context.Context, run int64) (*Overview, error) {
	ov, ok := s.overview[run]
	if !ok {
		return nil, ErrNotFound
	}
	c := *ov
	return &c, nil
}

func (s *fakeSource) runData(run int64) bool { return run == 1 && s.hasRun(1) }

func (s *fakeSource) Findings(_ context.Context, run int64, f FindingFilter) ([]finding.Finding, int, error) {
	if !s.hasRun(run) {
		return nil, 0, ErrNotFound
	}
	if !s.runData(run) {
		return nil, 0, nil
	}
	var min finding.Severity
	if f.Severity != "" {
		v, err := finding.ParseSeverity(f.Severity)
		if err != nil {
			return nil, 0, err
		}
		min = v
	}
	var out []finding.Finding
	for _, x := range s.findings {
		switch {
		case x.Severity < min,
			f.Rule != "" && x.Rule != f.Rule,
			f.User != "" && x.Username != f.User,
			f.CallID != "" && x.CallID != f.CallID,
			f.Source != "" && !strings.HasPrefix(x.Client, f.Source) && !strings.HasPrefix(x.Server, f.Source):
			continue
		}
		out = append(out, x)
	}
	return pageOf(out, f.Limit, f.Offset), len(out), nil
}

func pageOf[T any](all []T, limit, offset int) []T {
	if limit <= 0 {
		limit = 100
	}
	if offset > len(all) {
		offset = len(all)
	}
	return slices.Clone(all[offset:min(offset+limit, len(all))])
}

func (s *fakeSource) Exchanges(_ context.Context, run int64, user string, limit, offset int) ([]Exchange, int, error) {
	if !s.hasRun(run) {
		return nil, 0, ErrNotFound
	}
	if !s.runData(run) {
		return nil, 0, nil
	}
	var out []Exchange
	for _, x := range s.exchanges {
		if user == "" || x.Username == user {
			out = append(out, x)
		}
	}
	return pageOf(out, limit, offset), len(out), nil
}

func (s *fakeSource) Exchange(_ context.Context, run int64, id string) (*Exchange, error) {
	if !s.runData(run) {
		return nil, ErrNotFound
	}
	for _, x := range s.exchanges {
		if x.ID == id {
			for _, f := range s.findings {
				if f.Exchange == id {
					x.Findings = append(x.Findings, f)
				}
			}
			return &x, nil
		}
	}
	return nil, ErrNotFound
}

func (s *fakeSource) Dialogs(_ context.Context, run int64, limit, offset int) ([]Dialog, int, error) {
	if !s.hasRun(run) {
		return nil, 0, ErrNotFound
	}
	if !s.runData(run) {
		return nil, 0, nil
	}
	return pageOf(s.dialogs, limit, offset), len(s.dialogs), nil
}

func (s *fakeSource) Dialog(_ context.Context, run int64, id string) (*Dialog, []Message, error) {
	if !s.runData(run) {
		return nil, nil, ErrNotFound
	}
	for _, d := range s.dialogs {
		if d.ID == id {
			return &d, s.messages[id], nil
		}
	}
	return nil, nil, ErrNotFound
}

func (s *fakeSource) Registrations(_ context.Context, run int64) ([]Registration, error) {
	if !s.hasRun(run) {
		return nil, ErrNotFound
	}
	if !s.runData(run) {
		return nil, nil
	}
	return slices.Clone(s.regs), nil
}

func (s *fakeSource) Search(_ context.Context, run int64, q string) (*SearchResult, error) {
	if !s.hasRun(run) {
		return nil, ErrNotFound
	}
	res := &SearchResult{Query: q}
	if !s.runData(run) {
		return res, nil
	}
	frame, _ := strconv.Atoi(q)
	hasFrame := func(fr []int) bool { return frame > 0 && slices.Contains(fr, frame) }
	for _, d := range s.dialogs {
		if d.CallID == q || strings.Contains(d.From, q) || strings.Contains(d.To, q) || (frame >= d.FirstFrame && frame <= d.LastFrame) {
			res.Dialogs = append(res.Dialogs, d)
		}
	}
	for _, x := range s.exchanges {
		if x.CallID == q || x.Username == q || strings.HasPrefix(x.Client, q) || strings.HasPrefix(x.Server, q) || hasFrame(x.Frames) {
			res.Exchanges = append(res.Exchanges, x)
		}
	}
	for _, f := range s.findings {
		if f.CallID == q || f.Username == q || strings.HasPrefix(f.Client, q) || hasFrame(f.Frames) {
			res.Findings = append(res.Findings, f)
		}
	}
	for _, r := range s.regs {
		if strings.Contains(r.AOR, q) {
			res.Registrations = append(res.Registrations, r)
		}
	}
	return res, nil
}

func (s *fakeSource) Export(_ context.Context, run int64, format string, w io.Writer) error {
	if !s.hasRun(run) {
		return ErrNotFound
	}
	if s.exportErr != nil {
		return s.exportErr
	}
	switch format {
	case "json":
		_, err := fmt.Fprintf(w, `{"run":%d,"findings":[]}`, run)
		return err
	case "sarif":
		_, err := fmt.Fprintf(w, `{"version":"2.1.0","runs":[]}`)
		return err
	case "csv":
		_, err := fmt.Fprintf(w, "rule,severity\nSA101,critical\n")
		return err
	}
	return fmt.Errorf("format %q", format)
}

func (s *fakeSource) DialogPcap(_ context.Context, run int64, id string, w io.Writer) error {
	if !s.runData(run) {
		return ErrNotFound
	}
	for _, d := range s.dialogs {
		if d.ID == id {
			_, err := w.Write([]byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0})
			return err
		}
	}
	return ErrNotFound
}

var t0 = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

func crlf(lines ...string) []byte {
	return []byte(strings.Join(lines, "\r\n") + "\r\n\r\n")
}

const (
	ue    = "10.0.0.10:5060"
	pcscf = "10.0.0.1:5060"
	ue2   = "10.0.0.20:5060"
	call1 = "a84b4c76e66710@10.0.0.10"
	reg1  = "reg-77ab@10.0.0.20"
)

// newFake is a small realistic run: alice registers (an exchange with
// the reference's work), bob calls alice through a proxy that
// challenges the INVITE with 407.
func newFake() *fakeSource {
	invite := crlf("INVITE sip:alice@ims.example.com SIP/2.0",
		"Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK776asdhds",
		"From: Bob <sip:bob@ims.example.com>;tag=1928301774",
		"To: Alice <sip:alice@ims.example.com>",
		"Call-ID: "+call1, "CSeq: 1 INVITE", "Content-Length: 0")
	proxyAuth := crlf("INVITE sip:alice@ims.example.com SIP/2.0",
		"Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK776asdhdt",
		"From: Bob <sip:bob@ims.example.com>;tag=1928301774",
		"To: Alice <sip:alice@ims.example.com>",
		"Call-ID: "+call1, "CSeq: 2 INVITE",
		`Proxy-Authorization: Digest username="bob", realm="ims.example.com", nonce="8a7d3f", uri="sip:alice@ims.example.com", response="0123456789abcdef0123456789abcdef", algorithm=MD5, qop=auth, nc=00000001, cnonce="0a4f113b"`,
		"Content-Length: 0")
	msgs := []Message{
		{Frames: []int{5}, Time: at(0), Src: ue, Dst: pcscf, Transport: "UDP", Request: true, Method: "INVITE", StartLine: "INVITE sip:alice@ims.example.com SIP/2.0", Raw: invite},
		{Frames: []int{6}, Time: at(12), Src: pcscf, Dst: ue, Transport: "UDP", Method: "INVITE", Status: 407, StartLine: "SIP/2.0 407 Proxy Authentication Required", Auth: true, ExchangeID: "x2",
			Raw: crlf("SIP/2.0 407 Proxy Authentication Required", "Call-ID: "+call1, "CSeq: 1 INVITE", `Proxy-Authenticate: Digest realm="ims.example.com", nonce="8a7d3f", algorithm=MD5, qop="auth"`)},
		{Frames: []int{7}, Time: at(20), Src: ue, Dst: pcscf, Transport: "UDP", Request: true, Method: "ACK", StartLine: "ACK sip:alice@ims.example.com SIP/2.0", Raw: crlf("ACK sip:alice@ims.example.com SIP/2.0", "Call-ID: "+call1, "CSeq: 1 ACK")},
		{Frames: []int{8}, Time: at(30), Src: ue, Dst: pcscf, Transport: "UDP", Request: true, Method: "INVITE", StartLine: "INVITE sip:alice@ims.example.com SIP/2.0", Auth: true, ExchangeID: "x2", Raw: proxyAuth},
		{Frames: []int{9}, Time: at(530), Src: ue, Dst: pcscf, Transport: "UDP", Request: true, Method: "INVITE", StartLine: "INVITE sip:alice@ims.example.com SIP/2.0", Auth: true, ExchangeID: "x2", Raw: proxyAuth},
		{Frames: []int{10}, Time: at(540), Src: pcscf, Dst: ue2, Transport: "UDP", Request: true, Method: "INVITE", StartLine: "INVITE sip:alice@10.0.0.20:5060 SIP/2.0", Raw: crlf("INVITE sip:alice@10.0.0.20:5060 SIP/2.0", "Call-ID: "+call1, "CSeq: 2 INVITE")},
		{Frames: []int{11}, Time: at(900), Src: ue2, Dst: pcscf, Transport: "UDP", Method: "INVITE", Status: 200, StartLine: "SIP/2.0 200 OK", Raw: crlf("SIP/2.0 200 OK", "Call-ID: "+call1, "CSeq: 2 INVITE")},
		{Frames: []int{12}, Time: at(905), Src: pcscf, Dst: ue, Transport: "UDP", Method: "INVITE", Status: 200, StartLine: "SIP/2.0 200 OK", Raw: crlf("SIP/2.0 200 OK", "Call-ID: "+call1, "CSeq: 2 INVITE")},
		{Frames: []int{13}, Time: at(950), Src: ue, Dst: pcscf, Transport: "UDP", Request: true, Method: "ACK", StartLine: "ACK sip:alice@10.0.0.20:5060 SIP/2.0", Raw: crlf("ACK sip:alice@10.0.0.20:5060 SIP/2.0", "Call-ID: "+call1, "CSeq: 2 ACK")},
		{Frames: []int{30}, Time: at(15000), Src: ue, Dst: pcscf, Transport: "UDP", Request: true, Method: "BYE", StartLine: "BYE sip:alice@10.0.0.20:5060 SIP/2.0", Raw: crlf("BYE sip:alice@10.0.0.20:5060 SIP/2.0", "Call-ID: "+call1, "CSeq: 3 BYE")},
		{Frames: []int{31}, Time: at(15020), Src: pcscf, Dst: ue, Transport: "UDP", Method: "BYE", Status: 200, StartLine: "SIP/2.0 200 OK", Raw: crlf("SIP/2.0 200 OK", "Call-ID: "+call1, "CSeq: 3 BYE")},
	}
	s := &fakeSource{
		runs: []Run{
			{ID: 2, Started: at(3600000), Complete: false, Version: "0.9.0", Inputs: []Input{{Path: "live:eth0", Format: "live"}}},
			{ID: 1, Started: at(-5000), Finished: at(-1000), Complete: true, Version: "0.9.0", Args: []string{"analyze", "capture.pcap"},
				Inputs:  []Input{{Path: "capture.pcap", Format: "pcap", LinkType: "Ethernet", Packets: 31, Bytes: 18230}},
				Packets: 31, SIPMessages: 15, Exchanges: 2, Dialogs: 1, Registrations: 1, Findings: 5},
		},
		messages: map[string][]Message{"d1": msgs},
	}
	s.overview = map[int64]*Overview{
		1: {Run: s.runs[1], FindingsBySeverity: map[string]int{"critical": 1, "high": 1, "medium": 1, "low": 1, "info": 1},
			FindingsByRule: []RuleCount{{"SA101", "invalid-response-accepted", finding.Critical, 1}, {"SA207", "qop-missing", finding.High, 1},
				{"SA302", "md5-only", finding.Medium, 1}, {"SA305", "cleartext-credentials", finding.Low, 1}, {"SA508", "impi-derived", finding.Info, 1}},
			Auth:     []AuthBucket{{Start: at(-2000), Accepted: 1}, {Start: at(0), Accepted: 1, Invalid: 1}, {Start: at(2000), Refused: 0}},
			Requests: map[string]int{"INVITE": 4, "ACK": 2, "BYE": 1, "REGISTER": 2}, Responses: map[string]int{"200": 4, "401": 1, "407": 1}},
		2: {Run: s.runs[0], FindingsBySeverity: map[string]int{}},
	}
	s.exchanges = []Exchange{
		{ID: "x1", Input: "capture.pcap", Frame: 3, Time: at(-2000), CallID: reg1, Method: "REGISTER", Transport: "UDP", Client: ue2, Server: pcscf,
			Header: "Authorization", Scheme: "Digest", Username: "alice@ims.example.com", Realm: "ims.example.com", Algorithm: "SHA-256", QOP: "auth",
			Nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", NC: "00000001", CNonce: "f2/wE4q74E6zIJEtWaHKaf", URI: "sip:ims.example.com",
			RequestURI: "sip:ims.example.com", From: "<sip:alice@ims.example.com>;tag=abc", To: "<sip:alice@ims.example.com>", UserAgent: "Phone/1.0",
			Reference: "valid", ServerVerdict: "accepted", Status: 200, NonceState: "fresh", RspAuth: "valid",
			Frames: []int{3}, ChallengeFrames: []int{2}, ResponseFrames: []int{4},
			Work: &Work{Algorithm: "SHA-256", A1: "alice@ims.example.com:ims.example.com:<password>", HA1: "<H(A1) withheld>",
				A2: "REGISTER:sip:ims.example.com", HA2: "9a3bd7d9fa5f1cf5d4fa9e8b3c0e5d6f1d2c3b4a5968778695a4b3c2d1e0f9a8",
				Data:     "<H(A1) withheld>:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000001:f2/wE4q74E6zIJEtWaHKaf:auth:9a3bd7d9fa5f1cf5d4fa9e8b3c0e5d6f1d2c3b4a5968778695a4b3c2d1e0f9a8",
				Expected: "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", Received: "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"}},
		{ID: "x2", Input: "capture.pcap", Frame: 8, Time: at(30), CallID: call1, Method: "INVITE", Transport: "UDP", Client: ue, Server: pcscf,
			Header: "Proxy-Authorization", Scheme: "Digest", Username: "bob", Realm: "ims.example.com", Algorithm: "MD5", QOP: "auth",
			Nonce: "8a7d3f", NC: "00000001", CNonce: "0a4f113b", URI: "sip:alice@ims.example.com", RequestURI: "sip:alice@ims.example.com",
			From: "Bob <sip:bob@ims.example.com>;tag=1928301774", To: "Alice <sip:alice@ims.example.com>",
			Reference: "invalid", ServerVerdict: "accepted", Status: 200, Cause: "wrong-response", Reason: "the response does not match the password",
			Frames: []int{8, 9}, ChallengeFrames: []int{6}, ResponseFrames: []int{12}, DialogID: "d1",
			Work: &Work{Algorithm: "MD5", A1: "bob:ims.example.com:<password>", HA1: "<H(A1) withheld>", A2: "INVITE:sip:alice@ims.example.com",
				HA2: "39aff3a2bab6126f332b942af96d3366", Data: "<H(A1) withheld>:8a7d3f:00000001:0a4f113b:auth:39aff3a2bab6126f332b942af96d3366",
				Expected: "6629fae49393a05397450978507c4ef1", Received: "0123456789abcdef0123456789abcdef"}},
	}
	f := func(rule, name string, sev finding.Severity, msg, clause, ex, callID, user string, frames []int, ms int) finding.Finding {
		return finding.Finding{Rule: rule, Name: name, Severity: sev, Message: msg, Clause: clause, CallID: callID, Exchange: ex,
			Frames: frames, Time: at(ms), Input: "capture.pcap", Client: ue, Server: pcscf, Transport: "UDP", Username: user,
			Key: user, Fingerprint: finding.Fingerprint(rule, user), Count: 1, LastTime: at(ms)}
	}
	s.findings = []finding.Finding{
		f("SA508", "impi-derived", finding.Info, "REGISTER without Authorization: IMPI derived from IMPU", "TS 33.203 N.2.1.1 note 2a", "", reg1, "alice@ims.example.com", []int{1}, -3000),
		f("SA302", "md5-only", finding.Medium, "the challenge offers MD5 and no SHA-256", "TS 33.203 N.2.1.1", "x2", call1, "bob", []int{6}, 12),
		f("SA101", "invalid-response-accepted", finding.Critical, "the server accepted a wrong digest response from bob", "RFC 7616 3.4; TS 33.203 N.2.1.1", "x2", call1, "bob", []int{8, 12}, 30),
		f("SA207", "qop-missing", finding.High, "a challenge carries no qop", "TS 33.203 N.2.1.1 (qop shall be \"auth\")", "", reg1, "alice@ims.example.com", []int{2}, -2500),
		f("SA305", "cleartext-credentials", finding.Low, "digest credentials over UDP", "TS 33.203 N.2.1.2 note 1", "x1", reg1, "alice@ims.example.com", []int{3}, -2000),
	}
	s.dialogs = []Dialog{{ID: "d1", Input: "capture.pcap", CallID: call1, Method: "INVITE", State: "completed", From: "Bob <sip:bob@ims.example.com>",
		To: "Alice <sip:alice@ims.example.com>", Caller: ue, Callee: ue2, Start: at(0), End: at(15020), FirstFrame: 5, LastFrame: 31, Messages: len(msgs), Status: 200, Authenticated: true}}
	s.regs = []Registration{{AOR: "sip:alice@ims.example.com", State: "active", Implicit: []string{"tel:+15551234"},
		Bindings: []Binding{
			{Contact: "<sip:alice@10.0.0.20:5060>", Expires: 600, Since: at(-2000), Until: at(1000), Source: ue2, CallID: reg1},
			{Contact: "<sip:alice@10.0.0.21:5060>", Expires: 3600, Since: at(1000), Source: "10.0.0.21:5060", CallID: reg1},
		},
		Events: []RegEvent{
			{Time: at(-3000), Frame: 1, Event: "challenged", Contact: "<sip:alice@10.0.0.20:5060>", Origin: ue2, Status: 401},
			{Time: at(-2000), Frame: 4, Event: "registered", Contact: "<sip:alice@10.0.0.20:5060>", Origin: ue2, Status: 200},
			{Time: at(1000), Frame: 14, Event: "deregistered", Contact: "<sip:alice@10.0.0.20:5060>", Origin: ue2, Status: 200},
		}}}
	return s
}
