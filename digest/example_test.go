package digest_test

import (
	"fmt"
	"time"

	"github.com/sipaudit/sipaudit/digest"
)

// The reference S-CSCF replays a captured registration: it learns the
// 401's challenges, then judges the REGISTER's Authorization.
func ExampleVerifier() {
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	v := digest.NewVerifier(digest.Config{})
	v.AddSecret("alice@ims.example.com", "ims.example.com", digest.Secret{Password: []byte("s3cret")})

	// 401 with SHA-256 then MD5 (TS 33.203 N.2.1.1 SM4).
	var chs []digest.Challenge
	for _, field := range []string{
		`Digest realm="ims.example.com", nonce="NGQ0YjI2", algorithm=SHA-256, qop="auth"`,
		`Digest realm="ims.example.com", nonce="NGQ0YjI2", algorithm=MD5, qop="auth"`,
	} {
		auths, _ := digest.Parse(field)
		ch, _ := digest.ParseChallenge(auths[0])
		chs = append(chs, ch)
	}
	v.Challenged(digest.WWW, "alice@ims.example.com", true, chs, at)

	// The UE picks SHA-256 and answers; the verifier checks it.
	ue := digest.UE{Username: "alice@ims.example.com", Secret: digest.Secret{Password: []byte("s3cret")}}
	ch, _ := ue.Select(chs)
	// (The response was checked with Python's hashlib.sha256.)
	creds, _, _ := ue.Respond(ch, "REGISTER", "sip:ims.example.com", nil, "0a4f113b", 1)
	fmt.Println(creds.Auth())

	r := v.Verify(digest.WWW, creds, digest.Request{Method: "REGISTER"}, at.Add(time.Second))
	fmt.Println(r.Verdict, "-", r.Reason)
	for _, step := range r.Work.Steps()[:4] {
		fmt.Printf("%s: %s\n", step[0], step[1])
	}
	// The same credentials again are a replay.
	fmt.Println(v.Verify(digest.WWW, creds, digest.Request{Method: "REGISTER"}, at.Add(2*time.Second)).Verdict)
	// Output:
	// Digest username="alice@ims.example.com", realm="ims.example.com", nonce="NGQ0YjI2", uri="sip:ims.example.com", response="2aff4cd4ffa434c92c9cd108ff1638ae2885cf426b2857fe0a6d9b29ff662eea", algorithm=SHA-256, cnonce="0a4f113b", qop=auth, nc=00000001
	// valid - right digest, fresh nonce, nc 00000001 above the last accepted 00000000
	// algorithm: SHA-256
	// A1: alice@ims.example.com:ims.example.com:<password>
	// H(A1): <H(A1) withheld>
	// A2: REGISTER:sip:ims.example.com
	// replay
}
