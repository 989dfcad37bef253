package digest

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkVerify measures full reference verifications (nonce lookup,
// H(A1) from the password, the response, nc bookkeeping) per algorithm.
// One op is one verification; docs/PERFORMANCE.md quotes the figures.
func BenchmarkVerify(b *testing.B) {
	for _, alg := range nonAKA {
		for _, secret := range []string{"password", "ha1"} {
			b.Run(fmt.Sprintf("%s/%s", alg, secret), func(b *testing.B) {
				ch := challenge(alg, "bm9uY2UtMTIzNDU2Nzg5MA", "auth")
				v := NewVerifier(Config{})
				s := Secret{Password: []byte("s3cret")}
				if secret == "ha1" {
					s = Secret{HA1: map[Hash]string{alg.Hash(): HA1(alg.Hash(), impi, realm, []byte("s3cret"))}}
				}
				v.AddSecret(impi, realm, s)
				v.Challenged(WWW, impi, true, []Challenge{ch}, t0)
				creds := make([]Credentials, 1024)
				for i := range creds {
					creds[i] = respond(b, "s3cret", ch, "REGISTER", uint32(i+1))
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if i%len(creds) == 0 && i > 0 {
						b.StopTimer()
						v.Challenged(WWW, impi, true, []Challenge{ch}, t0) // re-arm the nonce
						v.eng[WWW].nonces[ch.Nonce].accepted = 0
						b.StartTimer()
					}
					if r := v.Verify(WWW, creds[i%len(creds)], Request{Method: "REGISTER"}, t0.Add(time.Second)); r.Verdict != Valid {
						b.Fatalf("verdict %s: %s", r.Verdict, r.Reason)
					}
				}
			})
		}
	}
}

// BenchmarkParseCredentials measures the header grammar and typed view on
// a typical IMS Authorization value.
func BenchmarkParseCredentials(b *testing.B) {
	const v = `Digest username="alice@ims.example.com", realm="ims.example.com", nonce="bm9uY2UtMTIzNDU2Nzg5MA", ` +
		`uri="sip:ims.example.com", response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", ` +
		`algorithm=SHA-256, cnonce="0a4f113b", qop=auth, nc=00000001`
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		a, err := Parse(v)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ParseCredentials(a[0]); err != nil {
			b.Fatal(err)
		}
	}
}
