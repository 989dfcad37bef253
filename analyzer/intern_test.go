package analyzer

import (
	"net/netip"
	"testing"
	"unsafe"
)

func TestCloneTogether(t *testing.T) {
	src := []byte("call-1@hostsip:alice@example.comMozilla")
	view := unsafe.String(unsafe.SliceData(src), len(src))
	callID, empty, uri, ua := view[:11], "", view[11:32], view[32:]
	cloneTogether(&callID, &empty, &uri, &ua)
	for i := range src {
		src[i] = 'X' // the copies must not share the source
	}
	if callID != "call-1@host" || empty != "" || uri != "sip:alice@example.com" || ua != "Mozilla" {
		t.Fatalf("got %q %q %q %q", callID, empty, uri, ua)
	}
	a, b := "abc", "de"
	if n := testing.AllocsPerRun(100, func() {
		x, y := a, b
		cloneTogether(&x, &y)
	}); n != 1 {
		t.Errorf("%v allocations; want 1 for all the copies", n)
	}
}

func TestAddrStrings(t *testing.T) {
	var c addrStrings
	for _, a := range []netip.AddrPort{
		netip.MustParseAddrPort("192.0.2.1:5060"),
		netip.MustParseAddrPort("[2001:db8::1]:5061"),
		netip.MustParseAddrPort("[fe80::1%eth0]:5060"),
		{},
	} {
		if got, want := c.text(a), a.String(); got != want {
			t.Errorf("text(%v) = %q; want %q", a, got, want)
		}
		if got := c.text(a); got != a.String() {
			t.Errorf("second text(%v) = %q", a, got)
		}
	}
	a := netip.MustParseAddrPort("192.0.2.1:5060")
	if n := testing.AllocsPerRun(100, func() { c.text(a) }); n != 0 {
		t.Errorf("%v allocations for an address seen before; want 0", n)
	}
	// Full: the table starts again rather than growing.
	for i := range maxAddrStrings + 10 {
		c.text(netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 5060))
	}
	if len(c.m) > maxAddrStrings {
		t.Errorf("%d addresses held; the cap is %d", len(c.m), maxAddrStrings)
	}
	ev := MessageEvent{Src: a}
	if ev.SrcText() != "192.0.2.1:5060" || ev.DstText() != "" {
		t.Errorf("SrcText %q, DstText %q (invalid Dst)", ev.SrcText(), ev.DstText())
	}
}
