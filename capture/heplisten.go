package capture

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// maxHEPConns bounds the TCP connections of capture agents served at
// once (each holds a 64 KiB buffer at most).
const maxHEPConns = 256

// HEPReceived is one HEP packet as it arrived at a HEPListener.
type HEPReceived struct {
	Data []byte
	Time time.Time      // when it arrived
	From netip.AddrPort // the agent
}

// HEPListener receives HEPv3 over UDP and TCP on one address, as
// heplify, Kamailio's siptrace, FreeSWITCH and OpenSIPS send it.
type HEPListener struct {
	tl    net.Listener
	pc    net.PacketConn
	addr  netip.AddrPort
	ch    chan HEPReceived
	wg    sync.WaitGroup
	once  sync.Once
	mu    sync.Mutex
	conns map[net.Conn]bool
	idle  *time.Timer
	logf  func(format string, args ...any)
}

// ListenHEP starts receiving on addr (host:port) over UDP and TCP; port
// 0 picks a port free for both. logf, when not nil, is told about TCP peers that are not speaking HEP
// (their connection is closed).
func ListenHEP(addr string, logf func(format string, args ...any)) (*HEPListener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	var tl net.Listener
	var pc net.PacketConn
	for range 10 {
		if tl, err = net.Listen("tcp", addr); err != nil {
			return nil, err
		}
		_, p, _ := net.SplitHostPort(tl.Addr().String())
		if pc, err = net.ListenPacket("udp", net.JoinHostPort(host, p)); err == nil {
			break
		}
		tl.Close()
		tl = nil
		if port != "0" {
			return nil, err
		}
	}
	if tl == nil {
		return nil, errors.New("no port free for both UDP and TCP")
	}
	if u, ok := pc.(*net.UDPConn); ok {
		_ = u.SetReadBuffer(8 << 20) // bursts from busy agents
	}
	l := &HEPListener{tl: tl, pc: pc, addr: netip.MustParseAddrPort(tl.Addr().String()),
		ch: make(chan HEPReceived, 4096), conns: map[net.Conn]bool{}, idle: time.NewTimer(time.Hour), logf: logf}
	l.wg.Add(2)
	go l.receiveUDP()
	go l.accept()
	go func() {
		l.wg.Wait()
		close(l.ch)
	}()
	return l, nil
}

// Addr is the address received on.
func (l *HEPListener) Addr() netip.AddrPort { return l.addr }

// Close stops receiving. The packets already received are still read,
// then Read returns io.EOF.
func (l *HEPListener) Close() {
	l.once.Do(func() {
		l.tl.Close()
		l.pc.Close()
		l.mu.Lock()
		for c := range l.conns {
			c.Close()
		}
		l.conns = nil
		l.mu.Unlock()
	})
}

// Read returns the next packet received, in the order it arrived,
// ErrIdle when none came within timeout, or io.EOF once the listener is
// closed and every packet read. It is not safe for concurrent use.
//
// Packets are not reordered by the capture time they carry: Kamailio's
// siptrace stamps a reply it sends later than the request that reply
// caused (seen in the lab), so arrival is the better order.
func (l *HEPListener) Read(timeout time.Duration) (HEPReceived, error) {
	var p HEPReceived
	ok := true
	select {
	case p, ok = <-l.ch:
	default:
		l.idle.Reset(timeout)
		select {
		case p, ok = <-l.ch:
			l.idle.Stop()
		case <-l.idle.C:
			return p, ErrIdle
		}
	}
	if !ok {
		return p, io.EOF
	}
	return p, nil
}

func (l *HEPListener) receiveUDP() {
	defer l.wg.Done()
	buf := make([]byte, 65536)
	for {
		n, from, err := l.pc.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		ua, _ := from.(*net.UDPAddr)
		l.ch <- HEPReceived{Data: append([]byte(nil), buf[:n]...), Time: time.Now(), From: addrPortOf(ua.IP, ua.Port)}
	}
}

func (l *HEPListener) accept() {
	defer l.wg.Done()
	sem := make(chan struct{}, maxHEPConns)
	for {
		c, err := l.tl.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		select {
		case sem <- struct{}{}:
		default:
			c.Close() // too many agents at once
			continue
		}
		l.mu.Lock()
		if l.conns == nil { // closed meanwhile
			l.mu.Unlock()
			c.Close()
			<-sem
			continue
		}
		l.conns[c] = true
		l.mu.Unlock()
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			defer func() { <-sem }()
			l.serve(c)
		}()
	}
}

// serve reads one agent's TCP stream of HEP packets.
func (l *HEPListener) serve(c net.Conn) {
	defer func() {
		c.Close()
		l.mu.Lock()
		delete(l.conns, c)
		l.mu.Unlock()
	}()
	ta, _ := c.RemoteAddr().(*net.TCPAddr)
	from := addrPortOf(ta.IP, ta.Port)
	r := bufio.NewReaderSize(c, 64<<10)
	var buf []byte
	for {
		p, err := ReadHEP(r, buf)
		if err != nil {
			if errors.Is(err, ErrNotHEPStream) && l.logf != nil {
				l.logf("hep: tcp %s: %v; connection closed", from, err)
			}
			return
		}
		l.ch <- HEPReceived{Data: append([]byte(nil), p...), Time: time.Now(), From: from}
		buf = p
	}
}

func addrPortOf(ip net.IP, port int) netip.AddrPort {
	a, _ := netip.AddrFromSlice(ip)
	return netip.AddrPortFrom(a.Unmap(), uint16(port))
}

// HEPDatagram wraps a HEP packet in the IP and UDP headers of its way
// from the agent to the listener (link type LinkRaw), so that a pcapng
// of what a listener received reads like a capture of the HEP traffic.
func HEPDatagram(from, to netip.AddrPort, payload []byte) ([]byte, error) {
	udp := &layers.UDP{SrcPort: layers.UDPPort(from.Port()), DstPort: layers.UDPPort(to.Port())}
	src, dst := from.Addr(), to.Addr()
	if src.Is4() != dst.Is4() { // one family for both
		src, dst = netip.AddrFrom16(src.As16()), netip.AddrFrom16(dst.As16())
	}
	var ip gopacket.SerializableLayer
	if src.Is4() {
		if len(payload) > 65535-28 {
			return nil, fmt.Errorf("%d bytes: too large for an IPv4 datagram", len(payload))
		}
		v4 := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
		_ = udp.SetNetworkLayerForChecksum(v4)
		ip = v4
	} else {
		if len(payload) > 65535-8 {
			return nil, fmt.Errorf("%d bytes: too large for an IPv6 datagram", len(payload))
		}
		v6 := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolUDP, SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
		_ = udp.SetNetworkLayerForChecksum(v6)
		ip = v6
	}
	buf := gopacket.NewSerializeBuffer()
	err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ip, udp, gopacket.Payload(payload))
	return buf.Bytes(), err
}
