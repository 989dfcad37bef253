package digest

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/sipaudit/sipaudit/internal/testgen"
)

// TestGeneratorTruth replays every auth exchange of the shared benchmark
// generator's ground truth (../shared/bench/gen_sip_pcap.py) through the
// grammar and the computation: the captured Authorization value must
// parse, the response computed from the truth's password must equal the
// captured one exactly when the truth says the digest is valid, and a
// recorded rspauth must verify. It needs ../shared and python3, which sit
// beside the repository in CI but not on a user's machine: it skips
// without them.
func TestGeneratorTruth(t *testing.T) {
	_, truthPath := testgen.Generate(t, "--calls", "400", "--seed", "7", "--anomaly-rate", "0.1")
	raw, err := os.ReadFile(truthPath)
	if err != nil {
		t.Fatal(err)
	}
	var truth struct {
		Exchanges []struct {
			ID            int     `json:"id"`
			Method        string  `json:"method"`
			Scheme        string  `json:"scheme"`
			Username      string  `json:"username"`
			Password      string  `json:"password"`
			PasswordUsed  string  `json:"password_used"`
			HeaderValue   string  `json:"header_value"`
			Response      *string `json:"response"`
			RspAuth       *string `json:"rspauth"`
			ExpectedValid bool    `json:"expected_valid"`
		} `json:"auth_exchanges"`
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		t.Fatal(err)
	}
	var digests, invalid, rspauths, basics int
	for _, ex := range truth.Exchanges {
		auths, err := Parse(ex.HeaderValue)
		if err != nil || len(auths) != 1 {
			t.Errorf("exchange %d: %q: %v", ex.ID, ex.HeaderValue, err)
			continue
		}
		if ex.Scheme == "Basic" {
			basics++
			if u, p, err := ParseBasic(auths[0]); err != nil || u != ex.Username || string(p) != ex.PasswordUsed {
				t.Errorf("exchange %d: Basic %q: %v", ex.ID, u, err)
			}
			continue
		}
		c, err := ParseCredentials(auths[0])
		if err == nil {
			err = c.Validate()
		}
		if err != nil {
			t.Errorf("exchange %d: %v", ex.ID, err)
			continue
		}
		digests++
		// password_used is what the client typed: the captured response
		// must be its digest. The truth's verdict is about the
		// subscriber's real password.
		in := c.Input(c.Username, ex.Method, nil)
		if got, _ := in.Response(HA1(c.Algorithm.Hash(), c.Username, c.Realm, []byte(ex.PasswordUsed))); got != c.Response {
			t.Errorf("exchange %d: computed %s from the password the client used, captured %s", ex.ID, got, c.Response)
		}
		if got, _ := in.Response(HA1(c.Algorithm.Hash(), c.Username, c.Realm, []byte(ex.Password))); (got == c.Response) != ex.ExpectedValid {
			t.Errorf("exchange %d: computed %s from the real password, captured %s, truth says valid=%v", ex.ID, got, c.Response, ex.ExpectedValid)
		}
		if !ex.ExpectedValid {
			invalid++
		}
		if ex.RspAuth != nil && ex.ExpectedValid {
			rspauths++
			v := NewVerifier(Config{})
			v.AddSecret(c.Username, c.Realm, Secret{Password: []byte(ex.PasswordUsed)})
			if r := v.CheckRspAuth(c, AuthInfo{RspAuth: *ex.RspAuth, QOP: c.QOP, CNonce: c.CNonce, NC: c.NC}, nil); r.Verdict != Valid {
				t.Errorf("exchange %d: rspauth %s: %s", ex.ID, r.Verdict, r.Reason)
			}
		}
	}
	t.Logf("%d digest exchanges (%d invalid), %d rspauth, %d Basic", digests, invalid, rspauths, basics)
	if digests < 100 || invalid == 0 || rspauths == 0 || basics == 0 {
		t.Errorf("the generator's truth no longer covers the cases: %d digests, %d invalid, %d rspauth, %d basic", digests, invalid, rspauths, basics)
	}
}
