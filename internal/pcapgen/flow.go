package pcapgen

import (
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// Dir is the direction of a segment within a Flow.
type Dir int

// Directions of a Flow.
const (
	ToServer Dir = iota // client -> server
	ToClient            // server -> client
)

// RetransmitDelay is the extra time before a retransmitted segment.
const RetransmitDelay = 200 * time.Millisecond

// DefaultMSS is the largest segment payload Flow.Send uses when no sizes
// are given.
const DefaultMSS = 1400

// Flow writes one TCP connection into a Capture, tracking sequence and
// acknowledgement numbers for both directions.
type Flow struct {
	c     *Capture
	iface int
	// Client and Server are the connection's endpoints.
	Client, Server netip.AddrPort
	// Transport is the transport recorded for *Message payloads; "tcp"
	// by default (set it to "tls" or "ws" when appropriate).
	Transport string
	next      [2]uint32
}

// SendOpts controls how Flow.SendWith cuts and captures a payload.
type SendOpts struct {
	// Sizes are the payload sizes of successive segments; the last size
	// repeats for the rest of the data. Nil means DefaultMSS.
	Sizes []int
	// Order is the capture order of the segments, as indices into the
	// segment list; nil means in order. It must be a permutation.
	Order []int
	// Retransmit lists segment indices that are captured a second time,
	// byte-identical, RetransmitDelay after their first capture.
	Retransmit []int
	// NoAck suppresses the peer's pure ACK after the data.
	NoAck bool
}

// NewFlow returns a TCP connection between client and server captured on
// the capture's current interface. The first data byte of each direction
// gets sequence number isn+1 (clientISN for the client, serverISN for the
// server), as after a handshake; call Handshake to capture it, or leave it
// out to start mid-stream.
func (c *Capture) NewFlow(client, server netip.AddrPort, clientISN, serverISN uint32) *Flow {
	return &Flow{c: c, iface: c.Iface, Client: client, Server: server, Transport: "tcp",
		next: [2]uint32{clientISN + 1, serverISN + 1}}
}

func (f *Flow) ends(dir Dir) (src, dst netip.AddrPort) {
	if dir == ToServer {
		return f.Client, f.Server
	}
	return f.Server, f.Client
}

// Seq returns the next sequence number of direction dir.
func (f *Flow) Seq(dir Dir) uint32 { return f.next[dir] }

// Segment builds the IP packet of one segment in direction dir without
// capturing it or moving the sequence numbers.
func (f *Flow) Segment(dir Dir, seq, ack uint32, flags TCPFlags, payload []byte) ([]byte, error) {
	src, dst := f.ends(dir)
	return BuildTCP(src, dst, TCPSegment{Seq: seq, Ack: ack, Flags: flags, Payload: payload})
}

// emit captures one segment on the flow's interface.
func (f *Flow) emit(dir Dir, seq, ack uint32, flags TCPFlags, payload []byte) {
	saved := f.c.Iface
	f.c.Iface = f.iface
	f.c.AddIP(f.Segment(dir, seq, ack, flags, payload))
	f.c.Iface = saved
}

// Handshake captures SYN, SYN-ACK and ACK.
func (f *Flow) Handshake() {
	c, s := f.next[ToServer], f.next[ToClient]
	f.emit(ToServer, c-1, 0, SYN, nil)
	f.emit(ToClient, s-1, c, SYN|ACK, nil)
	f.emit(ToServer, c, s, ACK, nil)
}

// Ack captures a pure ACK in direction dir acknowledging everything the
// other side sent.
func (f *Flow) Ack(dir Dir) {
	f.emit(dir, f.next[dir], f.next[1-dir], ACK, nil)
}

// Send captures the concatenated parts in direction dir in segments of at
// most DefaultMSS bytes, followed by the peer's ACK.
func (f *Flow) Send(dir Dir, parts ...Payload) {
	f.SendWith(dir, SendOpts{}, parts...)
}

// SendWith captures the concatenated parts in direction dir as segments
// cut, ordered and retransmitted according to o (PSH|ACK on every
// segment), then, unless o.NoAck, the peer's ACK. *Message parts are
// counted once in the capture's Want, whatever the segmentation.
func (f *Flow) SendWith(dir Dir, o SendOpts, parts ...Payload) {
	if f.c.err != nil {
		return
	}
	data := f.c.join(f.Transport, parts)
	sizes := o.Sizes
	if len(sizes) == 0 {
		sizes = []int{DefaultMSS}
	}
	type seg struct {
		seq uint32
		b   []byte
	}
	var segs []seg
	seq := f.next[dir]
	for i, off := 0, 0; off < len(data); i++ {
		n := sizes[min(i, len(sizes)-1)]
		if n <= 0 {
			f.c.Fail(fmt.Errorf("pcapgen: segment size %d", n))
			return
		}
		end := min(off+n, len(data))
		segs = append(segs, seg{seq + uint32(off), data[off:end]})
		off = end
	}
	order := o.Order
	if order == nil {
		for i := range segs {
			order = append(order, i)
		}
	}
	if len(order) != len(segs) {
		f.c.Fail(fmt.Errorf("pcapgen: order has %d entries for %d segments", len(order), len(segs)))
		return
	}
	ack := f.next[1-dir]
	for _, i := range order {
		if i < 0 || i >= len(segs) {
			f.c.Fail(fmt.Errorf("pcapgen: no segment %d", i))
			return
		}
		f.emit(dir, segs[i].seq, ack, PSH|ACK, segs[i].b)
		if slices.Contains(o.Retransmit, i) {
			f.c.Advance(RetransmitDelay)
			f.emit(dir, segs[i].seq, ack, PSH|ACK, segs[i].b)
		}
	}
	f.next[dir] += uint32(len(data))
	if !o.NoAck {
		f.Ack(1 - dir)
	}
}

// Close captures an orderly release started by direction dir: FIN-ACK,
// the peer's FIN-ACK, and the final ACK.
func (f *Flow) Close(dir Dir) {
	f.emit(dir, f.next[dir], f.next[1-dir], FIN|ACK, nil)
	f.next[dir]++
	f.emit(1-dir, f.next[1-dir], f.next[dir], FIN|ACK, nil)
	f.next[1-dir]++
	f.emit(dir, f.next[dir], f.next[1-dir], ACK, nil)
}
