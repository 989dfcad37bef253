package aka

import (
	"crypto/subtle"
	"encoding/binary"
	"fmt"
)

// MaxSQN is the largest sequence number: SQN is a 48-bit unsigned integer
// (TS 33.102 6.3.7).
const MaxSQN = 1<<48 - 1

// Vector is an authentication vector as the HSS/AuC builds it (TS 33.102
// 6.3.2): the quintet RAND, XRES, CK, IK, AUTN, plus the anonymity key AK
// that went into the AUTN. The fields do not alias any input.
type Vector struct {
	RAND []byte // 16 bytes, the challenge
	AUTN []byte // 16 bytes: (SQN xor AK) || AMF || MAC-A
	XRES []byte // 8 bytes, the expected response f2
	CK   []byte // 16 bytes, f3
	IK   []byte // 16 bytes, f4
	AK   []byte // 6 bytes, f5
}

// GenerateVector builds the authentication vector for RAND (16 bytes), SQN
// (6) and AMF (2) on the network side (TS 33.102 6.3.2):
//
//	MAC-A = f1(K, SQN || RAND || AMF)
//	XRES  = f2(K, RAND), CK = f3(K, RAND), IK = f4(K, RAND), AK = f5(K, RAND)
//	AUTN  = (SQN xor AK) || AMF || MAC-A
//
// Picking RAND (at random) and SQN (fresh, see TS 33.102 Annex C) is the
// caller's business; this function is deterministic.
func (m *Milenage) GenerateVector(rand, sqn, amf []byte) (Vector, error) {
	if err := m.check(); err != nil {
		return Vector{}, err
	}
	if err := checkF1(rand, sqn, amf); err != nil {
		return Vector{}, err
	}
	// One allocation: RAND, AUTN, then TEMP, OUT2 (XRES, AK), CK, IK and
	// OUT1 (MAC-A).
	buf := make([]byte, RANDSize+AUTNSize+5*blockSize)
	var v Vector
	v.RAND, buf = cut(buf, RANDSize)
	v.AUTN, buf = cut(buf, AUTNSize)
	t, out1 := buf[:blockSize], buf[4*blockSize:]
	m.temp(t, rand)
	v.XRES, v.CK, v.IK, v.AK = m.f2345T(buf)
	m.out1(out1, t, sqn, amf)

	copy(v.RAND, rand)
	for i := range SQNSize {
		v.AUTN[i] = sqn[i] ^ v.AK[i]
	}
	copy(v.AUTN[SQNSize:], amf)
	copy(v.AUTN[SQNSize+AMFSize:], out1[:MACSize])
	clear(t)
	clear(out1)
	return v, nil
}

// CheckAUTN runs the USIM side of AKA (TS 33.102 6.3.3) on RAND (16 bytes)
// and AUTN (16 bytes): it computes AK = f5(K, RAND), recovers SQN = (SQN
// xor AK) xor AK, computes XMAC-A = f1(K, SQN || RAND || AMF) with the AMF
// from the AUTN and compares it, in constant time, with the MAC-A in the
// AUTN. On a mismatch it returns an error matching [ErrMACFailure] and no
// values. Otherwise it returns SQN, RES = f2, CK = f3 and IK = f4.
//
// CheckAUTN does not judge the freshness of SQN; pass it to [CheckSQN]
// (or a fuller TS 33.102 Annex C scheme) for that.
func (m *Milenage) CheckAUTN(rand, autn []byte) (sqn, res, ck, ik []byte, err error) {
	if err := m.check(); err != nil {
		return nil, nil, nil, nil, err
	}
	if err := checkLen("RAND", rand, RANDSize); err != nil {
		return nil, nil, nil, nil, err
	}
	if err := checkLen("AUTN", autn, AUTNSize); err != nil {
		return nil, nil, nil, nil, err
	}
	// One allocation: SQN, then TEMP, OUT2 (RES, AK), CK, IK and OUT1
	// (XMAC-A).
	buf := make([]byte, SQNSize+5*blockSize)
	sqn, buf = cut(buf, SQNSize)
	t, xmac := buf[:blockSize], buf[4*blockSize:]
	m.temp(t, rand)
	res, ck, ik, ak := m.f2345T(buf)
	for i := range sqn {
		sqn[i] = autn[i] ^ ak[i]
	}
	m.out1(xmac, t, sqn, autn[SQNSize:SQNSize+AMFSize])
	if subtle.ConstantTimeCompare(xmac[:MACSize], autn[SQNSize+AMFSize:]) != 1 {
		return nil, nil, nil, nil, fmt.Errorf("%w: XMAC-A does not match the MAC-A in AUTN", ErrMACFailure)
	}
	clear(t)
	clear(xmac)
	return sqn, res, ck, ik, nil
}

// CheckSQN is a deliberately simple stand-in for the USIM's sequence
// number check: it accepts sqn (6 bytes) only if it is strictly greater,
// as a 48-bit big-endian integer, than highest, the highest SQN the USIM
// has accepted so far (6 bytes; all zero for a fresh USIM). Otherwise it
// returns an error matching [ErrSyncFailure], upon which a UE answers
// with an AUTS built from highest (see [Milenage.GenerateAUTS]).
//
// Real USIMs implement TS 33.102 Annex C instead: SQN is split into SEQ
// and an index IND, a small array of previously accepted SEQ values is
// kept, and there may be a limit L on how far ahead SQN may jump. Those
// refinements are not modelled; a replay that depends on them (out of
// order vectors with different IND values) may be flagged here although a
// real USIM would accept it.
func CheckSQN(sqn, highest []byte) error {
	if err := checkLen("SQN", sqn, SQNSize); err != nil {
		return err
	}
	if err := checkLen("highest SQN", highest, SQNSize); err != nil {
		return err
	}
	s, h := sqnValue(sqn), sqnValue(highest)
	if s <= h {
		return fmt.Errorf("%w: SQN %d is not greater than the highest accepted SQN %d", ErrSyncFailure, s, h)
	}
	return nil
}

// SQNFromUint64 encodes n as a 6-byte big-endian SQN. For n above
// [MaxSQN], which does not fit, the error matches [ErrInvalidLength].
func SQNFromUint64(n uint64) ([]byte, error) {
	if n > MaxSQN {
		return nil, fmt.Errorf("%w: SQN %d exceeds 48 bits", ErrInvalidLength, n)
	}
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	out := make([]byte, SQNSize)
	copy(out, b[8-SQNSize:])
	return out, nil
}

// SQNToUint64 decodes a 6-byte big-endian SQN.
func SQNToUint64(sqn []byte) (uint64, error) {
	if err := checkLen("SQN", sqn, SQNSize); err != nil {
		return 0, err
	}
	return sqnValue(sqn), nil
}

func sqnValue(sqn []byte) uint64 {
	var b [8]byte
	copy(b[8-SQNSize:], sqn)
	return binary.BigEndian.Uint64(b[:])
}

// GenerateAUTS builds, on the UE side, the resynchronisation token of TS
// 33.102 6.3.3 for RAND (16 bytes) and SQN_MS (6 bytes, the highest
// sequence number the USIM has accepted):
//
//	MAC-S = f1*(K, SQN_MS || RAND || AMF) with the dummy AMF 0x0000
//	AUTS  = (SQN_MS xor f5*(K, RAND)) || MAC-S
//
// The result has 14 bytes. TS 33.102 6.3.3: "The AMF used to calculate
// MAC-S assumes a dummy value of all zeros so that it does not need to be
// transmitted in the clear in the re-synch message."
func (m *Milenage) GenerateAUTS(rand, sqnMS []byte) (auts []byte, err error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if err := checkLen("RAND", rand, RANDSize); err != nil {
		return nil, err
	}
	if err := checkLen("SQN_MS", sqnMS, SQNSize); err != nil {
		return nil, err
	}
	// One allocation: AUTS, then TEMP, OUT5 (AK*) and OUT1 (MAC-S).
	buf := make([]byte, AUTSSize+3*blockSize)
	auts, buf = cut(buf, AUTSSize)
	t, out1 := buf[:blockSize], buf[2*blockSize:]
	m.temp(t, rand)
	akStar := m.f5starT(buf)
	for i := range SQNSize {
		auts[i] = sqnMS[i] ^ akStar[i]
	}
	var amf [AMFSize]byte // dummy AMF 0x0000
	m.out1(out1, t, sqnMS, amf[:])
	copy(auts[SQNSize:], out1[MACSize:])
	clear(buf)
	return auts, nil
}

// CheckAUTS verifies, on the network side (HSS/AuC, TS 33.102 6.3.5), an
// AUTS (14 bytes) that a UE returned for RAND (16 bytes): it recovers
// SQN_MS with AK* = f5*(K, RAND), computes XMAC-S = f1*(K, SQN_MS || RAND
// || AMF) with the dummy AMF 0x0000 and compares it, in constant time,
// with the MAC-S in the AUTS. It returns SQN_MS (6 bytes), or an error
// matching [ErrMACFailure].
func (m *Milenage) CheckAUTS(rand, auts []byte) (sqnMS []byte, err error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if err := checkLen("RAND", rand, RANDSize); err != nil {
		return nil, err
	}
	if err := checkLen("AUTS", auts, AUTSSize); err != nil {
		return nil, err
	}
	// One allocation: SQN_MS, then TEMP, OUT5 (AK*) and OUT1 (XMAC-S).
	buf := make([]byte, SQNSize+3*blockSize)
	sqnMS, buf = cut(buf, SQNSize)
	t, xmac := buf[:blockSize], buf[2*blockSize:]
	m.temp(t, rand)
	akStar := m.f5starT(buf)
	for i := range sqnMS {
		sqnMS[i] = auts[i] ^ akStar[i]
	}
	var amf [AMFSize]byte // dummy AMF 0x0000
	m.out1(xmac, t, sqnMS, amf[:])
	if subtle.ConstantTimeCompare(xmac[MACSize:], auts[SQNSize:]) != 1 {
		return nil, fmt.Errorf("%w: XMAC-S does not match the MAC-S in AUTS", ErrMACFailure)
	}
	clear(buf)
	return sqnMS, nil
}

// cut splits n bytes, with capacity n, off the front of b.
func cut(b []byte, n int) (head, rest []byte) {
	return b[:n:n], b[n:]
}
