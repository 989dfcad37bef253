package pcapgen

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/hex"
	"io"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

var (
	tA = netip.MustParseAddrPort("192.0.2.1:40000")
	tB = netip.MustParseAddrPort("198.51.100.2:40002")
	t6 = netip.MustParseAddrPort("[2001:db8::1]:40000")
	u6 = netip.MustParseAddrPort("[2001:db8::2]:40002")
)

func mustDecode(t *testing.T, frame []byte, lt layers.LinkType) gopacket.Packet {
	t.Helper()
	p := gopacket.NewPacket(frame, lt, gopacket.Default)
	if el := p.ErrorLayer(); el != nil {
		t.Fatalf("decode error: %v", el.Error())
	}
	return p
}

func TestLinkFrames(t *testing.T) {
	ip4, err := BuildUDP(tA, tB, []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	ip6, err := BuildUDP(t6, u6, []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		link Link
		ip   []byte
		lt   layers.LinkType
		want []gopacket.LayerType
	}{
		{Link{Type: LinkEthernet}, ip4, layers.LinkTypeEthernet, []gopacket.LayerType{layers.LayerTypeEthernet, layers.LayerTypeIPv4, layers.LayerTypeUDP}},
		{Link{Type: LinkEthernet, VLAN: []uint16{7}}, ip6, layers.LinkTypeEthernet, []gopacket.LayerType{layers.LayerTypeEthernet, layers.LayerTypeDot1Q, layers.LayerTypeIPv6, layers.LayerTypeUDP}},
		{Link{Type: LinkEthernet, VLAN: []uint16{8, 9}}, ip4, layers.LinkTypeEthernet, []gopacket.LayerType{layers.LayerTypeEthernet, layers.LayerTypeDot1Q, layers.LayerTypeDot1Q, layers.LayerTypeIPv4, layers.LayerTypeUDP}},
		{Link{Type: LinkSLL}, ip4, layers.LinkTypeLinuxSLL, []gopacket.LayerType{layers.LayerTypeLinuxSLL, layers.LayerTypeIPv4, layers.LayerTypeUDP}},
		{Link{Type: LinkSLL2}, ip6, layers.LinkTypeLinuxSLL2, []gopacket.LayerType{layers.LayerTypeLinuxSLL2, layers.LayerTypeIPv6, layers.LayerTypeUDP}},
		{Link{Type: LinkNull}, ip4, layers.LinkTypeNull, []gopacket.LayerType{layers.LayerTypeLoopback, layers.LayerTypeIPv4, layers.LayerTypeUDP}},
		{Link{Type: LinkNull, AF6: AFInet6BSD}, ip6, layers.LinkTypeNull, []gopacket.LayerType{layers.LayerTypeLoopback, layers.LayerTypeIPv6, layers.LayerTypeUDP}},
		{Link{Type: LinkRaw}, ip6, layers.LinkTypeRaw, []gopacket.LayerType{layers.LayerTypeIPv6, layers.LayerTypeUDP}},
		// gopacket cannot decode link types 228/229; their frames are bare IP.
		{Link{Type: LinkIPv4}, ip4, layers.LinkTypeRaw, []gopacket.LayerType{layers.LayerTypeIPv4, layers.LayerTypeUDP}},
		{Link{Type: LinkIPv6}, ip6, layers.LinkTypeRaw, []gopacket.LayerType{layers.LayerTypeIPv6, layers.LayerTypeUDP}},
	}
	for i, tc := range cases {
		f, err := tc.link.Frame(tc.ip)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		p := mustDecode(t, f, tc.lt)
		var got []gopacket.LayerType
		for _, l := range p.Layers() {
			if l.LayerType() != gopacket.LayerTypePayload {
				got = append(got, l.LayerType())
			}
		}
		if len(got) != len(tc.want) {
			t.Fatalf("case %d: layers %v, want %v", i, got, tc.want)
		}
		for j := range got {
			if got[j] != tc.want[j] {
				t.Fatalf("case %d: layers %v, want %v", i, got, tc.want)
			}
		}
		if app := p.ApplicationLayer(); app == nil || string(app.Payload()) != "hello" {
			t.Errorf("case %d: payload %v", i, app)
		}
	}
	// QinQ: outer TPID 0x88a8, inner 0x8100.
	f, _ := Link{Type: LinkEthernet, VLAN: []uint16{200, 100}}.Frame(ip4)
	if got := hex.EncodeToString(f[12:22]); got != "88a800c8810000640800" {
		t.Errorf("QinQ tags %s", got)
	}
	// SLL2 header by hand: protocol, reserved, ifindex, ARPHRD, type, addr len.
	f, _ = Link{Type: LinkSLL2, IfIndex: 5, Local: tA.Addr()}.Frame(ip4)
	if got := hex.EncodeToString(f[:12]); got != "080000000000000500010406" {
		t.Errorf("SLL2 header %s", got)
	}
	f, _ = Link{Type: LinkNull}.Frame(ip6)
	if binary.LittleEndian.Uint32(f) != AFInet6Darwin {
		t.Errorf("NULL AF %x", f[:4])
	}
	if _, err := (Link{Type: LinkIPv4}).Frame(ip6); err == nil {
		t.Error("IPv6 on LinkIPv4 accepted")
	}
}

func TestBuildTCP(t *testing.T) {
	ip, err := BuildTCP(tA, tB, TCPSegment{Seq: 100, Ack: 200, Flags: PSH | ACK, Payload: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	p := mustDecode(t, ip, layers.LinkTypeRaw)
	tcp := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
	if tcp.Seq != 100 || tcp.Ack != 200 || !tcp.PSH || !tcp.ACK || tcp.SYN || tcp.Window != 65535 {
		t.Errorf("tcp %+v", tcp)
	}
	ip4 := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
	if gopacket.FoldChecksum(gopacket.ComputeChecksum(ip[:20], 0)) != 0 {
		t.Errorf("bad IPv4 checksum %x", ip4.Checksum)
	}
}

// reassemble rebuilds the datagram from fragments given as (offset, data).
func reassemble(t *testing.T, pieces map[int][]byte) []byte {
	t.Helper()
	var offs []int
	for o := range pieces {
		offs = append(offs, o)
	}
	sort.Ints(offs)
	var out []byte
	for _, o := range offs {
		if o != len(out) {
			t.Fatalf("gap at %d", o)
		}
		out = append(out, pieces[o]...)
	}
	return out
}

func TestFragmentUDP4(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789"), 300)
	frags, err := FragmentUDP4(tA, tB, payload, 77, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(frags) != 4 {
		t.Fatalf("%d fragments", len(frags))
	}
	pieces := map[int][]byte{}
	for i, f := range frags {
		ip := mustDecode(t, f, layers.LinkTypeRaw).Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		mf := ip.Flags&layers.IPv4MoreFragments != 0
		if ip.Id != 77 || mf != (i < 3) || len(ip.Payload) > 1000 {
			t.Errorf("fragment %d: id %d flags %v len %d", i, ip.Id, ip.Flags, len(ip.Payload))
		}
		pieces[int(ip.FragOffset)*8] = ip.Payload
	}
	dgram := reassemble(t, pieces)
	whole, _ := BuildUDP(tA, tB, payload)
	if !bytes.Equal(dgram, whole[20:]) {
		t.Error("reassembled datagram differs from the unfragmented one")
	}
}

func TestFragmentUDP6(t *testing.T) {
	payload := bytes.Repeat([]byte("abcdefgh"), 400)
	frags, err := FragmentUDP6(t6, u6, payload, 0xdeadbeef, 1200, IPv6Ext{HopByHop: true, DestOpts: true})
	if err != nil {
		t.Fatal(err)
	}
	pieces := map[int][]byte{}
	for i, f := range frags {
		p := mustDecode(t, f, layers.LinkTypeRaw)
		if p.Layer(layers.LayerTypeIPv6HopByHop) == nil || p.Layer(layers.LayerTypeIPv6Destination) == nil {
			t.Fatalf("fragment %d: missing extension headers: %v", i, p.Layers())
		}
		fh := p.Layer(layers.LayerTypeIPv6Fragment).(*layers.IPv6Fragment)
		if fh.Identification != 0xdeadbeef || fh.MoreFragments != (i < len(frags)-1) {
			t.Errorf("fragment %d: %+v", i, fh)
		}
		pieces[int(fh.FragmentOffset)*8] = fh.Payload
	}
	dgram := reassemble(t, pieces)
	whole, _ := BuildUDP(t6, u6, payload)
	if !bytes.Equal(dgram, whole[40:]) {
		t.Error("reassembled datagram differs from the unfragmented one")
	}
	ext, err := BuildUDP6Ext(t6, u6, []byte("hi"), IPv6Ext{DestOpts: true})
	if err != nil {
		t.Fatal(err)
	}
	p := mustDecode(t, ext, layers.LinkTypeRaw)
	if p.Layer(layers.LayerTypeIPv6Destination) == nil || p.Layer(layers.LayerTypeUDP) == nil {
		t.Errorf("BuildUDP6Ext layers %v", p.Layers())
	}
}

func TestBuildSCTPData(t *testing.T) {
	ip, err := BuildSCTPData(tA, tB, 0x01020304, SCTPChunk{TSN: 9, Payload: []byte("abcde")}, SCTPChunk{TSN: 10, Payload: []byte("xyz")})
	if err != nil {
		t.Fatal(err)
	}
	p := gopacket.NewPacket(ip, layers.LinkTypeRaw, gopacket.Default)
	var data []*layers.SCTPData
	for _, l := range p.Layers() {
		if d, ok := l.(*layers.SCTPData); ok {
			data = append(data, d)
		}
	}
	if len(data) != 2 || string(data[0].Payload) != "abcde" || string(data[1].Payload) != "xyz" ||
		!data[0].BeginFragment || !data[0].EndFragment || data[1].TSN != 10 {
		t.Fatalf("chunks %+v", data)
	}
}

func TestPcapWriterFlavours(t *testing.T) {
	ts := BaseTime.Add(1500*time.Millisecond + 123*time.Nanosecond)
	pkts := []Packet{{Time: ts, Data: []byte{1, 2, 3}}}
	for _, tc := range []struct {
		opt   PcapOptions
		magic string
		frac  int
	}{
		{PcapOptions{}, "d4c3b2a1", 500000000},
		{PcapOptions{BigEndian: true}, "a1b2c3d4", 500000000},
		{PcapOptions{Nanosecond: true}, "4d3cb2a1", 500000123},
		{PcapOptions{BigEndian: true, Nanosecond: true}, "a1b23c4d", 500000123},
	} {
		var b bytes.Buffer
		if err := WritePcap(&b, LinkRaw, pkts, tc.opt); err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(b.Bytes()[:4]); got != tc.magic {
			t.Errorf("%+v: magic %s, want %s", tc.opt, got, tc.magic)
		}
		if b.Len() != 24+16+3 {
			t.Errorf("%+v: length %d", tc.opt, b.Len())
		}
		r, err := pcapgo.NewReader(bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		data, ci, err := r.ReadPacketData()
		if err != nil {
			t.Fatal(err)
		}
		want := BaseTime.Add(time.Duration(1e9 + tc.frac))
		if !ci.Timestamp.Equal(want) || !bytes.Equal(data, []byte{1, 2, 3}) || r.LinkType() != layers.LinkTypeRaw {
			t.Errorf("%+v: read back %v %v %v", tc.opt, ci.Timestamp, data, r.LinkType())
		}
	}
}

func TestPcapNG(t *testing.T) {
	c := NewCapture(Link{Type: LinkEthernet, Name: "eth0"}, Link{Type: LinkSLL2, Name: "any"}, Link{Type: LinkRaw})
	for i := range 6 {
		c.Iface = i % 3
		c.UDP(tA, tB, Raw(strconv.Itoa(i)))
	}
	data, err := c.PcapNG()
	if err != nil {
		t.Fatal(err)
	}
	r, err := pcapgo.NewNgReader(bytes.NewReader(data), pcapgo.NgReaderOptions{WantMixedLinkType: true})
	if err != nil {
		t.Fatal(err)
	}
	wantLT := []layers.LinkType{layers.LinkTypeEthernet, layers.LinkTypeLinuxSLL2, layers.LinkTypeRaw}
	for i := range 6 {
		frame, ci, err := r.ReadPacketData()
		if err != nil {
			t.Fatal(err)
		}
		if ci.InterfaceIndex != i%3 || !ci.Timestamp.Equal(BaseTime.Add(time.Duration(i)*DefaultStep)) {
			t.Errorf("packet %d: iface %d time %v", i, ci.InterfaceIndex, ci.Timestamp)
		}
		p := mustDecode(t, frame, wantLT[i%3])
		if app := p.ApplicationLayer(); app == nil || string(app.Payload()) != strconv.Itoa(i) {
			t.Errorf("packet %d: payload %v", i, app)
		}
	}
	if _, _, err := r.ReadPacketData(); err != io.EOF {
		t.Errorf("after last packet: %v", err)
	}
	if r.NInterfaces() != 3 {
		t.Errorf("%d interfaces", r.NInterfaces())
	}
}

func TestGzip(t *testing.T) {
	in := bytes.Repeat([]byte("SIP/2.0 200 OK\r\n"), 50)
	z := Gzip(in)
	if !bytes.Equal(z, Gzip(in)) {
		t.Error("Gzip not deterministic")
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(out, in) {
		t.Errorf("round trip: %v", err)
	}
}

func TestFlow(t *testing.T) {
	c := NewCapture(Link{Type: LinkRaw})
	f := c.NewFlow(tA, tB, 999, 4999)
	f.Handshake()
	f.SendWith(ToServer, SendOpts{Sizes: []int{3, 4}, Order: []int{0, 2, 1}, Retransmit: []int{2}}, Raw("abcdefghijk"))
	f.Send(ToClient, Raw("OK"))
	f.Close(ToServer)
	if err := c.Err(); err != nil {
		t.Fatal(err)
	}
	type seg struct {
		seq, ack uint32
		flags    string
		data     string
	}
	var got []seg
	for _, p := range c.Packets {
		tcp := mustDecode(t, p.Data, layers.LinkTypeRaw).Layer(layers.LayerTypeTCP).(*layers.TCP)
		fl := ""
		for _, x := range []struct {
			on bool
			s  string
		}{{tcp.SYN, "S"}, {tcp.FIN, "F"}, {tcp.PSH, "P"}, {tcp.ACK, "A"}} {
			if x.on {
				fl += x.s
			}
		}
		got = append(got, seg{tcp.Seq, tcp.Ack, fl, string(tcp.Payload)})
	}
	want := []seg{
		{999, 0, "S", ""}, {4999, 1000, "SA", ""}, {1000, 5000, "A", ""},
		{1000, 5000, "PA", "abc"}, {1007, 5000, "PA", "hijk"}, {1007, 5000, "PA", "hijk"}, {1003, 5000, "PA", "defg"},
		{5000, 1011, "A", ""},
		{5000, 1011, "PA", "OK"}, {1011, 5002, "A", ""},
		{1011, 5002, "FA", ""}, {5002, 1012, "FA", ""}, {1012, 5003, "A", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d segments: %+v", len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("segment %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestMessageContentLength(t *testing.T) {
	ua := UA{User: "alice", Domain: "example.com", Addr: tA}
	inv := Invite(ua, "sip:bob@example.com", "c1", 1, SDP(tA.Addr(), 4000, 1, 500))
	for _, m := range []*Message{inv, inv.Compact(), Response(inv, 180, "Ringing"), Register(ua, "r", 1)} {
		b := string(m.Bytes())
		head, body, ok := strings.Cut(b, "\r\n\r\n")
		if !ok {
			t.Fatal("no header end")
		}
		var cl string
		for _, line := range strings.Split(head, "\r\n") {
			if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
				cl = v
			} else if v, ok := strings.CutPrefix(line, "l: "); ok {
				cl = v
			}
		}
		if cl != strconv.Itoa(len(body)) {
			t.Errorf("Content-Length %q for a %d-byte body", cl, len(body))
		}
	}
	cm := string(inv.Compact().Bytes())
	for _, h := range []string{"\r\nv: ", "\r\nf: ", "\r\nt: ", "\r\ni: ", "\r\nl: ", "\r\nc: application/sdp"} {
		if !strings.Contains(cm, h) {
			t.Errorf("compact form lacks %q", h)
		}
	}
	if r := Response(inv, 200, "OK"); !strings.Contains(r.Get("To"), ";tag=") || r.Get("CSeq") != "1 INVITE" {
		t.Errorf("response headers %v", r.Headers)
	}
}

func TestDigestResponse(t *testing.T) {
	// RFC 2617 section 3.5.
	got := DigestResponse("Mufasa", "Circle Of Life", "testrealm@host.com",
		"dcd98b7102dd2f0e8b11d0f600bfb0c093", "GET", "/dir/index.html", "auth", "00000001", "0a4f113b")
	if got != "6629fae49393a05397450978507c4ef1" {
		t.Errorf("digest %s", got)
	}
}

func TestWSFrame(t *testing.T) {
	// RFC 6455 section 5.7 examples.
	for _, tc := range []struct {
		got  []byte
		want string
	}{
		{WSFrame(true, WSText, nil, []byte("Hello")), "810548656c6c6f"},
		{WSFrame(true, WSText, []byte{0x37, 0xfa, 0x21, 0x3d}, []byte("Hello")), "818537fa213d7f9f4d5158"},
		{WSFrame(false, WSText, nil, []byte("Hel")), "010348656c"},
		{WSFrame(true, WSContinuation, nil, []byte("lo")), "80026c6f"},
		{WSFrame(true, WSPing, nil, []byte("Hello")), "890548656c6c6f"},
		{WSFrame(true, WSBinary, nil, make([]byte, 256))[:4], "827e0100"},
		{WSFrame(true, WSBinary, nil, make([]byte, 65536))[:10], "827f0000000000010000"},
	} {
		if h := hex.EncodeToString(tc.got); h != tc.want {
			t.Errorf("frame %s, want %s", h, tc.want)
		}
	}
	if got := WSAccept("dGhlIHNhbXBsZSBub25jZQ=="); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Errorf("accept %s", got)
	}
}

func TestHEP3(t *testing.T) {
	h := HEP3{Src: tA, Dst: tB, Time: BaseTime.Add(1500 * time.Microsecond), CaptureID: 7, Payload: []byte("OPTIONS")}
	b := h.Bytes()
	if string(b[:4]) != "HEP3" || int(binary.BigEndian.Uint16(b[4:])) != len(b) {
		t.Fatalf("header %x", b[:6])
	}
	chunks := map[uint16][]byte{}
	for off := 6; off < len(b); {
		typ, n := binary.BigEndian.Uint16(b[off+2:]), int(binary.BigEndian.Uint16(b[off+4:]))
		if binary.BigEndian.Uint16(b[off:]) != 0 || n < 6 || off+n > len(b) {
			t.Fatalf("bad chunk at %d", off)
		}
		chunks[typ] = b[off+6 : off+n]
		off += n
	}
	want := map[uint16]string{
		1: "02", 2: "11", 3: "c0000201", 4: "c6336402", 7: "9c40", 8: "9c42",
		9: "65e19910", 0xa: "000005dc", 0xb: "01", 0xc: "00000007", 0xf: hex.EncodeToString([]byte("OPTIONS")),
	}
	if len(chunks) != len(want) {
		t.Errorf("%d chunks, want %d", len(chunks), len(want))
	}
	for typ, v := range want {
		if got := hex.EncodeToString(chunks[typ]); got != v {
			t.Errorf("chunk %#x = %s, want %s", typ, got, v)
		}
	}
}

func TestCaptureCounts(t *testing.T) {
	c := NewCapture()
	ua := UA{User: "a", Domain: "example.com", Addr: tA}
	r := Register(ua, "x", 1)
	c.UDP(tA, tB, r)
	c.UDP(tB, tA, Challenge(r, "example.com", "n"))
	c.UDP(tA, tB, Raw("\r\n\r\n"))
	if c.Want.Requests["REGISTER"] != 1 || c.Want.Responses["401"] != 1 || c.Want.Total() != 2 {
		t.Errorf("counts %+v", c.Want)
	}
	if len(c.Transports) != 1 || c.Transports[0] != "udp" {
		t.Errorf("transports %v", c.Transports)
	}
	c.Iface = 3
	c.UDP(tA, tB, Raw("x"))
	if c.Err() == nil {
		t.Error("packet on a missing interface accepted")
	}
}

func TestFixturesDeterministic(t *testing.T) {
	a, err := Fixtures()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Fixtures()
	for i := range a {
		if !bytes.Equal(a[i].Data, b[i].Data) {
			t.Errorf("%s differs between two runs", a[i].Name)
		}
		if len(a[i].Data) > 16<<10 {
			t.Errorf("%s is %d bytes", a[i].Name, len(a[i].Data))
		}
	}
}
