package capture

import (
	"net/netip"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/reassembly"
)

// tcpKey names a connection whichever way its packets go.
type tcpKey struct{ a, b netip.AddrPort }

func newTCPKey(src, dst netip.AddrPort) tcpKey {
	if src.Compare(dst) < 0 {
		return tcpKey{src, dst}
	}
	return tcpKey{dst, src}
}

// tcpContext carries a segment's frame number and time through the
// reassembler to the bytes it delivers (reassembly.AssemblerContext).
type tcpContext struct {
	ci    gopacket.CaptureInfo
	frame int
	anc   [1]any
}

func (c *tcpContext) GetCaptureInfo() gopacket.CaptureInfo { return c.ci }

func newTCPContext(frame int, ts time.Time) *tcpContext {
	c := &tcpContext{frame: frame}
	c.ci.Timestamp = ts
	c.anc[0] = c
	c.ci.AncillaryData = c.anc[:]
	return c
}

// frameOf recovers what newTCPContext stored in a CaptureInfo.
func frameOf(ci gopacket.CaptureInfo) (int, time.Time) {
	if len(ci.AncillaryData) == 1 {
		if c, ok := ci.AncillaryData[0].(*tcpContext); ok {
			return c.frame, c.ci.Timestamp
		}
	}
	return 0, ci.Timestamp
}

// tcpConn is one TCP connection: the reassembly.Stream of both directions.
type tcpConn struct {
	d       *Decoder
	key     tcpKey
	dirs    [2]*stream // as reassembly sees them: client to server first
	tls, ws bool
}

// New implements reassembly.StreamFactory. The packet being assembled
// opened the connection, so its source is the client.
func (d *Decoder) New(_, _ gopacket.Flow, _ *layers.TCP, _ reassembly.AssemblerContext) reassembly.Stream {
	c := &tcpConn{d: d, key: newTCPKey(d.cur.src, d.cur.dst)}
	c.dirs[0] = &stream{d: d, conn: c, src: d.cur.src, dst: d.cur.dst}
	c.dirs[1] = &stream{d: d, conn: c, src: d.cur.dst, dst: d.cur.src}
	d.conns[c.key] = c
	d.stats.TCPConnections++
	return c
}

// Accept implements reassembly.Stream: every segment is taken, and a
// connection whose handshake was not captured starts at its first
// segment (the framer then resynchronises on the next start line).
func (c *tcpConn) Accept(tcp *layers.TCP, _ gopacket.CaptureInfo, _ reassembly.TCPFlowDirection, nextSeq reassembly.Sequence, start *bool, _ reassembly.AssemblerContext) bool {
	if nextSeq == -1 && !tcp.SYN {
		*start = true
	}
	return true
}

// ReassembledSG implements reassembly.Stream: in-order bytes of one
// direction, possibly several segments at once.
func (c *tcpConn) ReassembledSG(sg reassembly.ScatterGather, _ reassembly.AssemblerContext) {
	dir, _, _, skip := sg.Info()
	s := c.dirs[0]
	if dir == reassembly.TCPDirServerToClient {
		s = c.dirs[1]
	}
	if skip > 0 {
		s.gap(skip)
	} else if skip < 0 && (s.mode != modeDetect || len(s.buf) > 0) {
		s.gap(0)
	}
	avail, _ := sg.Lengths()
	if avail == 0 {
		return
	}
	data := sg.Fetch(avail)
	f, ts := frameOf(sg.CaptureInfo(0))
	if sg.Stats().Chunks <= 1 {
		s.write(data, f, ts)
		return
	}
	// Several segments: find where each one's bytes end.
	for off := 0; off < avail; {
		lo, hi := off+1, avail
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if g, _ := frameOf(sg.CaptureInfo(mid)); g == f {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		s.write(data[off:lo], f, ts)
		off = lo
		if off < avail {
			f, ts = frameOf(sg.CaptureInfo(off))
		}
	}
}

// ReassemblyComplete implements reassembly.Stream.
func (c *tcpConn) ReassemblyComplete(reassembly.AssemblerContext) bool {
	for _, s := range c.dirs {
		if s.mode == modeSIP && len(s.buf) > 0 {
			s.d.stats.StreamBytesSkip += len(s.buf)
		}
		s.release()
	}
	if c.d.conns[c.key] == c {
		delete(c.d.conns, c.key)
	}
	return true
}

// emit hands a framed message to the decoder's consumer.
func (c *tcpConn) emit(s *stream, raw []byte, frames []int, ts time.Time, t Transport) {
	c.d.deliver(frames, 0, ts, s.src, s.dst, t, false, raw)
}

// tcp feeds one segment to the reassembler.
func (d *Decoder) tcp(src, dst netip.AddrPort, payload []byte, frame int, ts time.Time) {
	d.stats.TCPSegments++
	if err := d.tcpLayer.DecodeFromBytes(payload, gopacket.NilDecodeFeedback); err != nil {
		d.stats.Undecodable++
		return
	}
	t := &d.tcpLayer
	if len(t.Payload) == 0 && !t.SYN && !t.FIN && !t.RST {
		return // a pure ACK changes nothing we look at
	}
	src = netip.AddrPortFrom(src.Addr(), uint16(t.SrcPort))
	dst = netip.AddrPortFrom(dst.Addr(), uint16(t.DstPort))
	if _, ok := d.conns[newTCPKey(src, dst)]; !ok && len(d.conns) >= d.limits.MaxStreams {
		d.assembler.FlushCloseOlderThan(ts.Add(-time.Second))
		if len(d.conns) >= d.limits.MaxStreams {
			d.stats.TCPRefused++
			return
		}
	}
	d.cur.src, d.cur.dst = src, dst
	var nf gopacket.Flow
	if src.Addr().Is4() {
		s4, d4 := src.Addr().As4(), dst.Addr().As4()
		nf = gopacket.NewFlow(layers.EndpointIPv4, s4[:], d4[:])
	} else {
		s6, d6 := src.Addr().As16(), dst.Addr().As16()
		nf = gopacket.NewFlow(layers.EndpointIPv6, s6[:], d6[:])
	}
	d.assembler.AssembleWithContext(nf, t, newTCPContext(frame, ts))
}
