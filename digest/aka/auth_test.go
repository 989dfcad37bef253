package aka

import (
	"bytes"
	"errors"
	"testing"
)

func mustMilenage(t testing.TB, k, opc string) *Milenage {
	t.Helper()
	m, err := New(unhex(t, k), unhex(t, opc))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestGenerateVectorTS35208 checks the vector of every TS 35.208 test set
// against AUTN = (SQN xor f5) || AMF || f1 (TS 33.102 6.3.2) built from the
// published values, and CheckAUTN on it.
func TestGenerateVectorTS35208(t *testing.T) {
	for _, ts := range ts35208 {
		t.Run(ts.name, func(t *testing.T) {
			m := mustMilenage(t, ts.k, ts.opc)
			rand, sqn, amf := unhex(t, ts.rand), unhex(t, ts.sqn), unhex(t, ts.amf)
			v, err := m.GenerateVector(rand, sqn, amf)
			if err != nil {
				t.Fatal(err)
			}
			ak := unhex(t, ts.f5)
			want := make([]byte, 0, AUTNSize)
			for i := range sqn {
				want = append(want, sqn[i]^ak[i])
			}
			want = append(want, amf...)
			want = append(want, unhex(t, ts.f1)...)
			for _, c := range []struct {
				what string
				got  []byte
				want []byte
			}{
				{"RAND", v.RAND, rand}, {"AUTN", v.AUTN, want}, {"XRES", v.XRES, unhex(t, ts.f2)},
				{"CK", v.CK, unhex(t, ts.f3)}, {"IK", v.IK, unhex(t, ts.f4)}, {"AK", v.AK, ak},
			} {
				if !bytes.Equal(c.got, c.want) {
					t.Errorf("%s = %x, want %x", c.what, c.got, c.want)
				}
			}

			gotSQN, res, ck, ik, err := m.CheckAUTN(rand, v.AUTN)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(gotSQN, sqn) || !bytes.Equal(res, v.XRES) || !bytes.Equal(ck, v.CK) || !bytes.Equal(ik, v.IK) {
				t.Errorf("CheckAUTN = %x %x %x %x, want %x %x %x %x", gotSQN, res, ck, ik, sqn, v.XRES, v.CK, v.IK)
			}
		})
	}
}

// TestAUTNPublished checks an AUTN published as such: free5gc/util
// milenage/milenage_test.go (TestRAND) builds it from the inputs of 3GPP
// TS 35.208 test set 19 (its f1 2a5c23d15ee351d5 and f5 ada15aeb7bb8 agree
// with hostap tests/test-milenage.c).
func TestAUTNPublished(t *testing.T) {
	op := unhex(t, "c9e8763286b5b9ffbdf56e1297d0887b")
	m, err := NewWithOP(unhex(t, "5122250214c33e723a5dd523fc145fc0"), op)
	if err != nil {
		t.Fatal(err)
	}
	rand := unhex(t, "81e92b6c0ee0e12ebceba8d92a99dfa5")
	v, err := m.GenerateVector(rand, unhex(t, "16f3b3f70fc2"), unhex(t, "c3ab"))
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, "bb52e91c747ac3ab2a5c23d15ee351d5"); !bytes.Equal(v.AUTN, want) {
		t.Errorf("AUTN = %x, want %x", v.AUTN, want)
	}
	if want := unhex(t, "28d7b0f2a2ec3de5"); !bytes.Equal(v.XRES, want) {
		t.Errorf("XRES = %x, want %x", v.XRES, want)
	}
}

func TestCheckAUTNFlippedBits(t *testing.T) {
	ts := ts35208[2]
	m := mustMilenage(t, ts.k, ts.opc)
	rand := unhex(t, ts.rand)
	v, err := m.GenerateVector(rand, unhex(t, ts.sqn), unhex(t, ts.amf))
	if err != nil {
		t.Fatal(err)
	}
	// Every bit of the AUTN is covered by the MAC: the MAC-A itself, AMF,
	// and (SQN xor AK), which changes the SQN fed to f1.
	for bit := range 8 * AUTNSize {
		autn := bytes.Clone(v.AUTN)
		autn[bit/8] ^= 0x80 >> (bit % 8)
		sqn, res, ck, ik, err := m.CheckAUTN(rand, autn)
		if !errors.Is(err, ErrMACFailure) {
			t.Fatalf("bit %d flipped: err = %v, want ErrMACFailure", bit, err)
		}
		if sqn != nil || res != nil || ck != nil || ik != nil {
			t.Fatalf("bit %d flipped: values returned with the error", bit)
		}
	}
	// A different RAND does not verify either.
	other := bytes.Clone(rand)
	other[0] ^= 1
	if _, _, _, _, err := m.CheckAUTN(other, v.AUTN); !errors.Is(err, ErrMACFailure) {
		t.Fatalf("other RAND: err = %v, want ErrMACFailure", err)
	}
	// Nor does another subscriber's key.
	m2 := mustMilenage(t, ts35208[3].k, ts.opc)
	if _, _, _, _, err := m2.CheckAUTN(rand, v.AUTN); !errors.Is(err, ErrMACFailure) {
		t.Fatalf("other K: err = %v, want ErrMACFailure", err)
	}
}

// ts35208Set20 holds K, OPc and RAND of 3GPP TS 35.208 V6.0.0 section
// 4.3.20 Test Set 20 (f5* = 4f2039392ddc), as in hostap
// tests/test-milenage.c, whose milenage_auts test verifies the AUTS below
// with the dummy AMF 0x0000.
const (
	set20K    = "90dca4eda45b53cf0f12d7c9c3bc6a89"
	set20OPc  = "cb9cccc4b9258e6dca4760379fb82581"
	set20RAND = "9fddc72092c6ad036b6e464789315b78"
	set20AUTS = "4f2039392ddd" + "4bb4316ed4a14688" // SQN_MS xor f5*, MAC-S
)

func TestAUTSPublished(t *testing.T) {
	m := mustMilenage(t, set20K, set20OPc)
	rand := unhex(t, set20RAND)

	akStar, err := m.F5Star(rand)
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, "4f2039392ddc"); !bytes.Equal(akStar, want) {
		t.Fatalf("f5* = %x, want %x (TS 35.208 test set 20)", akStar, want)
	}

	sqnMS, err := m.CheckAUTS(rand, unhex(t, set20AUTS))
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, "000000000001"); !bytes.Equal(sqnMS, want) {
		t.Errorf("SQN_MS = %x, want %x", sqnMS, want)
	}
	auts, err := m.GenerateAUTS(rand, sqnMS)
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, set20AUTS); !bytes.Equal(auts, want) {
		t.Errorf("GenerateAUTS = %x, want %x", auts, want)
	}

	// hostap's second case, "AUTS from a test USIM", with the same K and
	// OPc and RAND = aa..aa.
	usimRAND := bytes.Repeat([]byte{0xaa}, RANDSize)
	sqnMS, err = m.CheckAUTS(usimRAND, unhex(t, "43681ad3daf006bcde405a207267"))
	if err != nil {
		t.Fatalf("AUTS from a test USIM: %v", err)
	}
	t.Logf("AUTS from a test USIM: SQN_MS = %x", sqnMS)
}

func TestAUTSRoundTrip(t *testing.T) {
	for _, ts := range ts35208 {
		t.Run(ts.name, func(t *testing.T) {
			m := mustMilenage(t, ts.k, ts.opc)
			rand, sqnMS := unhex(t, ts.rand), unhex(t, ts.sqn)
			auts, err := m.GenerateAUTS(rand, sqnMS)
			if err != nil {
				t.Fatal(err)
			}
			if len(auts) != AUTSSize {
				t.Fatalf("len(AUTS) = %d", len(auts))
			}
			// AUTS = (SQN_MS xor f5*) || f1*(SQN_MS, RAND, AMF 0x0000).
			akStar := unhex(t, ts.f5s)
			for i := range SQNSize {
				if auts[i] != sqnMS[i]^akStar[i] {
					t.Fatalf("AUTS[:6] = %x, want SQN_MS xor f5*", auts[:SQNSize])
				}
			}
			macS, err := m.F1Star(rand, sqnMS, []byte{0, 0})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(auts[SQNSize:], macS) {
				t.Fatalf("AUTS[6:] = %x, want f1* with AMF 0000 = %x", auts[SQNSize:], macS)
			}

			got, err := m.CheckAUTS(rand, auts)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, sqnMS) {
				t.Fatalf("CheckAUTS = %x, want %x", got, sqnMS)
			}
			for bit := range 8 * AUTSSize {
				bad := bytes.Clone(auts)
				bad[bit/8] ^= 0x80 >> (bit % 8)
				if sqn, err := m.CheckAUTS(rand, bad); !errors.Is(err, ErrMACFailure) || sqn != nil {
					t.Fatalf("bit %d flipped: CheckAUTS = %x, %v; want ErrMACFailure", bit, sqn, err)
				}
			}
		})
	}
}

func TestCheckSQN(t *testing.T) {
	for _, c := range []struct {
		sqn, highest uint64
		ok           bool
	}{
		{1, 0, true},
		{0, 0, false},
		{32, 31, true},
		{31, 32, false},
		{32, 32, false},
		{MaxSQN, MaxSQN - 1, true},
		{0, MaxSQN, false},
	} {
		sqn, err := SQNFromUint64(c.sqn)
		if err != nil {
			t.Fatal(err)
		}
		highest, err := SQNFromUint64(c.highest)
		if err != nil {
			t.Fatal(err)
		}
		err = CheckSQN(sqn, highest)
		if c.ok && err != nil {
			t.Errorf("CheckSQN(%d, %d) = %v, want nil", c.sqn, c.highest, err)
		}
		if !c.ok && !errors.Is(err, ErrSyncFailure) {
			t.Errorf("CheckSQN(%d, %d) = %v, want ErrSyncFailure", c.sqn, c.highest, err)
		}
	}
}

func TestSQNConversion(t *testing.T) {
	for _, n := range []uint64{0, 1, 0x20, 0xff9bb4d0b607, MaxSQN} {
		b, err := SQNFromUint64(n)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) != SQNSize {
			t.Fatalf("len = %d", len(b))
		}
		got, err := SQNToUint64(b)
		if err != nil || got != n {
			t.Errorf("SQNToUint64(SQNFromUint64(%d)) = %d, %v", n, got, err)
		}
	}
	if b, _ := SQNFromUint64(0xff9bb4d0b607); !bytes.Equal(b, unhex(t, "ff9bb4d0b607")) {
		t.Errorf("SQNFromUint64 = %x, want big-endian", b)
	}
	if _, err := SQNFromUint64(MaxSQN + 1); !errors.Is(err, ErrInvalidLength) {
		t.Errorf("SQNFromUint64(2^48) err = %v, want ErrInvalidLength", err)
	}
	if _, err := SQNToUint64(make([]byte, 8)); !errors.Is(err, ErrInvalidLength) {
		t.Errorf("SQNToUint64(8 bytes) err = %v, want ErrInvalidLength", err)
	}
}
