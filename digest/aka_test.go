package digest

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/sipaudit/sipaudit/digest/aka"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// set1 is 3GPP TS 35.208 section 4.3.1, Test Set 1.
func set1(t testing.TB) (aka.Subscriber, []byte, []byte) {
	sub := aka.Subscriber{
		K:   unhex(t, "465b5ce8b199b49faa5f0a2ee238a6bc"),
		OPc: unhex(t, "cd63cb71954a9f4e48a5994e37a02baf"),
		AMF: unhex(t, "b9b9"),
	}
	return sub, unhex(t, "23553cbe9637a89d218ae64dae47bf35"), unhex(t, "ff9bb4d0b607")
}

// TestAKA replays IMS AKA registrations (TS 33.203 6.1.1) through the
// verifier: the network's nonce carries RAND and AUTN (RFC 3310 3.1), the
// UE answers with RES as the password (AKAv1-MD5) or the PRF of RES, IK
// and CK (AKAv2-MD5, RFC 4169 2.1).
func TestAKA(t *testing.T) {
	sub, rand, sqn := set1(t)
	nonce, vec, err := sub.Challenge(rand, sqn, nil)
	if err != nil {
		t.Fatal(err)
	}
	// TS 35.208 Test Set 1: f2 (RES) = a54211d5e3ba50bf.
	if hex.EncodeToString(vec.XRES) != "a54211d5e3ba50bf" {
		t.Fatalf("XRES %x", vec.XRES)
	}
	for _, alg := range []Algorithm{AKAv1MD5, AKAv2MD5} {
		t.Run(alg.String(), func(t *testing.T) {
			ch := challenge(alg, nonce, "auth")
			ue := UE{Username: impi, Secret: Secret{AKA: sub}}
			c, _, err := ue.Respond(ch, "REGISTER", uri, nil, "0a4f113b", 1)
			if err != nil {
				t.Fatal(err)
			}
			if alg == AKAv1MD5 {
				// The binary RES is the password (RFC 3310 3.3).
				ha1 := HA1(HashMD5, impi, realm, vec.XRES)
				if want, _ := c.Input(impi, "REGISTER", nil).Response(ha1); want != c.Response {
					t.Errorf("AKAv1 response %s, want %s", c.Response, want)
				}
			}
			v := NewVerifier(Config{})
			v.AddSecret(impi, realm, Secret{AKA: sub})
			v.Challenged(WWW, impi, true, []Challenge{ch}, t0)
			if r := v.Verify(WWW, c, Request{Method: "REGISTER"}, t0); r.Verdict != Valid || !strings.Contains(r.Work.A1, "RES") {
				t.Errorf("verdict %s: %s", r.Verdict, r.Reason)
			}
			// Another subscriber's K: the nonce's AUTN does not verify.
			other := sub
			other.K = unhex(t, "0396eb317b6d1c36f19c1c84cd6ffd16") // TS 35.208 Test Set 2
			v = NewVerifier(Config{})
			v.AddSecret(impi, realm, Secret{AKA: other})
			v.Challenged(WWW, impi, true, []Challenge{ch}, t0)
			if r := v.Verify(WWW, c, Request{Method: "REGISTER"}, t0); r.Verdict != Unverifiable || !strings.Contains(r.Reason, "MAC") {
				t.Errorf("wrong K: %s %s", r.Verdict, r.Reason)
			}
			// A password secret cannot judge AKA.
			v = newVerifier("pw")
			v.Challenged(WWW, impi, true, []Challenge{ch}, t0)
			if r := v.Verify(WWW, c, Request{Method: "REGISTER"}, t0); r.Verdict != UnknownCredentials {
				t.Errorf("password secret on AKA: %s %s", r.Verdict, r.Reason)
			}
		})
	}
}

// TestAKAResync: a UE whose SQN check fails answers with auts and a
// response over the empty password (RFC 3310 3.4; TS 33.203 6.1.3).
func TestAKAResync(t *testing.T) {
	sub, rand, sqn := set1(t)
	nonce, _, err := sub.Challenge(rand, sqn, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := sub.Milenage()
	if err != nil {
		t.Fatal(err)
	}
	sqnMS := unhex(t, "ffffffffff00")
	raw, err := m.GenerateAUTS(rand, sqnMS)
	if err != nil {
		t.Fatal(err)
	}
	auts, err := aka.EncodeAUTS(raw)
	if err != nil {
		t.Fatal(err)
	}
	ch := challenge(AKAv1MD5, nonce, "auth")
	c := Credentials{Username: impi, Realm: realm, Nonce: nonce, URI: uri, Algorithm: AKAv1MD5, QOP: "auth", CNonce: "c", NC: "00000001", AUTS: auts}
	c.Response, _ = c.Input(impi, "REGISTER", nil).Response(HA1(HashMD5, impi, realm, []byte(aka.ResyncPassword)))
	c = mustCredentials(t, "Digest "+c.Auth().String()[len("Digest "):])

	v := NewVerifier(Config{})
	v.AddSecret(impi, realm, Secret{AKA: sub})
	v.Challenged(WWW, impi, true, []Challenge{ch}, t0)
	r := v.Verify(WWW, c, Request{Method: "REGISTER"}, t0)
	if r.Verdict != Invalid || r.AKA != "sync-failure" || !r.DigestOK || r.SQNms != "ffffffffff00" {
		t.Errorf("resync: %s %s %v %s: %s", r.Verdict, r.AKA, r.DigestOK, r.SQNms, r.Reason)
	}
	// A tampered AUTS is reported, not trusted.
	bad := []byte(auts)
	bad[2] ^= 1
	c.AUTS = string(bad)
	if r := v.Verify(WWW, c, Request{Method: "REGISTER"}, t0); r.SQNms != "" || !strings.Contains(r.Reason, "does not verify") {
		t.Errorf("tampered AUTS: %s %s", r.SQNms, r.Reason)
	}
	// MAC failure: an empty response and no auts (TS 24.229 5.1.1.5.3).
	c.AUTS, c.Response = "", ""
	c = mustCredentialsRaw(t, "Digest "+strings.Replace(c.Auth().String()[len("Digest "):], `uri=`, `response="", uri=`, 1))
	if r := v.Verify(WWW, c, Request{Method: "REGISTER"}, t0); r.Verdict != Unverifiable || r.AKA != "mac-failure" {
		t.Errorf("MAC failure: %s %s: %s", r.Verdict, r.AKA, r.Reason)
	}
}

func mustCredentialsRaw(t testing.TB, v string) Credentials {
	t.Helper()
	auths, err := Parse(v)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCredentials(auths[0])
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// aka.Subscriber must satisfy the verifier's interfaces.
var _ AKAResyncer = aka.Subscriber{}
