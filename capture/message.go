package capture

import (
	"net/netip"
	"time"
)

// Transport is the transport a SIP message travelled on.
type Transport uint8

// Transports, named as in Via headers and in the JSON report.
const (
	TransportUnknown Transport = iota
	UDP
	TCP
	TLS
	WS
	WSS
	SCTP
)

var transportNames = [...]string{"unknown", "udp", "tcp", "tls", "ws", "wss", "sctp"}

// String returns the lower-case name used in reports ("udp", "ws", ...).
func (t Transport) String() string {
	if int(t) < len(transportNames) {
		return transportNames[t]
	}
	return "unknown"
}

// Message is one SIP message found in a capture.
//
// A Message handed to a Decoder's callback, and the slices it holds, are
// valid only during the call: like gopacket's reassembly, the decoder
// reuses them. Copy what you keep, with Clone.
type Message struct {
	// Frames are the 1-based numbers of the packets the message came
	// from, in the order they were read, as Wireshark numbers them. The
	// last one completed the message. A message unwrapped from HEP has
	// the frame of the HEP packet.
	Frames []int
	// Time is the capture time of the packet that completed the message,
	// or for HEP the original capture time the agent reported.
	Time time.Time
	// Src and Dst are the endpoints of the message (for HEP, the
	// original ones carried in the HEP header).
	Src, Dst netip.AddrPort
	// Transport is the transport of the message itself.
	Transport Transport
	// HEP is true when the message was unwrapped from a HEPv3 packet.
	HEP bool
	// Raw holds the message bytes, start line to end of body.
	Raw []byte
}

// Clone returns a deep copy of m that stays valid after the callback.
func (m *Message) Clone() *Message {
	c := *m
	c.Frames = append([]int(nil), m.Frames...)
	c.Raw = append([]byte(nil), m.Raw...)
	return &c
}

// Frame returns the frame that completed the message (0 if none).
func (m *Message) Frame() int {
	if len(m.Frames) == 0 {
		return 0
	}
	return m.Frames[len(m.Frames)-1]
}
