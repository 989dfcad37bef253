package rules

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/digest"
)

// FuzzRules runs hostile message sequences (NUL-separated, alternating
// direction, 20 s apart so that windows close) through the analyzer
// with every rule: nothing panics, every finding carries its evidence,
// and no rule keeps a view of a message it was handed (each message is
// overwritten after Add).
func FuzzRules(f *testing.F) {
	for _, ps := range [][]pkt{
		register{}.pkts(),
		register{auth: answer{pw: "x", nonce: "n", method: "REGISTER", uri: "sip:" + realm}.String(), status: 403}.pkts(),
		flows(register{}.pkts(), register{t0: 1e9, n: 1, challenge: chal("n2", "algorithm=MD5", `ck="00", ik="11"`)}.pkts()),
	} {
		var parts [][]byte
		for _, p := range ps {
			parts = append(parts, []byte(p.text))
		}
		f.Add(bytes.Join(parts, []byte{0}))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		eng := analyzer.NewEngine(0, All(Config{})...)
		an := analyzer.New(analyzer.Config{Verifier: analyzer.NewVerifier(alice, digest.Config{}), Rules: eng,
			OnDialog: func(*analyzer.Dialog) {}, OnRegistration: func(*analyzer.Registration) {}})
		ua, srv := netip.MustParseAddrPort(ueAddr), netip.MustParseAddrPort(srvAddr)
		for i, raw := range bytes.Split(data, []byte{0}) {
			src, dst := ua, srv
			if i%2 == 1 {
				src, dst = srv, ua
			}
			msg := bytes.Clone(raw)
			an.Add(&capture.Message{Frames: []int{i + 1}, Time: base.Add(time.Duration(i) * 20 * time.Second), Src: src, Dst: dst, Transport: capture.UDP, Raw: msg})
			for j := range msg {
				msg[j] = 0xa5
			}
		}
		an.Close()
		for _, fd := range eng.Findings() {
			if fd.Rule == "" || fd.Key == "" || fd.Fingerprint == "" || fd.Count < 1 || len(fd.Frames) == 0 {
				t.Fatalf("finding without evidence: %+v", fd)
			}
			if strings.Contains(fd.Message+fd.Key+fd.CallID+fd.Username, "\xa5") {
				t.Fatalf("%s keeps a view of an overwritten message: %q", fd.Rule, fd.Message)
			}
		}
	})
}
