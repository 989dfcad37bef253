package digest

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNoSupportedChallenge means none of the challenges offers an
// algorithm the UE supports.
var ErrNoSupportedChallenge = errors.New("no challenge with a supported algorithm")

// UE is the client side of TS 33.203 N.2.1.1: it answers challenges and
// authenticates the network through rspauth. It holds no state between
// calls; the caller supplies the cnonce and nc (so tests are
// deterministic and no randomness is read here).
type UE struct {
	Username string
	Secret   Secret
	// Supported lists the algorithms the UE implements. Nil means every
	// non-AKA algorithm, plus the AKA ones when Secret.AKA is set.
	Supported []Algorithm
}

func (u UE) supports(a Algorithm) bool {
	if a == 0 {
		return false
	}
	if u.Supported == nil {
		return a.AKA() == 0 || u.Secret.AKA != nil
	}
	return containsAlg(u.Supported, a)
}

// Select returns the first challenge whose algorithm the UE supports, in
// the server's order (TS 33.203 N.2.1.1 SM6: "selects the first algorithm
// it supports").
func (u UE) Select(chs []Challenge) (Challenge, error) {
	for _, ch := range chs {
		if u.supports(ch.Algorithm) {
			return ch, nil
		}
	}
	return Challenge{}, ErrNoSupportedChallenge
}

// Respond builds the credentials answering ch for a request with the
// given method, Request-URI and body. The qop is "auth" when offered (TS
// 33.203 N.2.1.1: qop shall be auth), else "auth-int" when offered, else
// none (RFC 2069 form). With userhash=true in the challenge the username
// is sent hashed (RFC 7616 3.4.4).
func (u UE) Respond(ch Challenge, method, uri string, body []byte, cnonce string, nc uint32) (Credentials, Work, error) {
	if !u.supports(ch.Algorithm) {
		return Credentials{}, Work{}, fmt.Errorf("algorithm %q: %w", ch.AlgorithmName, ErrNoSupportedChallenge)
	}
	c := Credentials{
		Username: u.Username, Realm: ch.Realm, Nonce: ch.Nonce, URI: uri, Algorithm: ch.Algorithm,
		AlgorithmName: ch.Algorithm.String(), Opaque: ch.Opaque,
	}
	switch {
	case ch.Offers("auth"):
		c.QOP = "auth"
	case ch.Offers("auth-int"):
		c.QOP = "auth-int"
	}
	if c.QOP != "" || c.Algorithm.Sess() {
		c.CNonce = cnonce // -sess needs it in A1 even without qop
	}
	if c.QOP != "" {
		c.NC = fmt.Sprintf("%08x", nc)
	}
	ha1, err := u.Secret.BaseHA1(c.Algorithm, u.Username, c.Realm, c.Nonce)
	if err != nil {
		return Credentials{}, Work{}, err
	}
	resp, w := c.Input(u.Username, method, body).Response(ha1)
	c.Response = resp
	if ch.Userhash {
		c.Username = Userhash(c.Algorithm.Hash(), u.Username, c.Realm)
		c.Userhash = true
	}
	c.Raw = c.Auth()
	return c, w, nil
}

// CheckRspAuth verifies the rspauth the network returned for the UE's
// credentials c (TS 33.203 N.2.1.1 SM12; RFC 7616 3.5). body is the 2xx's
// entity body, used with qop=auth-int. A false result means the UE must
// consider the registration failed (N.2.2.2).
func (u UE) CheckRspAuth(c Credentials, ai AuthInfo, body []byte) (bool, Work, error) {
	if ai.RspAuth == "" {
		return false, Work{}, &ParamError{"rspauth", "missing"}
	}
	if c.QOP != "" && (ai.CNonce != "" && ai.CNonce != c.CNonce || ai.NC != "" && !strings.EqualFold(ai.NC, c.NC)) {
		return false, Work{}, &ParamError{"cnonce", "cnonce or nc differ from the request's (RFC 7616 3.5)"}
	}
	ha1, err := u.Secret.BaseHA1(c.Algorithm, u.Username, c.Realm, c.Nonce)
	if err != nil {
		return false, Work{}, err
	}
	in := c.Input(u.Username, "", body)
	want, w := in.RspAuth(ha1)
	w.Received = strings.ToLower(ai.RspAuth)
	return equalHex(want, ai.RspAuth), w, nil
}

// AuthInfoFor builds the Authentication-Info a reference S-CSCF sends in
// the 2xx to valid credentials c (TS 33.203 N.2.1.1 SM10), given the
// user's secret and the 2xx's body. username is the real username.
func AuthInfoFor(c Credentials, username string, s Secret, body []byte) (AuthInfo, error) {
	ha1, err := s.BaseHA1(c.Algorithm, username, c.Realm, c.Nonce)
	if err != nil {
		return AuthInfo{}, err
	}
	rsp, _ := c.Input(username, "", body).RspAuth(ha1)
	ai := AuthInfo{QOP: c.QOP, RspAuth: rsp, CNonce: c.CNonce, NC: c.NC}
	ai.Raw = ai.Auth()
	return ai, nil
}
