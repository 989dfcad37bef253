package aka

import (
	"crypto/subtle"
	"fmt"
)

// Subscriber holds the long-term AKA secrets of one user, as a
// credentials file gives them: K and either OPc or OP. It is what the
// reference verifier needs to derive, from the nonce of a captured 401
// challenge, the digest password the UE must have used.
//
// A Subscriber implements the digest package's AKAKey interface through
// [Subscriber.DigestPassword]. Its methods do not modify it.
type Subscriber struct {
	// K is the 16-byte subscriber key.
	K []byte
	// OPc is the 16-byte derived operator variant. If it is empty, OP is
	// used instead; if both are set they must agree.
	OPc []byte
	// OP is the 16-byte operator variant, used to derive OPc when OPc is
	// empty.
	OP []byte
	// AMF is the 2-byte authentication management field the network puts
	// into the challenges it builds ([Subscriber.Challenge]). The UE side
	// takes the AMF from the AUTN and ignores this field.
	AMF []byte
}

// Milenage returns the Milenage functions for the subscriber's K and OPc
// (derived from OP if OPc is empty). If both OP and OPc are set and OPc is
// not derived from K and OP, the error matches [ErrInconsistentOPc].
func (s Subscriber) Milenage() (*Milenage, error) {
	switch {
	case len(s.OPc) > 0 && len(s.OP) > 0:
		m, err := New(s.K, s.OPc)
		if err != nil {
			return nil, err
		}
		fromOP, err := NewWithOP(s.K, s.OP)
		if err != nil {
			return nil, err
		}
		if subtle.ConstantTimeCompare(m.opc[:], fromOP.opc[:]) != 1 {
			return nil, ErrInconsistentOPc
		}
		return m, nil
	case len(s.OPc) > 0:
		return New(s.K, s.OPc)
	case len(s.OP) > 0:
		return NewWithOP(s.K, s.OP)
	}
	return nil, &LengthError{Field: "OPc (or OP)", Got: 0, Want: OPSize}
}

// Password plays the UE for a Digest AKA challenge: it decodes the nonce
// (RFC 3310 3.2) into RAND and AUTN, checks the AUTN's MAC-A
// ([Milenage.CheckAUTN]), runs f2, f3 and f4 and returns the digest
// password for version v ([Password]): RES for [V1], the RFC 4169 PRF
// output for [V2].
//
// A nonce whose MAC does not verify gives an error matching
// [ErrMACFailure]: a genuine UE would not answer it with a password at all
// (see the package documentation). Password does not check the freshness
// of the SQN; a UE that found it out of range would have used
// [ResyncPassword] and sent an "auts" directive.
func (s Subscriber) Password(nonce string, v Version) ([]byte, error) {
	if !v.Valid() {
		return nil, fmt.Errorf("%w: %d", ErrUnsupportedVersion, int(v))
	}
	rand, autn, _, err := DecodeNonce(nonce)
	if err != nil {
		return nil, err
	}
	m, err := s.Milenage()
	if err != nil {
		return nil, err
	}
	_, res, ck, ik, err := m.CheckAUTN(rand, autn)
	if err != nil {
		return nil, err
	}
	return Password(v, res, ik, ck), nil
}

// DigestPassword is [Subscriber.Password] with the version as a plain int
// (1 for AKAv1-MD5, 2 for AKAv2-MD5). It makes Subscriber satisfy the
// digest package's AKAKey interface.
func (s Subscriber) DigestPassword(nonce string, version int) ([]byte, error) {
	return s.Password(nonce, Version(version))
}

// Resync plays the network for a resynchronisation request: given the
// nonce of the challenge and the value of the "auts" directive the UE
// answered it with (base64, RFC 3310 3.4), it verifies the AUTS
// ([Milenage.CheckAUTS]) and returns SQN_MS, the highest sequence number
// the UE has accepted. A MAC-S that does not verify gives an error
// matching [ErrMACFailure].
func (s Subscriber) Resync(nonce, auts string) (sqnMS []byte, err error) {
	rand, _, _, err := DecodeNonce(nonce)
	if err != nil {
		return nil, err
	}
	a, err := DecodeAUTS(auts)
	if err != nil {
		return nil, err
	}
	m, err := s.Milenage()
	if err != nil {
		return nil, err
	}
	return m.CheckAUTS(rand, a)
}

// Challenge plays the network: it builds the authentication vector for
// RAND (16 bytes), SQN (6 bytes) and the subscriber's AMF
// ([Milenage.GenerateVector]) and the nonce that carries it, with
// serverData (may be empty) appended ([EncodeNonce]). The password a
// correct UE will use is Password(v, vec.XRES, vec.IK, vec.CK).
func (s Subscriber) Challenge(rand, sqn, serverData []byte) (nonce string, vec Vector, err error) {
	m, err := s.Milenage()
	if err != nil {
		return "", Vector{}, err
	}
	vec, err = m.GenerateVector(rand, sqn, s.AMF)
	if err != nil {
		return "", Vector{}, err
	}
	nonce, err = EncodeNonce(vec.RAND, vec.AUTN, serverData)
	if err != nil {
		return "", Vector{}, err
	}
	return nonce, vec, nil
}
