package analyzer

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/digest"
)

// FuzzAnalyzer feeds hostile message sequences (the input split at
// "\x00", one message each, alternating directions) through a whole
// Analyzer with credentials: nothing may panic, and every exchange that
// was opened must be handed out, in ID order, by Close.
func FuzzAnalyzer(f *testing.F) {
	auth := "Proxy-Authorization: Digest username=\"alice\", realm=\"example.com\", nonce=\"n\", uri=\"sip:bob@example.com\", response=\"00112233445566778899aabbccddeeff\", qop=auth, nc=00000001, cnonce=\"c\"\r\n"
	f.Add([]byte(req("INVITE", "1", 1, "", auth) + "\x00" + resp(407, "INVITE", "1", 1, "x", "Proxy-Authenticate: Digest realm=\"example.com\", nonce=\"n\", qop=\"auth\"\r\n") +
		"\x00" + req("INVITE", "2", 2, "", auth) + "\x00" + resp(200, "INVITE", "2", 2, "b") + "\x00" + req("ACK", "3", 2, "b", auth)))
	f.Add([]byte(register("1", 1, "Contact: *\r\n") + "\x00" + registerResp(200, "1", 1, "Contact: <sip:a@h>;expires=0\r\n")))
	f.Add([]byte(regNotify("7", `<reginfo><registration aor="sip:a@b" state="terminated"><contact state="terminated" event="rejected"><uri>sip:x</uri></contact></registration></reginfo>`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		v := digest.NewVerifier(digest.Config{})
		v.AddSecret("alice", "", digest.Secret{Password: []byte("pw")})
		var ids []string
		a := New(Config{Verifier: v, OnExchange: func(e *Exchange) { ids = append(ids, e.ID) }, OnDialog: func(*Dialog) {}, OnRegistration: func(*Registration) {}})
		ua, srv := netip.MustParseAddrPort("192.0.2.1:5060"), netip.MustParseAddrPort("192.0.2.2:5060")
		at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		for i, raw := range bytes.Split(data, []byte{0}) {
			src, dst := ua, srv
			if i%2 == 1 {
				src, dst = srv, ua
			}
			a.Add(&capture.Message{Frames: []int{i + 1}, Time: at.Add(time.Duration(i) * 20 * time.Second), Src: src, Dst: dst, Transport: capture.UDP, Raw: raw})
		}
		a.Close()
		if len(ids) != a.Stats().AuthExchanges {
			t.Fatalf("%d exchanges handed out, %d opened", len(ids), a.Stats().AuthExchanges)
		}
		for i, id := range ids {
			if id != "e"+itoa(i+1) {
				t.Fatalf("exchange %d handed out as %s", i+1, id)
			}
		}
	})
}
