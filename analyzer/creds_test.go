package analyzer

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/digest"
)

func TestReadCredentials(t *testing.T) {
	// K and OPc of TS 35.208 Test Set 1.
	in := "\ufeffrealm,Username,password,ha1_md5,k,opc\n" +
		"ims.example.com,alice,old,,,\n" +
		"ims.example.com,alice,new,,,\n" +
		",bob,,0123456789ABCDEF0123456789abcdef,,\n" +
		"ims.example.com,carol,,,465b5ce8b199b49faa5f0a2ee238a6bc,cd63cb71954a9f4e48a5994e37a02baf\n" +
		"ims.example.com,\"dave, jr\",\"pa,ss\"\"word\",,,\n"
	creds, err := ReadCredentials(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 5 {
		t.Fatalf("%d rows", len(creds))
	}
	if string(creds[1].Secret.Password) != "new" || creds[1].Line != 3 {
		t.Errorf("row 2: %+v", creds[1])
	}
	if creds[2].Realm != "" || creds[2].Secret.HA1[digest.HashMD5] != "0123456789abcdef0123456789abcdef" || creds[2].Secret.Password != nil {
		t.Errorf("bob: %+v", creds[2])
	}
	if creds[3].Secret.AKA == nil {
		t.Errorf("carol has no AKA keys")
	}
	if creds[4].Username != "dave, jr" || string(creds[4].Secret.Password) != `pa,ss"word` {
		t.Errorf("quoted CSV: %+v", creds[4])
	}

	// Later rows are newer passwords (N.2.5): the verifier tries "new"
	// first and keeps "old" until "new" succeeds.
	v := NewVerifier(creds, digest.Config{})
	ch := digest.Challenge{Realm: "ims.example.com", Nonce: "n", Algorithm: digest.MD5, QOP: []string{"auth"}}
	v.Challenged(digest.WWW, "alice", true, []digest.Challenge{ch}, time.Unix(0, 0))
	ue := digest.UE{Username: "alice", Secret: digest.Secret{Password: []byte("old")}}
	c, _, _ := ue.Respond(ch, "REGISTER", "sip:ims.example.com", nil, "c", 1)
	if r := v.Verify(digest.WWW, c, digest.Request{Method: "REGISTER"}, time.Unix(1, 0)); r.Verdict != digest.Valid || r.Secret != digest.Older {
		t.Errorf("old password: %s %s", r.Verdict, r.Secret)
	}
}

func TestReadCredentialsErrors(t *testing.T) {
	tests := []struct {
		in, column, reason string
		line               int
	}{
		{"", "", "empty file", 0},
		{"username,secret\nalice,x\n", "secret", "unknown column", 1},
		{"realm,password\nr,x\n", "", "no username column", 1},
		{"username,username\na,b\n", "username", "twice", 1},
		{"username,password\n,x\n", "username", "empty", 2},
		{"username,password\nalice,\n", "", "no secret", 2},
		{"username,ha1_md5\nalice,abc\n", "ha1_md5", "32 hex digits", 2},
		{"username,ha1_sha256\nalice,0123456789abcdef0123456789abcdef\n", "ha1_sha256", "64 hex digits", 2},
		{"username,k\nalice,465b5ce8b199b49faa5f0a2ee238a6bc\n", "opc", "needs opc or op", 2},
		{"username,k,opc\nalice,46,cd63cb71954a9f4e48a5994e37a02baf\n", "k", "bytes", 2},
		{"username,k,opc\nalice,zz,cd63\n", "k", "not hex", 2},
		{"username,password\nalice,x,extra\n", "", "wrong number of fields", 2},
		{"username,password\nalice,\"x\n", "", "", 2},
	}
	for _, tt := range tests {
		_, err := ReadCredentials(strings.NewReader(tt.in))
		var ce *CredentialsError
		if !errors.As(err, &ce) {
			t.Errorf("%q: %v, want a *CredentialsError", tt.in, err)
			continue
		}
		if ce.Column != tt.column || !strings.Contains(ce.Reason, tt.reason) || ce.Line != tt.line {
			t.Errorf("%q: %q (line %d column %q), want line %d column %q and %q", tt.in, err, ce.Line, ce.Column, tt.line, tt.column, tt.reason)
		}
		if strings.Contains(err.Error(), "465b5ce8") || strings.Contains(err.Error(), "cd63") {
			t.Errorf("%q: the error quotes key material: %v", tt.in, err)
		}
	}
}
