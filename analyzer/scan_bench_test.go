package analyzer

import "testing"

var benchInvite = []byte("INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.1.2.3:5060;branch=z9hG4bK776asdhds;rport\r\nMax-Forwards: 70\r\nTo: Bob <sip:bob@example.com>\r\nFrom: Alice <sip:alice@example.com>;tag=1928301774\r\nCall-ID: a84b4c76e66710@pc33.example.com\r\nCSeq: 314159 INVITE\r\nContact: <sip:alice@10.1.2.3:5060>\r\nProxy-Authorization: Digest username=\"alice\", realm=\"example.com\", nonce=\"abc\", uri=\"sip:bob@example.com\", response=\"00112233445566778899aabbccddeeff\", qop=auth, nc=00000001, cnonce=\"c\"\r\nUser-Agent: Linphone/5.2.5 (belle-sip/5.2.94)\r\nContent-Type: application/sdp\r\nContent-Length: 142\r\n\r\nv=0\r\no=alice 2890844526 2890844526 IN IP4 10.1.2.3\r\ns=-\r\nc=IN IP4 10.1.2.3\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")

// BenchmarkScanMsg times the lenient scanner on a typical INVITE with
// credentials and SDP.
func BenchmarkScanMsg(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ScanMsg(benchInvite)
	}
}
