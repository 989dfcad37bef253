package aka

import (
	"crypto/aes"
	"crypto/cipher"
	"errors"
)

// Sizes, in bytes, of the AKA parameters (TS 33.102 6.3.7, TS 35.206
// 2.1). RES may be 4 to 16 bytes in general; Milenage's f2 gives 8.
const (
	KeySize  = 16 // K, the subscriber key
	OPSize   = 16 // OP and OPc
	RANDSize = 16 // RAND, the random challenge
	SQNSize  = 6  // SQN, the sequence number
	AMFSize  = 2  // AMF, the authentication management field
	MACSize  = 8  // MAC-A (f1) and MAC-S (f1*)
	RESSize  = 8  // RES and XRES (f2)
	CKSize   = 16 // CK, the cipher key (f3)
	IKSize   = 16 // IK, the integrity key (f4)
	AKSize   = 6  // AK (f5) and AK* (f5*)
	AUTNSize = 16 // (SQN xor AK) || AMF || MAC-A
	AUTSSize = 14 // (SQN_MS xor AK*) || MAC-S
)

// Milenage computes the 3GPP Milenage functions f1, f1*, f2, f3, f4, f5 and
// f5* (TS 35.206) for one subscriber, that is for one K and OPc, with
// AES-128 as the kernel and the standard constants r1..r5 = 64, 0, 32, 64,
// 96 and c1..c5 = 0, 1, 2, 4, 8.
//
// A Milenage is immutable once made and safe for concurrent use. Make it
// with [New] or [NewWithOP]; the methods of a nil or zero Milenage return
// an error. They check the length of every input and return a
// *[LengthError] (matching [ErrInvalidLength]) rather than panic. The
// slices they return are freshly allocated and owned by the caller.
type Milenage struct {
	block cipher.Block // AES-128 keyed with K
	opc   [OPSize]byte
}

// New returns the Milenage functions for subscriber key k and the
// operator variant OPc (16 bytes each), the form an HSS or a USIM
// usually stores.
func New(k, opc []byte) (*Milenage, error) {
	if err := checkLen("OPc", opc, OPSize); err != nil {
		return nil, err
	}
	m, err := newCipher(k)
	if err != nil {
		return nil, err
	}
	copy(m.opc[:], opc)
	return m, nil
}

// NewWithOP is like [New] but takes the operator variant OP and derives
// OPc = AES_K(OP) xor OP from it (TS 35.206 4.1).
func NewWithOP(k, op []byte) (*Milenage, error) {
	if err := checkLen("OP", op, OPSize); err != nil {
		return nil, err
	}
	m, err := newCipher(k)
	if err != nil {
		return nil, err
	}
	m.block.Encrypt(m.opc[:], op)
	xor(m.opc[:], op)
	return m, nil
}

// OPc derives OPc = AES_K(OP) xor OP from subscriber key k and operator
// variant op (16 bytes each), TS 35.206 4.1.
func OPc(k, op []byte) ([]byte, error) {
	m, err := NewWithOP(k, op)
	if err != nil {
		return nil, err
	}
	return m.OPc(), nil
}

func newCipher(k []byte) (*Milenage, error) {
	if err := checkLen("K", k, KeySize); err != nil {
		return nil, err
	}
	b, err := aes.NewCipher(k)
	if err != nil { // cannot happen for a 16-byte key
		return nil, err
	}
	return &Milenage{block: b}, nil
}

// OPc returns a copy of the OPc in use (given to [New] or derived by
// [NewWithOP]), or nil for a nil or zero Milenage.
func (m *Milenage) OPc() []byte {
	if m.check() != nil {
		return nil
	}
	out := make([]byte, OPSize)
	copy(out, m.opc[:])
	return out
}

// F1 computes the network authentication function f1: MAC-A, 8 bytes, from
// RAND (16 bytes), SQN (6) and AMF (2).
func (m *Milenage) F1(rand, sqn, amf []byte) (macA []byte, err error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if err := checkF1(rand, sqn, amf); err != nil {
		return nil, err
	}
	buf := make([]byte, 2*blockSize)
	t, out := buf[:blockSize], buf[blockSize:]
	m.temp(t, rand)
	m.out1(out, t, sqn, amf)
	clear(t)
	return out[:MACSize:MACSize], nil
}

// F1Star computes the resynchronisation message authentication function
// f1*: MAC-S, 8 bytes, from RAND (16 bytes), SQN (6) and AMF (2). For an
// AUTS the AMF is the dummy value 0x0000; [Milenage.GenerateAUTS] and
// [Milenage.CheckAUTS] take care of that.
func (m *Milenage) F1Star(rand, sqn, amf []byte) (macS []byte, err error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if err := checkF1(rand, sqn, amf); err != nil {
		return nil, err
	}
	buf := make([]byte, 2*blockSize)
	t, out := buf[:blockSize], buf[blockSize:]
	m.temp(t, rand)
	m.out1(out, t, sqn, amf)
	clear(t)
	return out[MACSize:], nil
}

// F2345 computes, from RAND (16 bytes), the user authentication function
// f2 (RES, 8 bytes), the key generation functions f3 (CK, 16 bytes) and f4
// (IK, 16 bytes), and the anonymity key function f5 (AK, 6 bytes). The four
// results share one allocation but do not overlap.
func (m *Milenage) F2345(rand []byte) (res, ck, ik, ak []byte, err error) {
	if err := m.check(); err != nil {
		return nil, nil, nil, nil, err
	}
	if err := checkLen("RAND", rand, RANDSize); err != nil {
		return nil, nil, nil, nil, err
	}
	buf := make([]byte, 4*blockSize)
	res, ck, ik, ak = m.f2345(buf, rand)
	return res, ck, ik, ak, nil
}

// F5Star computes the resynchronisation anonymity key function f5*: AK*,
// 6 bytes, from RAND (16 bytes).
func (m *Milenage) F5Star(rand []byte) (akStar []byte, err error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if err := checkLen("RAND", rand, RANDSize); err != nil {
		return nil, err
	}
	buf := make([]byte, 2*blockSize)
	return m.f5star(buf, rand), nil
}

// check returns an error for a nil or zero Milenage.
func (m *Milenage) check() error {
	if m == nil || m.block == nil {
		return errors.New("aka: Milenage not initialised by New or NewWithOP")
	}
	return nil
}

func checkF1(rand, sqn, amf []byte) error {
	if err := checkLen("RAND", rand, RANDSize); err != nil {
		return err
	}
	if err := checkLen("SQN", sqn, SQNSize); err != nil {
		return err
	}
	return checkLen("AMF", amf, AMFSize)
}

// The functions below assume their inputs have been length-checked. They
// work in caller-provided memory so that each exported function makes a
// single allocation that holds its intermediate values and its results.

// blockSize is the AES (and Milenage kernel) block size.
const blockSize = 16

// temp sets t[:16] to TEMP = E_K(RAND xor OPc).
func (m *Milenage) temp(t, rand []byte) {
	t = t[:blockSize]
	for i := range t {
		t[i] = rand[i] ^ m.opc[i]
	}
	m.block.Encrypt(t, t)
}

// out1 sets out[:16] to OUT1 = E_K(TEMP xor rot(IN1 xor OPc, r1) xor c1)
// xor OPc, where t holds TEMP, IN1 = SQN || AMF || SQN || AMF, r1 = 64 and
// c1 = 0. f1 is the first half of OUT1, f1* the second.
func (m *Milenage) out1(out, t, sqn, amf []byte) {
	out, t = out[:blockSize], t[:blockSize]
	for i := range out {
		j := (i + 8) % blockSize // rotation by r1 = 64 bits
		var in1 byte
		if k := j % 8; k < SQNSize {
			in1 = sqn[k]
		} else {
			in1 = amf[k-SQNSize]
		}
		out[i] = t[i] ^ in1 ^ m.opc[j]
	}
	m.block.Encrypt(out, out)
	xor(out, m.opc[:])
}

// outN sets out[:16] to OUTn = E_K(rot(TEMP xor OPc, r) xor c) xor OPc,
// where t holds TEMP, the rotation r is rot bytes and c is the constant
// whose last byte is c (the other bytes of c2..c5 are zero).
func (m *Milenage) outN(out, t []byte, rot int, c byte) {
	out, t = out[:blockSize], t[:blockSize]
	for i := range out {
		j := (i + rot) % blockSize
		out[i] = t[j] ^ m.opc[j]
	}
	out[blockSize-1] ^= c
	m.block.Encrypt(out, out)
	xor(out, m.opc[:])
}

// f2345 computes f2..f5 in buf[:64] and returns RES, CK, IK and AK as
// non-overlapping, capacity-limited slices of it.
func (m *Milenage) f2345(buf, rand []byte) (res, ck, ik, ak []byte) {
	m.temp(buf[:blockSize], rand)
	res, ck, ik, ak = m.f2345T(buf)
	clear(buf[:blockSize])
	return res, ck, ik, ak
}

// f2345T is f2345 for a buf whose first block already holds TEMP.
func (m *Milenage) f2345T(buf []byte) (res, ck, ik, ak []byte) {
	t := buf[0:blockSize]
	out2 := buf[blockSize : 2*blockSize]
	ck = buf[2*blockSize : 3*blockSize : 3*blockSize]
	ik = buf[3*blockSize : 4*blockSize : 4*blockSize]
	m.outN(out2, t, 0, 1) // r2 = 0, c2 = 1
	m.outN(ck, t, 4, 2)   // r3 = 32, c3 = 2
	m.outN(ik, t, 8, 4)   // r4 = 64, c4 = 4
	return out2[8:16:16], ck, ik, out2[:AKSize:AKSize]
}

// f5star computes f5* in buf[:32] and returns AK* as a capacity-limited
// slice of it.
func (m *Milenage) f5star(buf, rand []byte) (akStar []byte) {
	m.temp(buf[:blockSize], rand)
	akStar = m.f5starT(buf)
	clear(buf[:blockSize])
	return akStar
}

// f5starT is f5star for a buf whose first block already holds TEMP.
func (m *Milenage) f5starT(buf []byte) (akStar []byte) {
	t, out5 := buf[:blockSize], buf[blockSize:2*blockSize]
	m.outN(out5, t, 12, 8) // r5 = 96, c5 = 8
	return out5[:AKSize:AKSize]
}

// xor sets dst[i] ^= src[i] for each i < len(dst).
func xor(dst, src []byte) {
	for i := range dst {
		dst[i] ^= src[i]
	}
}
