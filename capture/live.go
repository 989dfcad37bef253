package capture

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcap"
	"github.com/gopacket/gopacket/pcapgo"
)

// ErrIdle is what a live source's Read returns when no packet came
// within its timeout: the caller may do its periodic work and read
// again.
var ErrIdle = errors.New("no packet within the read timeout")

// Packet is one packet read from a live source. Data is valid until the
// next Read.
type Packet struct {
	Data   []byte
	Time   time.Time
	Length int // on the wire (Data may be shorter, cut by the snaplen)
}

// LiveSnaplen is the snapshot length of a live capture: whole packets,
// Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD.
const LiveSnaplen = maxSnaplen

// LiveOptions configure OpenLive.
type LiveOptions struct {
	// Filter is a capture filter in tcpdump's syntax ("" for none).
	Filter string
	// Promisc puts the interface in promiscuous mode.
	Promisc bool
	// BufferSize is the kernel's capture buffer, in bytes (0: 64 MiB).
	BufferSize int
	// Timeout is how long Read waits before ErrIdle (0: 100 ms).
	Timeout time.Duration
}

// Live is a capture on a network interface through libpcap.
type Live struct {
	h  *pcap.Handle
	lt layers.LinkType
}

// OpenLive starts capturing on iface ("any" for all interfaces). It
// needs root or CAP_NET_RAW.
func OpenLive(iface string, o LiveOptions) (*Live, error) {
	if o.BufferSize <= 0 {
		o.BufferSize = 64 << 20
	}
	if o.Timeout <= 0 {
		o.Timeout = 100 * time.Millisecond
	}
	ih, err := pcap.NewInactiveHandle(iface)
	if err != nil {
		return nil, err
	}
	defer ih.CleanUp()
	for _, err := range []error{ih.SetSnapLen(LiveSnaplen), ih.SetPromisc(o.Promisc), ih.SetTimeout(o.Timeout), ih.SetBufferSize(o.BufferSize)} {
		if err != nil {
			return nil, err
		}
	}
	h, err := ih.Activate()
	if err != nil {
		return nil, fmt.Errorf("%w (capturing needs root or CAP_NET_RAW)", err)
	}
	if o.Filter != "" {
		if err := h.SetBPFFilter(o.Filter); err != nil {
			h.Close()
			return nil, fmt.Errorf("filter %q: %w", o.Filter, err)
		}
	}
	return &Live{h: h, lt: h.LinkType()}, nil
}

// LinkType is the link type of the interface's packets.
func (l *Live) LinkType() layers.LinkType { return l.lt }

// Read returns the next packet, ErrIdle when none came within the
// timeout, or io.EOF when the handle was closed.
func (l *Live) Read() (Packet, error) {
	data, ci, err := l.h.ZeroCopyReadPacketData()
	switch {
	case err == nil:
		return Packet{Data: data, Time: ci.Timestamp, Length: ci.Length}, nil
	case errors.Is(err, pcap.NextErrorTimeoutExpired):
		return Packet{}, ErrIdle
	case errors.Is(err, pcap.NextErrorNoMorePackets), errors.Is(err, io.EOF):
		return Packet{}, io.EOF
	}
	return Packet{}, err
}

// Drops returns the packets lost so far: by the kernel (its buffer was
// full) and by the interface (libpcap's ps_drop and ps_ifdrop).
func (l *Live) Drops() (kernel, iface int64) {
	st, err := l.h.Stats()
	if err != nil {
		return 0, 0
	}
	return int64(st.PacketsDropped), int64(st.PacketsIfDropped)
}

// Close stops the capture.
func (l *Live) Close() { l.h.Close() }

// LinkRaw is the link type of raw IP packets (IPv4 or IPv6), which the
// HEP listener's packets are written as.
const LinkRaw = layers.LinkTypeRaw

// PcapngWriter writes the packets of a live source to a pcapng file, one
// interface, so that their frame numbers are those of the analysis.
type PcapngWriter struct {
	w *pcapgo.NgWriter
}

// NewPcapngWriter writes the section and interface headers: the
// interface's name, filter and link type, and the application.
func NewPcapngWriter(w io.Writer, name, filter string, lt layers.LinkType, application string) (*PcapngWriter, error) {
	nw, err := pcapgo.NewNgWriterInterface(w, pcapgo.NgInterface{Name: name, Filter: filter, LinkType: lt, SnapLength: LiveSnaplen},
		pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Application: application}})
	if err != nil {
		return nil, err
	}
	return &PcapngWriter{nw}, nil
}

// Write adds a packet.
func (p *PcapngWriter) Write(pk Packet) error {
	n := pk.Length
	if n < len(pk.Data) {
		n = len(pk.Data)
	}
	return p.w.WritePacket(gopacket.CaptureInfo{Timestamp: pk.Time, CaptureLength: len(pk.Data), Length: n}, pk.Data)
}

// Flush writes what is buffered.
func (p *PcapngWriter) Flush() error { return p.w.Flush() }
