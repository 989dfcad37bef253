package capture

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Input describes one capture file as it was read.
type Input struct {
	// Path is the name the file was given by.
	Path string `json:"path"`
	// Packets is the number of packets read.
	Packets int `json:"packets"`
	// Bytes is the number of captured packet bytes read.
	Bytes int64 `json:"bytes"`
	// LinkType names the link types of the file's interfaces,
	// comma-separated ("ethernet", "linux_sll2", ...).
	LinkType string `json:"link_type"`
	// Format is "pcap" or "pcapng", with "+gzip" when compressed.
	Format string `json:"format"`
	// Error says why reading stopped early, "" when the file was read
	// to its end.
	Error string `json:"error,omitempty"`
	// KernelDropped and InterfaceDropped count the packets a live
	// capture lost (libpcap's ps_drop and ps_ifdrop): the kernel's
	// buffer was full, or the interface dropped them.
	KernelDropped    int64 `json:"kernel_dropped,omitempty"`
	InterfaceDropped int64 `json:"interface_dropped,omitempty"`
}

// ErrFormat is returned (wrapped) for input that is neither pcap nor
// pcapng.
var ErrFormat = errors.New("not a pcap or pcapng file")

// ErrTruncated is returned (wrapped) when a file ends in the middle of a
// packet or block; the packets before it were read.
var ErrTruncated = errors.New("file is truncated")

// maxSnaplen is the largest packet accepted, Wireshark's
// WTAP_MAX_PACKET_SIZE_STANDARD.
const maxSnaplen = 262144

// packetReader is what pcapgo's pcap and pcapng readers share.
type packetReader interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Read reads a pcap or pcapng capture, gzip-compressed or not, from r
// and feeds every packet to d, numbering packets from 1. progress, when
// not nil, is called now and then with the number of bytes consumed from
// r. The Input describes what was read even when an error stopped the
// reading early; errors name the packet and the byte offset (of the
// uncompressed stream) where the file broke. Read returns ctx.Err() when
// the context is cancelled.
func Read(ctx context.Context, r io.Reader, path string, d *Decoder, progress func(int64)) (Input, error) {
	in := Input{Path: path}
	raw := &countingReader{r: r}
	br := bufio.NewReaderSize(raw, 1<<20)
	magic, err := br.Peek(4)
	if err != nil {
		if len(magic) == 0 {
			return in, fmt.Errorf("empty file: %w", ErrFormat)
		}
		return in, fmt.Errorf("%d bytes, too short for a capture header: %w", len(magic), ErrFormat)
	}
	var src io.Reader = br
	gz := false
	if magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return in, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		zb := bufio.NewReaderSize(zr, 1<<20)
		if magic, err = zb.Peek(4); err != nil {
			return in, fmt.Errorf("gzip content too short for a capture header: %w", ErrFormat)
		}
		src, gz = zb, true
	}
	body := &countingReader{r: src}
	var pr packetReader
	var linkOf func(ci gopacket.CaptureInfo) layers.LinkType
	var ng *pcapgo.NgReader
	switch binary.BigEndian.Uint32(magic) {
	case 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1:
		in.Format = "pcap"
		rd, err := pcapgo.NewReader(body)
		if err != nil {
			return in, fmt.Errorf("pcap header: %w", err)
		}
		// Like Wireshark, do not trust the header's snaplen; the cap
		// still bounds what one record may make us allocate.
		rd.SetSnaplen(maxSnaplen)
		lt := rd.LinkType()
		in.LinkType = linkName(lt)
		linkOf = func(gopacket.CaptureInfo) layers.LinkType { return lt }
		pr = rd
	case 0x0a0d0d0a:
		in.Format = "pcapng"
		ng, err = pcapgo.NewNgReader(body, pcapgo.NgReaderOptions{WantMixedLinkType: true, SkipUnknownVersion: true})
		if err != nil {
			return in, fmt.Errorf("pcapng header: %w", err)
		}
		var types []layers.LinkType
		linkOf = func(ci gopacket.CaptureInfo) layers.LinkType {
			for len(types) < ng.NInterfaces() {
				ifc, _ := ng.Interface(len(types))
				types = append(types, ifc.LinkType)
			}
			if ci.InterfaceIndex >= 0 && ci.InterfaceIndex < len(types) {
				return types[ci.InterfaceIndex]
			}
			return layers.LinkType(255)
		}
		pr = ng
	default:
		return in, fmt.Errorf("unknown magic number %08x: %w", binary.BigEndian.Uint32(magic), ErrFormat)
	}
	if gz {
		in.Format += "+gzip"
	}
	defer func() {
		if ng != nil {
			var names []string
			for i := range ng.NInterfaces() {
				if ifc, err := ng.Interface(i); err == nil {
					names = append(names, linkName(ifc.LinkType))
				}
			}
			slices.Sort(names)
			in.LinkType = strings.Join(slices.Compact(names), ",")
		}
	}()
	for {
		data, ci, err := pr.ZeroCopyReadPacketData()
		if err != nil {
			if err == io.EOF {
				return in, nil
			}
			if errors.Is(err, io.ErrUnexpectedEOF) {
				err = fmt.Errorf("%w: packet %d is cut short at byte %d", ErrTruncated, in.Packets+1, body.n)
			} else {
				err = fmt.Errorf("packet %d, near byte %d: %w", in.Packets+1, body.n, err)
			}
			in.Error = err.Error()
			return in, err
		}
		in.Packets++
		in.Bytes += int64(len(data))
		d.Packet(linkOf(ci), in.Packets, ci.Timestamp, data)
		if in.Packets&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return in, err
			}
			if progress != nil {
				progress(raw.n - int64(br.Buffered()))
			}
		}
	}
}

// LinkName is the report's name for a link type ("ethernet",
// "linux_sll2", ...).
func LinkName(lt layers.LinkType) string { return linkName(lt) }

// linkName is the report's name for a link type.
func linkName(lt layers.LinkType) string {
	switch lt {
	case layers.LinkTypeEthernet:
		return "ethernet"
	case layers.LinkTypeNull:
		return "null"
	case layers.LinkTypeLoop:
		return "loop"
	case layers.LinkTypeRaw, 12, 14:
		return "raw"
	case layers.LinkTypeIPv4:
		return "ipv4"
	case layers.LinkTypeIPv6:
		return "ipv6"
	case layers.LinkTypeLinuxSLL:
		return "linux_sll"
	case layers.LinkTypeLinuxSLL2:
		return "linux_sll2"
	case layers.LinkTypePPP:
		return "ppp"
	}
	return fmt.Sprintf("linktype_%d", uint16(lt))
}
