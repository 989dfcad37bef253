package aka

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

// akaKey mirrors the digest package's AKAKey interface, which Subscriber
// is meant to satisfy (digest/aka does not import digest).
type akaKey interface {
	DigestPassword(nonce string, version int) ([]byte, error)
}

var (
	_ akaKey = Subscriber{}
	_ akaKey = (*Subscriber)(nil)
)

func set1Subscriber(t testing.TB) Subscriber {
	ts := ts35208[0]
	return Subscriber{K: unhex(t, ts.k), OPc: unhex(t, ts.opc), AMF: unhex(t, ts.amf)}
}

func TestSubscriberPassword(t *testing.T) {
	ts := ts35208[0]
	withOPc := set1Subscriber(t)
	withOP := Subscriber{K: unhex(t, ts.k), OP: unhex(t, ts.op)}
	withBoth := Subscriber{K: unhex(t, ts.k), OP: unhex(t, ts.op), OPc: unhex(t, ts.opc)}

	nonce, vec, err := withOPc.Challenge(unhex(t, ts.rand), unhex(t, ts.sqn), []byte("sd"))
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]Subscriber{"OPc": withOPc, "OP": withOP, "both": withBoth} {
		for _, v := range []Version{V1, V2} {
			got, err := s.Password(nonce, v)
			if err != nil {
				t.Fatalf("%s %v: %v", name, v, err)
			}
			if want := Password(v, vec.XRES, vec.IK, vec.CK); !bytes.Equal(got, want) {
				t.Errorf("%s %v: password %x, want %x", name, v, got, want)
			}
			viaInt, err := s.DigestPassword(nonce, int(v))
			if err != nil || !bytes.Equal(viaInt, got) {
				t.Errorf("%s DigestPassword(%d) = %x, %v", name, int(v), viaInt, err)
			}
		}
	}
	// The V1 password is the published f2 of test set 1.
	if p, _ := withOPc.Password(nonce, V1); !bytes.Equal(p, unhex(t, ts.f2)) {
		t.Errorf("V1 password = %x, want f2 %s", p, ts.f2)
	}
	if p, _ := withOPc.Password(nonce, V2); string(p) != "shzt3q8CWaZnCAWqs3WmEQ==" {
		t.Errorf("V2 password = %q", p)
	}
}

func TestSubscriberPasswordErrors(t *testing.T) {
	s := set1Subscriber(t)
	ts := ts35208[0]
	nonce, vec, err := s.Challenge(unhex(t, ts.rand), unhex(t, ts.sqn), nil)
	if err != nil {
		t.Fatal(err)
	}

	// A challenge built with another key fails the MAC check.
	other := Subscriber{K: unhex(t, ts35208[1].k), OPc: s.OPc}
	if _, err := other.Password(nonce, V1); !errors.Is(err, ErrMACFailure) {
		t.Errorf("other K: err = %v, want ErrMACFailure", err)
	}
	// So does a nonce with a tampered AUTN.
	autn := bytes.Clone(vec.AUTN)
	autn[AUTNSize-1] ^= 1
	bad, err := EncodeNonce(vec.RAND, autn, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Password(bad, V2); !errors.Is(err, ErrMACFailure) {
		t.Errorf("tampered AUTN: err = %v, want ErrMACFailure", err)
	}
	if _, err := s.Password("not a nonce!", V1); !errors.Is(err, ErrInvalidNonce) {
		t.Errorf("bad nonce: err = %v, want ErrInvalidNonce", err)
	}
	if _, err := s.Password(nonce, 3); !errors.Is(err, ErrUnsupportedVersion) {
		t.Errorf("version 3: err = %v, want ErrUnsupportedVersion", err)
	}
	if _, err := s.DigestPassword(nonce, 0); !errors.Is(err, ErrUnsupportedVersion) {
		t.Errorf("version 0: err = %v, want ErrUnsupportedVersion", err)
	}

	inconsistent := Subscriber{K: s.K, OPc: s.OPc, OP: unhex(t, ts35208[1].op)}
	if _, err := inconsistent.Password(nonce, V1); !errors.Is(err, ErrInconsistentOPc) {
		t.Errorf("OP and OPc disagree: err = %v, want ErrInconsistentOPc", err)
	}
	if _, err := (Subscriber{K: s.K}).Password(nonce, V1); !errors.Is(err, ErrInvalidLength) {
		t.Errorf("neither OP nor OPc: err = %v, want ErrInvalidLength", err)
	}
	if _, err := (Subscriber{}).Password(nonce, V1); !errors.Is(err, ErrInvalidLength) {
		t.Errorf("zero Subscriber: err = %v, want ErrInvalidLength", err)
	}
}

// TestSubscriberResync plays a synchronisation failure end to end: the
// network challenges with an SQN the UE has already used, the UE detects
// it and answers with an AUTS and the empty password, and the network
// recovers the UE's SQN from the AUTS.
func TestSubscriberResync(t *testing.T) {
	s := set1Subscriber(t)
	m, err := s.Milenage()
	if err != nil {
		t.Fatal(err)
	}
	rand := unhex(t, "000102030405060708090a0b0c0d0e0f")
	ueHighest, _ := SQNFromUint64(0x40)
	stale, _ := SQNFromUint64(0x20)

	nonce, _, err := s.Challenge(rand, stale, nil)
	if err != nil {
		t.Fatal(err)
	}
	// UE side.
	r, autn, _, err := DecodeNonce(nonce)
	if err != nil {
		t.Fatal(err)
	}
	sqn, _, _, _, err := m.CheckAUTN(r, autn)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckSQN(sqn, ueHighest); !errors.Is(err, ErrSyncFailure) {
		t.Fatalf("CheckSQN = %v, want ErrSyncFailure", err)
	}
	auts, err := m.GenerateAUTS(r, ueHighest)
	if err != nil {
		t.Fatal(err)
	}
	autsParam, err := EncodeAUTS(auts)
	if err != nil {
		t.Fatal(err)
	}
	// Network side.
	got, err := s.Resync(nonce, autsParam)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, ueHighest) {
		t.Errorf("Resync = %x, want %x", got, ueHighest)
	}
	// A fresh challenge above SQN_MS is then accepted.
	fresh, _ := SQNFromUint64(0x60)
	if err := CheckSQN(fresh, got); err != nil {
		t.Errorf("CheckSQN(fresh) = %v", err)
	}

	// An AUTS for another RAND does not verify.
	otherNonce, _, err := s.Challenge(unhex(t, ts35208[0].rand), stale, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Resync(otherNonce, autsParam); !errors.Is(err, ErrMACFailure) {
		t.Errorf("AUTS for another RAND: err = %v, want ErrMACFailure", err)
	}
	if _, err := s.Resync(nonce, "AAAA"); !errors.Is(err, ErrInvalidAUTS) {
		t.Errorf("short auts: err = %v, want ErrInvalidAUTS", err)
	}
	if _, err := s.Resync("", autsParam); !errors.Is(err, ErrInvalidNonce) {
		t.Errorf("empty nonce: err = %v, want ErrInvalidNonce", err)
	}
}

// TestWrongLengths calls every function that takes byte slices with
// inputs one byte short, one byte long and nil, and expects a
// *LengthError (never a panic).
func TestWrongLengths(t *testing.T) {
	ts := ts35208[0]
	m := mustMilenage(t, ts.k, ts.opc)
	good := map[string][]byte{
		"k": unhex(t, ts.k), "op": unhex(t, ts.op), "rand": unhex(t, ts.rand),
		"sqn": unhex(t, ts.sqn), "amf": unhex(t, ts.amf), "autn": make([]byte, AUTNSize),
		"auts": make([]byte, AUTSSize),
	}
	calls := []struct {
		name string
		args []string // names of the good inputs, in order
		call func(a [][]byte) error
	}{
		{"New", []string{"k", "op"}, func(a [][]byte) error { _, err := New(a[0], a[1]); return err }},
		{"NewWithOP", []string{"k", "op"}, func(a [][]byte) error { _, err := NewWithOP(a[0], a[1]); return err }},
		{"OPc", []string{"k", "op"}, func(a [][]byte) error { _, err := OPc(a[0], a[1]); return err }},
		{"F1", []string{"rand", "sqn", "amf"}, func(a [][]byte) error { _, err := m.F1(a[0], a[1], a[2]); return err }},
		{"F1Star", []string{"rand", "sqn", "amf"}, func(a [][]byte) error { _, err := m.F1Star(a[0], a[1], a[2]); return err }},
		{"F2345", []string{"rand"}, func(a [][]byte) error { _, _, _, _, err := m.F2345(a[0]); return err }},
		{"F5Star", []string{"rand"}, func(a [][]byte) error { _, err := m.F5Star(a[0]); return err }},
		{"GenerateVector", []string{"rand", "sqn", "amf"}, func(a [][]byte) error { _, err := m.GenerateVector(a[0], a[1], a[2]); return err }},
		{"CheckAUTN", []string{"rand", "autn"}, func(a [][]byte) error { _, _, _, _, err := m.CheckAUTN(a[0], a[1]); return err }},
		{"GenerateAUTS", []string{"rand", "sqn"}, func(a [][]byte) error { _, err := m.GenerateAUTS(a[0], a[1]); return err }},
		{"CheckAUTS", []string{"rand", "auts"}, func(a [][]byte) error { _, err := m.CheckAUTS(a[0], a[1]); return err }},
		{"CheckSQN", []string{"sqn", "sqn"}, func(a [][]byte) error { return CheckSQN(a[0], a[1]) }},
		{"SQNToUint64", []string{"sqn"}, func(a [][]byte) error { _, err := SQNToUint64(a[0]); return err }},
		{"EncodeNonce", []string{"rand", "autn"}, func(a [][]byte) error { _, err := EncodeNonce(a[0], a[1], nil); return err }},
		{"EncodeAUTS", []string{"auts"}, func(a [][]byte) error { _, err := EncodeAUTS(a[0]); return err }},
		{"Subscriber.Milenage", []string{"k", "op"}, func(a [][]byte) error { _, err := Subscriber{K: a[0], OPc: a[1]}.Milenage(); return err }},
		{"Subscriber.Challenge", []string{"rand", "sqn", "amf"}, func(a [][]byte) error {
			s := set1Subscriber(t)
			s.AMF = a[2]
			_, _, err := s.Challenge(a[0], a[1], nil)
			return err
		}},
	}
	for _, c := range calls {
		args := make([][]byte, len(c.args))
		for i, n := range c.args {
			args[i] = good[n]
		}
		// With the right lengths there may be other errors (the zero
		// AUTN and AUTS do not verify, equal SQNs are a sync failure),
		// but not a length error.
		if err := c.call(args); errors.Is(err, ErrInvalidLength) {
			t.Fatalf("%s with good inputs: %v", c.name, err)
		}
		for i := range args {
			for _, mut := range []struct {
				how string
				b   []byte
			}{
				{"short", args[i][:len(args[i])-1]},
				{"long", append(bytes.Clone(args[i]), 0)},
				{"nil", nil},
			} {
				t.Run(fmt.Sprintf("%s/arg%d-%s/%s", c.name, i, c.args[i], mut.how), func(t *testing.T) {
					bad := append([][]byte(nil), args...)
					bad[i] = mut.b
					err := c.call(bad)
					var le *LengthError
					if !errors.Is(err, ErrInvalidLength) || !errors.As(err, &le) {
						t.Fatalf("err = %v, want a *LengthError", err)
					}
					if le.Got != len(mut.b) {
						t.Errorf("LengthError.Got = %d, want %d", le.Got, len(mut.b))
					}
				})
			}
		}
	}
}

func ExampleSubscriber_Password() {
	// 3GPP TS 35.208 test set 1 keys; the network challenges the UE.
	sub := Subscriber{
		K:   []byte{0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f, 0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc},
		OPc: []byte{0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e, 0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf},
		AMF: []byte{0x80, 0x00},
	}
	rand := []byte{0x23, 0x55, 0x3c, 0xbe, 0x96, 0x37, 0xa8, 0x9d, 0x21, 0x8a, 0xe6, 0x4d, 0xae, 0x47, 0xbf, 0x35}
	sqn, _ := SQNFromUint64(0x20)
	nonce, _, err := sub.Challenge(rand, sqn, nil)
	if err != nil {
		fmt.Println(err)
		return
	}

	// The password the UE uses in H(A1): the binary RES for AKAv1-MD5
	// (shown in hex), a base64 string for AKAv2-MD5.
	for _, alg := range []string{"AKAv1-MD5", "AKAv2-MD5"} {
		v, _ := ParseAlgorithm(alg)
		pw, err := sub.Password(nonce, v)
		if err != nil {
			fmt.Println(err)
			return
		}
		if v == V1 {
			fmt.Printf("%s: %x\n", alg, pw)
		} else {
			fmt.Printf("%s: %s\n", alg, pw)
		}
	}
	// Output:
	// AKAv1-MD5: a54211d5e3ba50bf
	// AKAv2-MD5: shzt3q8CWaZnCAWqs3WmEQ==
}
