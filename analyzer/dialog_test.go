package analyzer

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/capture"
)

// feed runs SIP messages (one string each, "\n" line ends) through an
// Analyzer, one second apart, and returns the dialogs and exchanges.
func feed(t testing.TB, cfg Config, msgs ...string) ([]*Dialog, []*Exchange, *Analyzer) {
	t.Helper()
	var ds []*Dialog
	var exs []*Exchange
	cfg.OnDialog = func(d *Dialog) { ds = append(ds, d) }
	cfg.OnExchange = func(e *Exchange) { exs = append(exs, e) }
	a := New(cfg)
	a.SetInput("test")
	ua, srv := netip.MustParseAddrPort("192.0.2.1:5060"), netip.MustParseAddrPort("192.0.2.2:5060")
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for i, s := range msgs {
		raw := strings.ReplaceAll(s, "\n", "\r\n")
		src, dst := ua, srv
		if strings.HasPrefix(s, "SIP/2.0") {
			src, dst = srv, ua
		}
		a.Add(&capture.Message{Frames: []int{i + 1}, Time: at.Add(time.Duration(i) * time.Second), Src: src, Dst: dst, Transport: capture.UDP, Raw: []byte(raw)})
	}
	a.Close()
	return ds, exs, a
}

func req(method, branch string, cseq int, toTag string, extra ...string) string {
	to := "<sip:bob@example.com>"
	if toTag != "" {
		to += ";tag=" + toTag
	}
	return fmt.Sprintf("%s sip:bob@example.com SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK%s\nFrom: <sip:alice@example.com>;tag=a1\nTo: %s\nCall-ID: c1\nCSeq: %d %s\n%sContent-Length: 0\n\n",
		method, branch, to, cseq, method, strings.Join(extra, ""))
}

func resp(status int, method, branch string, cseq int, toTag string, extra ...string) string {
	to := "<sip:bob@example.com>"
	if toTag != "" {
		to += ";tag=" + toTag
	}
	return fmt.Sprintf("SIP/2.0 %d X\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK%s\nFrom: <sip:alice@example.com>;tag=a1\nTo: %s\nCall-ID: c1\nCSeq: %d %s\n%sContent-Length: 0\n\n",
		status, branch, to, cseq, method, strings.Join(extra, ""))
}

func TestDialogStates(t *testing.T) {
	tests := []struct {
		name   string
		msgs   []string
		state  DialogState
		status int
	}{
		{"answered and hung up", []string{
			req("INVITE", "1", 1, ""), resp(100, "INVITE", "1", 1, ""), resp(180, "INVITE", "1", 1, "b1"),
			resp(200, "INVITE", "1", 1, "b1"), req("ACK", "2", 1, "b1"), req("BYE", "3", 2, "b1"), resp(200, "BYE", "3", 2, "b1"),
		}, Completed, 200},
		{"ringing", []string{req("INVITE", "1", 1, ""), resp(180, "INVITE", "1", 1, "b1")}, Ringing, 0},
		{"setup", []string{req("INVITE", "1", 1, "")}, CallSetup, 0},
		{"in call", []string{req("INVITE", "1", 1, ""), resp(200, "INVITE", "1", 1, "b1"), req("ACK", "2", 1, "b1")}, InCall, 200},
		{"challenged then busy", []string{
			req("INVITE", "1", 1, ""), resp(407, "INVITE", "1", 1, "x"), req("ACK", "1", 1, "x"),
			req("INVITE", "2", 2, ""), resp(486, "INVITE", "2", 2, "b1"),
		}, Busy, 486},
		{"cancelled", []string{
			req("INVITE", "1", 1, ""), resp(180, "INVITE", "1", 1, "b1"), req("CANCEL", "1", 1, ""),
			resp(200, "CANCEL", "1", 1, "b1"), resp(487, "INVITE", "1", 1, "b1"),
		}, Cancelled, 0},
		{"diverted", []string{req("INVITE", "1", 1, ""), resp(302, "INVITE", "1", 1, "b1")}, Diverted, 302},
		{"rejected", []string{req("INVITE", "1", 1, ""), resp(403, "INVITE", "1", 1, "b1")}, Rejected, 403},
		{"re-INVITE does not move the call", []string{
			req("INVITE", "1", 1, ""), resp(200, "INVITE", "1", 1, "b1"), req("INVITE", "5", 2, "b1"), resp(488, "INVITE", "5", 2, "b1"),
		}, InCall, 200},
		{"subscription", []string{
			req("SUBSCRIBE", "1", 1, "", "Event: reg\nExpires: 600\n"), resp(200, "SUBSCRIBE", "1", 1, "b1"),
		}, Active, 200},
		{"subscription terminated", []string{
			req("SUBSCRIBE", "1", 1, "", "Event: reg\n"), resp(202, "SUBSCRIBE", "1", 1, "b1"),
			// the notifier's NOTIFY: From is bob with tag b1, To alice with tag a1
			"NOTIFY sip:alice@192.0.2.1 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bKn1\nFrom: <sip:bob@example.com>;tag=b1\nTo: <sip:alice@example.com>;tag=a1\nCall-ID: c1\nCSeq: 1 NOTIFY\nSubscription-State: terminated;reason=timeout\nContent-Length: 0\n\n",
		}, Terminated, 202},
		{"subscription refused", []string{req("SUBSCRIBE", "1", 1, ""), resp(489, "SUBSCRIBE", "1", 1, "b1")}, Rejected, 489},
	}
	for _, tt := range tests {
		ds, _, a := feed(t, Config{}, tt.msgs...)
		if len(ds) != 1 || a.Stats().Dialogs != 1 {
			t.Errorf("%s: %d dialogs (stats %d)", tt.name, len(ds), a.Stats().Dialogs)
			continue
		}
		if d := ds[0]; d.State != tt.state || d.Status != tt.status || d.Messages != len(tt.msgs) {
			t.Errorf("%s: %s %d (%d messages), want %s %d", tt.name, d.State, d.Status, d.Messages, tt.state, tt.status)
		}
	}
	// REGISTER and OPTIONS form no dialog.
	if ds, _, _ := feed(t, Config{}, req("REGISTER", "1", 1, ""), resp(200, "REGISTER", "1", 1, "b"), req("OPTIONS", "2", 2, "")); len(ds) != 0 {
		t.Errorf("%d dialogs from REGISTER and OPTIONS", len(ds))
	}
}

func TestTransactions(t *testing.T) {
	auth := "Proxy-Authorization: Digest username=\"alice\", realm=\"example.com\", nonce=\"n\", uri=\"sip:bob@example.com\", response=\"00112233445566778899aabbccddeeff\", qop=auth, nc=00000001, cnonce=\"c\"\n"
	_, exs, a := feed(t, Config{},
		req("INVITE", "1", 1, "", auth), req("INVITE", "1", 1, "", auth), // a retransmission
		resp(100, "INVITE", "1", 1, ""), resp(200, "INVITE", "1", 1, "b"), resp(200, "INVITE", "1", 1, "b"),
		req("ACK", "2", 1, "b", auth),
		// An RFC 2543 peer: no magic cookie in the branch.
		strings.Replace(req("OPTIONS", "x", 2, "", auth), "branch=z9hG4bKx", "branch=old", 1),
		strings.Replace(req("OPTIONS", "x", 2, "", auth), "branch=z9hG4bKx", "branch=old", 1),
	)
	if a.Stats().Transactions != 3 || len(exs) != 2 {
		t.Fatalf("%d transactions, %d exchanges", a.Stats().Transactions, len(exs))
	}
	byMethod := map[string]*Exchange{}
	for _, e := range exs {
		byMethod[e.Method] = e
	}
	if e := byMethod["INVITE"]; e.Retransmissions != 1 || e.Status != 200 || e.ServerVerdict != "accepted" || e.Frame != 1 ||
		e.AckCredentials != "same" || len(e.AckFrames) != 1 || e.AckFrames[0] != 6 {
		t.Errorf("INVITE: %+v", e)
	}
	if e := byMethod["ACK"]; e != nil {
		t.Errorf("the ACK is an exchange of its own: %+v", e)
	}
	if e := byMethod["OPTIONS"]; e.Retransmissions != 1 || e.ServerVerdict != "no-response" {
		t.Errorf("OPTIONS: %+v", e)
	}
}

func TestAckCredentials(t *testing.T) {
	auth := "Proxy-Authorization: Digest username=\"alice\", realm=\"example.com\", nonce=\"n\", uri=\"sip:bob@example.com\", response=\"00112233445566778899aabbccddeeff\", qop=auth, nc=00000001, cnonce=\"c\"\n"
	other := strings.Replace(auth, "nc=00000001", "nc=00000002", 1)
	for _, tt := range []struct {
		ack, want string
	}{
		{req("ACK", "2", 1, "b", auth), "same"},
		{req("ACK", "2", 1, "b", strings.ReplaceAll(auth, ", ", ",\n  ")), "same"}, // folded the same
		{req("ACK", "2", 1, "b", other), "different"},
		{req("ACK", "2", 1, "b"), "missing"},
		{req("ACK", "2", 9, "b", auth), ""}, // acknowledges another INVITE: none seen
	} {
		_, exs, _ := feed(t, Config{}, req("INVITE", "1", 1, "", auth), resp(200, "INVITE", "1", 1, "b"), tt.ack)
		if len(exs) != 1 || exs[0].AckCredentials != tt.want {
			t.Errorf("%q: %d exchanges, ack %q, want %q", tt.ack, len(exs), exs[0].AckCredentials, tt.want)
		}
	}
}
