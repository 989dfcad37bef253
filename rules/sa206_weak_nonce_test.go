package rules

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/finding"
)

func TestSA206(t *testing.T) {
	// regs are n registrations, one a minute, with the nonces nonce(i).
	regs := func(n int, nonce func(i int) string) []pkt {
		var ps []pkt
		for i := range n {
			ps = append(ps, register{t0: time.Duration(i) * time.Minute, n: i, nonce: nonce(i)}.pkts()...)
		}
		return ps
	}
	// A server that counts: a fixed 128-bit prefix and a counter.
	counter := func(i int) string { return fmt.Sprintf("9b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e%04x", 0x1a2+i) }
	random := []string{
		"3f8a1c9e7b2d4f6a8c0e1b3d5f7a9c2e", "c71d0e5a9f3b8e2d6a4c1f7b0e9d3a5c",
		"a2e94b7f1c6d3e8a0b5f2c9d7e4a1b6f", "58f3c0a7d2e9b1f6c4a8e3d0b7f2c5a9",
	}
	ruleTest(t, "SA206", []ruleCase{
		{name: "a 10-digit decimal nonce", creds: alice, fire: 1,
			pkts: register{nonce: "1732356000"}.pkts(),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 2)
				h12check(t, fs[0], finding.Medium, "", 1)
				if fs[0].Key != "server "+srvAddr+" realm "+realm+" short" || !strings.Contains(fs[0].Message, "at most 33 bits") {
					t.Errorf("finding %+v", fs[0])
				}
			}},
		{name: "a 16-character base64 nonce (96 bits)", fire: 1,
			pkts: register{nonce: "q3Zr7Yb1XkP9mW2s"}.pkts()},
		{name: "four nonces that follow a counter", creds: alice, fire: 1,
			pkts: regs(4, counter),
			check: func(t *testing.T, fs []*finding.Finding) {
				h12frames(t, fs[0], 10, 14)
				h12check(t, fs[0], finding.Medium, "", 1)
				if !strings.HasSuffix(fs[0].Key, " predictable") {
					t.Errorf("key %q", fs[0].Key)
				}
			}},
		{name: "random 128-bit nonces", creds: alice,
			pkts: regs(4, func(i int) string { return random[i] })},
		{name: "only three nonces that follow a counter (two short steps)", creds: alice,
			pkts: regs(3, counter)},
		{name: "a UUID nonce (128 bits with dashes)", creds: alice,
			pkts: register{nonce: "f47ac10b-58cc-4372-a567-0e02b2c3d479"}.pkts()},
	})
}
