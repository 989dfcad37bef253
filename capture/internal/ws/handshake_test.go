package ws

import (
	"strings"
	"testing"
)

// sipRequest is the opening handshake request from RFC 7118 section 5.1
// (as sent by SIP.js and similar clients).
const sipRequest = "GET / HTTP/1.1\r\n" +
	"Host: sip-ws.example.com\r\n" +
	"Upgrade: websocket\r\n" +
	"Connection: Upgrade\r\n" +
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
	"Origin: http://www.example.com\r\n" +
	"Sec-WebSocket-Protocol: sip\r\n" +
	"Sec-WebSocket-Version: 13\r\n" +
	"\r\n"

// sipResponse is the matching server response from RFC 7118 section 5.1.
const sipResponse = "HTTP/1.1 101 Switching Protocols\r\n" +
	"Upgrade: websocket\r\n" +
	"Connection: Upgrade\r\n" +
	"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" +
	"Sec-WebSocket-Protocol: sip\r\n" +
	"\r\n"

// browserRequest resembles what a browser running SIP.js sends.
const browserRequest = "GET /ws HTTP/1.1\r\n" +
	"Host: pbx.example.org:8089\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
	"Accept: */*\r\n" +
	"Sec-WebSocket-Version: 13\r\n" +
	"Origin: https://phone.example.org\r\n" +
	"Sec-WebSocket-Protocol: sip\r\n" +
	"Sec-WebSocket-Extensions: permessage-deflate\r\n" +
	"Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\n" +
	"connection: keep-alive, Upgrade\r\n" +
	"Pragma: no-cache\r\n" +
	"upgrade: WebSocket\r\n" +
	"\r\n"

func lf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

func TestUpgrade(t *testing.T) {
	const frame = "\x81\x05Hello"
	long := "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Pad: " +
		strings.Repeat("a", MaxHandshake) + "\r\n\r\n"
	// exact is a valid request whose head is exactly MaxHandshake bytes.
	exactHead := "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Pad: "
	exact := exactHead + strings.Repeat("a", MaxHandshake-len(exactHead)-4) + "\r\n\r\n"

	tests := []struct {
		name string
		resp bool
		in   string
		n    int // -1: len(in)
		ok   bool
		need bool
	}{
		{name: "rfc 7118 request", in: sipRequest, n: len(sipRequest), ok: true},
		{name: "rfc 7118 request followed by frames", in: sipRequest + frame, n: len(sipRequest), ok: true},
		{name: "browser request", in: browserRequest, n: len(browserRequest), ok: true},
		{name: "LF-only request", in: lf(sipRequest) + frame, n: len(lf(sipRequest)), ok: true},
		{name: "mixed line endings", in: "GET / HTTP/1.1\nupgrade: websocket\r\nCONNECTION: UPGRADE\n\r\n",
			n: -1, ok: true},
		{name: "whitespace variations",
			in: "GET  /sip   HTTP/1.1 \r\nUpgrade :  websocket  \r\nConnection:\tkeep-alive ,upgrade\t\r\n\r\n",
			n:  -1, ok: true},
		{name: "folded connection header",
			in: "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: keep-alive,\r\n  Upgrade\r\n\r\n", n: -1, ok: true},
		{name: "upgrade list with version", in: "GET / HTTP/1.1\r\nUpgrade: h2c, WebSocket/13\r\nConnection: upgrade\r\n\r\n",
			n: -1, ok: true},
		{name: "head of exactly MaxHandshake", in: exact + frame, n: MaxHandshake, ok: true},
		{name: "head one byte over MaxHandshake", in: exactHead + "a" + exact[len(exactHead):]},
		{name: "MaxHandshake bytes without end", in: exact[:MaxHandshake-4] + "aaaa"},
		{name: "one byte short of MaxHandshake", in: exact[:MaxHandshake-1], need: true},
		{name: "plain GET", in: "GET /index.html HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive\r\n\r\n",
			n: -1, ok: false},
		{name: "missing Connection", in: "GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n", n: -1},
		{name: "missing Upgrade", in: "GET / HTTP/1.1\r\nConnection: Upgrade\r\n\r\n", n: -1},
		{name: "upgrade to h2c", in: "GET / HTTP/1.1\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n", n: -1},
		{name: "connection token is not upgrade", in: "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgraded\r\n\r\n", n: -1},
		{name: "POST", in: "POST / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"},
		{name: "POST prefix", in: "POS"},
		{name: "HTTP/1.0", in: "GET / HTTP/1.0\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"},
		{name: "missing target", in: "GET HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"},
		{name: "extra request-line field", in: "GET / x HTTP/1.1\r\n\r\n"},
		{name: "lower-case method", in: "get / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"},
		{name: "leading blank line", in: "\r\n" + sipRequest},
		{name: "header without colon", in: "GET / HTTP/1.1\r\nUpgrade websocket\r\n"},
		{name: "fold without header", in: "GET / HTTP/1.1\r\n Upgrade: websocket\r\n"},
		{name: "control character", in: "GET / HTTP/1.1\r\nUpgrade: web\x00socket\r\nConnection: Upgrade\r\n\r\n"},
		{name: "SIP over TCP", in: "INVITE sip:bob@example.com SIP/2.0\r\n"},
		{name: "binary", in: "\x16\x03\x01\x02\x00\x01\x00"},
		{name: "websocket frame", in: frame},
		{name: "empty", in: "", need: true},
		{name: "partial method", in: "GE", need: true},
		{name: "partial request line", in: "GET /ws HTTP/1.", need: true},
		{name: "partial request", in: sipRequest[:len(sipRequest)-2], need: true},
		{name: "partial request LF", in: lf(sipRequest)[:60], need: true},
		{name: "too long header", in: long},
		{name: "too long without end", in: "GET / HTTP/1.1\r\nX: " + strings.Repeat("b", MaxHandshake)},

		{name: "rfc 7118 response", resp: true, in: sipResponse + frame, n: len(sipResponse), ok: true},
		{name: "LF-only response", resp: true, in: lf(sipResponse), n: len(lf(sipResponse)), ok: true},
		{name: "response without reason", resp: true, in: "HTTP/1.1 101\r\nupgrade: WebSocket\r\n\r\n", n: -1, ok: true},
		{name: "response without Connection", resp: true, in: "HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\n\n",
			n: -1, ok: true},
		{name: "response 200", resp: true, in: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", n: 0},
		{name: "response 1010", resp: true, in: "HTTP/1.1 1010 x\r\nUpgrade: websocket\r\n\r\n"},
		{name: "response 101 without Upgrade", resp: true, in: "HTTP/1.1 101 Switching Protocols\r\n\r\n", n: -1},
		{name: "response HTTP/1.0", resp: true, in: "HTTP/1.0 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"},
		{name: "request given to UpgradeResponse", resp: true, in: sipRequest},
		{name: "response given to UpgradeRequest", in: sipResponse},
		{name: "partial response", resp: true, in: "HTTP/1.1 10", need: true},
		{name: "partial response head", resp: true, in: sipResponse[:50], need: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, fname := UpgradeRequest, "UpgradeRequest"
			if tc.resp {
				f, fname = UpgradeResponse, "UpgradeResponse"
			}
			wantN := tc.n
			if wantN < 0 {
				wantN = len(tc.in)
			}
			n, ok, need := f([]byte(tc.in))
			if n != wantN || ok != tc.ok || need != tc.need {
				t.Fatalf("%s = %d, %v, %v; want %d, %v, %v", fname, n, ok, need, wantN, tc.ok, tc.need)
			}
		})
	}
}

// TestUpgradePrefixes checks that every proper prefix of a valid handshake
// asks for more bytes and that the full head is recognised.
func TestUpgradePrefixes(t *testing.T) {
	tests := []struct {
		f  func([]byte) (int, bool, bool)
		in string
	}{
		{UpgradeRequest, sipRequest},
		{UpgradeRequest, lf(sipRequest)},
		{UpgradeRequest, browserRequest},
		{UpgradeResponse, sipResponse},
		{UpgradeResponse, lf(sipResponse)},
	}
	for i, tc := range tests {
		for k := 0; k < len(tc.in); k++ {
			n, ok, need := tc.f([]byte(tc.in[:k]))
			if n != 0 || ok || !need {
				t.Fatalf("case %d prefix %d (%q): got %d, %v, %v; want 0, false, true", i, k, tc.in[:k], n, ok, need)
			}
		}
		if n, ok, need := tc.f([]byte(tc.in)); n != len(tc.in) || !ok || need {
			t.Fatalf("case %d full: got %d, %v, %v", i, n, ok, need)
		}
	}
}

func BenchmarkUpgradeRequest(b *testing.B) {
	in := []byte(browserRequest)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, _ := UpgradeRequest(in); !ok {
			b.Fatal("not recognised")
		}
	}
}
