package pcapgen

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// LinkType is a pcap/pcapng link-layer header type (LINKTYPE_* value).
type LinkType uint16

// Link types supported by Link.Frame.
const (
	LinkNull     LinkType = 0   // BSD loopback: 4-byte host-order address family
	LinkEthernet LinkType = 1   // Ethernet II, optionally VLAN tagged
	LinkRaw      LinkType = 101 // raw IP, version taken from the first nibble
	LinkSLL      LinkType = 113 // Linux cooked capture v1 (16-byte header)
	LinkIPv4     LinkType = 228 // raw IPv4 only
	LinkIPv6     LinkType = 229 // raw IPv6 only
	LinkSLL2     LinkType = 276 // Linux cooked capture v2 (20-byte header)
)

// Address family values used in LinkNull headers.
const (
	AFInet        uint32 = 2  // AF_INET on every BSD
	AFInet6BSD    uint32 = 24 // AF_INET6 on NetBSD/OpenBSD
	AFInet6Darwin uint32 = 30 // AF_INET6 on macOS/iOS
)

// Linux cooked-capture packet types (the sll_pkttype field).
const (
	SLLHost     uint16 = 0 // addressed to the capturing host
	SLLOutgoing uint16 = 4 // sent by the capturing host
)

// Link describes the link layer of one capture interface and frames IP
// packets for it. Type must be set explicitly: the zero LinkType is
// LinkNull.
type Link struct {
	// Type is the link-layer header type.
	Type LinkType
	// VLAN holds the 802.1Q VLAN IDs for LinkEthernet, outermost first:
	// none, one (a single 0x8100 tag) or two (QinQ: an outer 0x88a8 tag
	// followed by an inner 0x8100 tag).
	VLAN []uint16
	// AF6 is the address family written for IPv6 packets on LinkNull;
	// 0 means AFInet6Darwin. It may be changed between packets.
	AF6 uint32
	// Local is the capturing host's address: on LinkSLL and LinkSLL2,
	// packets whose source is Local get packet type SLLOutgoing, all
	// others SLLHost.
	Local netip.Addr
	// IfIndex is the interface index written in LinkSLL2 headers.
	IfIndex uint32
	// Name is the interface name written in pcapng interface
	// descriptions; empty means no name option.
	Name string
}

// MAC returns the deterministic documentation-range MAC address
// (00:00:5e:00:53:xx, RFC 7042) used for the host with IP address ip:
// the last byte is the last byte of the address.
func MAC(ip netip.Addr) net.HardwareAddr {
	b := ip.AsSlice()
	return net.HardwareAddr{0x00, 0x00, 0x5e, 0x00, 0x53, b[len(b)-1]}
}

// ipInfo returns the version, source address and destination address of
// a raw IP packet.
func ipInfo(ip []byte) (version int, src, dst netip.Addr, err error) {
	if len(ip) == 0 {
		return 0, src, dst, fmt.Errorf("pcapgen: empty IP packet")
	}
	switch ip[0] >> 4 {
	case 4:
		if len(ip) < 20 {
			return 0, src, dst, fmt.Errorf("pcapgen: short IPv4 packet")
		}
		src, _ = netip.AddrFromSlice(ip[12:16])
		dst, _ = netip.AddrFromSlice(ip[16:20])
		return 4, src, dst, nil
	case 6:
		if len(ip) < 40 {
			return 0, src, dst, fmt.Errorf("pcapgen: short IPv6 packet")
		}
		src, _ = netip.AddrFromSlice(ip[8:24])
		dst, _ = netip.AddrFromSlice(ip[24:40])
		return 6, src, dst, nil
	}
	return 0, src, dst, fmt.Errorf("pcapgen: unknown IP version %d", ip[0]>>4)
}

// Frame prepends the link-layer header of l to the IPv4 or IPv6 packet ip
// and returns the frame. Ethernet addresses come from MAC of the packet's
// source and destination; Ethernet frames are padded to 60 bytes.
func (l Link) Frame(ip []byte) ([]byte, error) {
	v, src, dst, err := ipInfo(ip)
	if err != nil {
		return nil, err
	}
	etype := layers.EthernetTypeIPv4
	if v == 6 {
		etype = layers.EthernetTypeIPv6
	}
	switch l.Type {
	case LinkEthernet:
		return l.ethernet(ip, src, dst, etype)
	case LinkNull:
		af := AFInet
		if v == 6 {
			af = l.AF6
			if af == 0 {
				af = AFInet6Darwin
			}
		}
		out := make([]byte, 4, 4+len(ip))
		binary.LittleEndian.PutUint32(out, af)
		return append(out, ip...), nil
	case LinkRaw:
		return append([]byte(nil), ip...), nil
	case LinkIPv4, LinkIPv6:
		if (l.Type == LinkIPv4) != (v == 4) {
			return nil, fmt.Errorf("pcapgen: IPv%d packet on link type %d", v, l.Type)
		}
		return append([]byte(nil), ip...), nil
	case LinkSLL:
		// packet type, ARPHRD_ETHER, address length, address (8 bytes), protocol
		h := make([]byte, 16, 16+len(ip))
		binary.BigEndian.PutUint16(h[0:], l.sllType(src))
		binary.BigEndian.PutUint16(h[2:], 1)
		binary.BigEndian.PutUint16(h[4:], 6)
		copy(h[6:14], MAC(src))
		binary.BigEndian.PutUint16(h[14:], uint16(etype))
		return append(h, ip...), nil
	case LinkSLL2:
		// protocol, reserved, interface index, ARPHRD_ETHER, packet type,
		// address length, address (8 bytes)
		h := make([]byte, 20, 20+len(ip))
		binary.BigEndian.PutUint16(h[0:], uint16(etype))
		binary.BigEndian.PutUint32(h[4:], l.IfIndex)
		binary.BigEndian.PutUint16(h[8:], 1)
		h[10] = byte(l.sllType(src))
		h[11] = 6
		copy(h[12:20], MAC(src))
		return append(h, ip...), nil
	}
	return nil, fmt.Errorf("pcapgen: unsupported link type %d", l.Type)
}

func (l Link) sllType(src netip.Addr) uint16 {
	if l.Local.IsValid() && src == l.Local {
		return SLLOutgoing
	}
	return SLLHost
}

func (l Link) ethernet(ip []byte, src, dst netip.Addr, etype layers.EthernetType) ([]byte, error) {
	if len(l.VLAN) > 2 {
		return nil, fmt.Errorf("pcapgen: at most two VLAN tags, got %d", len(l.VLAN))
	}
	eth := &layers.Ethernet{SrcMAC: MAC(src), DstMAC: MAC(dst), EthernetType: etype}
	ls := []gopacket.SerializableLayer{eth}
	for i, id := range l.VLAN {
		tag := &layers.Dot1Q{VLANIdentifier: id, Type: etype}
		switch {
		case i == 0 && len(l.VLAN) == 2:
			eth.EthernetType = layers.EthernetTypeQinQ
			tag.Type = layers.EthernetTypeDot1Q
		case i == 0:
			eth.EthernetType = layers.EthernetTypeDot1Q
		}
		ls = append(ls, tag)
	}
	ls = append(ls, gopacket.Payload(ip))
	return serialize(ls...)
}

// serialize runs gopacket.SerializeLayers with FixLengths and
// ComputeChecksums on a fresh buffer.
func serialize(ls ...gopacket.SerializableLayer) ([]byte, error) {
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, ls...); err != nil {
		return nil, err
	}
	return append([]byte(nil), buf.Bytes()...), nil
}
