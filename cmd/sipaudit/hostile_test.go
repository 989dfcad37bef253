package main

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/sipaudit/sipaudit/internal/pcapgen"
)

// hostilePcap is a capture whose SIP is written to attack whoever shows
// it: script tags, event handlers, javascript: URIs, SVG and CDATA
// breakers, terminal escapes, invalid UTF-8 and NUL bytes, in every
// field a report shows (display names, URIs, User-Agent, Call-ID, the
// digest username and realm, nonces), and a 60 KB header. It is written
// by go test ./cmd/sipaudit -run TestHostileCapture -update.
const hostilePcap = "../../testdata/hostile.pcap"

var hostileStrings = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(2)>`,
	`javascript:alert(3)`,
	`</svg><script>alert(4)</script>`,
	`]]><!--`,
	"\x1b[31mred\x1b[0m\x07",
	"\xff\xfe\x00binary\x00",
	`{{.}}{{template "x"}}`,
	`=cmd|' /C calc'!A0`,
}

func hostileCapture() ([]byte, error) {
	c := pcapgen.NewCapture()
	ue, srv := netip.MustParseAddrPort("10.66.6.6:5060"), netip.MustParseAddrPort("203.0.113.66:5060")
	send := func(src, dst netip.AddrPort, text string) {
		if len(text) > 1400 {
			frags, err := pcapgen.FragmentUDP4(src, dst, []byte(text), uint16(len(c.Packets)+1), 1400)
			if err != nil {
				c.Fail(err)
				return
			}
			for _, f := range frags {
				c.AddIP(f, nil)
			}
			return
		}
		c.AddIP(pcapgen.BuildUDP(src, dst, []byte(text)))
	}
	msg := func(start string, h []string, body string) string {
		return start + "\r\n" + strings.Join(h, "\r\n") + "\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
	}
	for i, evil := range hostileStrings {
		n := strconv.Itoa(i)
		callID := evil + "@" + n
		user := "u" + n + evil
		q := strings.ReplaceAll(evil, `"`, `'`)
		common := []string{
			"Via: SIP/2.0/UDP 10.66.6.6:5060;branch=z9hG4bK" + n + "a",
			`From: "` + q + `" <sip:` + user + `@evil.example>;tag=t` + n,
			"To: <sip:" + user + "@evil.example>",
			"Call-ID: " + callID,
			"User-Agent: " + evil,
		}
		reg := msg("REGISTER sip:evil.example SIP/2.0", append(common, "CSeq: 1 REGISTER", "Contact: <"+evil+">"), "")
		send(ue, srv, reg)
		chal := msg("SIP/2.0 401 Unauthorized", append(common[:1:1], common[1], common[2]+";tag=s"+n, common[3], "CSeq: 1 REGISTER",
			`WWW-Authenticate: Digest realm="`+q+`", nonce="`+q+`", algorithm=MD5`), "")
		send(srv, ue, chal)
		auth := `Authorization: Digest username="` + q + `", realm="` + q + `", nonce="` + q + `", uri="` + q + `", response="0123456789abcdef0123456789abcdef"`
		reg2 := strings.Replace(strings.Replace(reg, "CSeq: 1 ", "CSeq: 2 ", 1), "z9hG4bK"+n+"a", "z9hG4bK"+n+"b", 1)
		reg2 = strings.Replace(reg2, "Content-Length:", auth+"\r\nContent-Length:", 1)
		send(ue, srv, reg2)
		ok := msg("SIP/2.0 200 "+q, []string{"Via: SIP/2.0/UDP 10.66.6.6:5060;branch=z9hG4bK" + n + "b", common[1], common[2] + ";tag=s" + n,
			common[3], "CSeq: 2 REGISTER", "Contact: <" + evil + ">;expires=600", "P-Associated-URI: <" + evil + ">"}, "")
		send(srv, ue, ok)
		// A call whose INVITE carries a huge header and a hostile body.
		h := []string{"Via: SIP/2.0/UDP 10.66.6.6:5060;branch=z9hG4bK" + n + "c", common[1], common[2], common[3], "CSeq: 3 INVITE",
			"User-Agent: " + evil, "Content-Type: application/sdp"}
		if i == 0 {
			h = append(h, "X-Huge: "+strings.Repeat(evil, 60000/len(evil)+1)[:60000])
		}
		inv := msg("INVITE sip:"+user+"@evil.example SIP/2.0", h, "v=0\r\ns="+evil+"\r\n")
		send(ue, srv, inv)
		send(srv, ue, msg("SIP/2.0 486 "+q, []string{"Via: SIP/2.0/UDP 10.66.6.6:5060;branch=z9hG4bK" + n + "c", common[1],
			common[2] + ";tag=s" + n, common[3], "CSeq: 3 INVITE"}, ""))
		c.Advance(1e9)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return c.Pcap(pcapgen.PcapOptions{})
}

// TestHostileCapture: the hostile capture is committed byte for byte, and
// analysing it works in every format: no crash, findings, and the text
// and CSV reports neutralise what a terminal or a spreadsheet would run.
func TestHostileCapture(t *testing.T) {
	data, err := hostileCapture()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(hostilePcap, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	committed, err := os.ReadFile(hostilePcap)
	if err != nil || !bytes.Equal(committed, data) {
		t.Fatalf("%s is not what hostileCapture makes (run with -update): %v", hostilePcap, err)
	}
	code, out, errs := runCmd(t, nil, "analyze", "--format", "json", hostilePcap)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rep struct {
		Stats struct {
			SIPMessages int `json:"sip_messages"`
		} `json:"stats"`
		Exchanges []any `json:"exchanges"`
		Findings  []any `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	// Some start lines are broken on purpose (a space in a Request-URI):
	// those are not SIP, as for tshark.
	if rep.Stats.SIPMessages < 5*len(hostileStrings) || len(rep.Exchanges) == 0 || len(rep.Findings) == 0 {
		t.Errorf("%d messages, %d exchanges, %d findings", rep.Stats.SIPMessages, len(rep.Exchanges), len(rep.Findings))
	}
	_, text, _ := runCmd(t, nil, "analyze", hostilePcap)
	if strings.ContainsAny(text, "\x1b\x07\x00") {
		t.Error("the text report passes terminal control characters through")
	}
	_, csv, _ := runCmd(t, nil, "analyze", "--format", "csv", hostilePcap)
	for _, line := range strings.Split(csv, "\n") {
		for _, cell := range strings.Split(line, ",") {
			if c := strings.TrimPrefix(cell, `"`); strings.HasPrefix(c, "=") {
				t.Errorf("a CSV cell starts with '=': %q", cell)
			}
		}
	}
}
