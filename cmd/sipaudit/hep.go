package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/spf13/cobra"

	"github.com/sipaudit/sipaudit/capture"
)

// maxHEPConns bounds the TCP connections of capture agents served at
// once (each holds a 64 KiB buffer at most).
const maxHEPConns = 256

type hepOpts struct {
	analyzeOpts
	listen  string
	authKey string
	write   string
}

func newHEPCmd() *cobra.Command {
	var o hepOpts
	cmd := &cobra.Command{
		Use:   "hep [--listen ADDR] [flags]",
		Short: "Analyze SIP received as HEPv3 from capture agents (UDP and TCP)",
		Long: "Receive HEPv3 over UDP and TCP on one address (heplify, Kamailio's siptrace,\n" +
			"FreeSWITCH, OpenSIPS) and analyze as analyze does: findings are printed as they are\n" +
			"made (text lines, or JSON lines with --format json) and stored every second;\n" +
			"Ctrl-C or SIGTERM ends the run, completes the analysis and writes the report.\n" +
			"Each HEP packet is a frame; the message's addresses and time are the agent's.",
		Example: "  sipaudit hep --listen 0.0.0.0:9060 --hep-auth-key s3cret\n" +
			"  sipaudit hep --listen 127.0.0.1:9060 --write hep.pcapng --creds creds.csv",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runHEP(cmd, o)
		},
	}
	addAnalysisFlags(cmd, &o.analyzeOpts)
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", "127.0.0.1:9060", "`ADDR` (host:port) to receive HEP on, over UDP and TCP")
	f.StringVar(&o.authKey, "hep-auth-key", "", "accept only HEP packets carrying this auth `KEY` (chunk 0x000e); others are counted and dropped")
	f.StringVarP(&o.write, "write", "w", "", "also write each HEP packet, as a UDP datagram from its agent, to a pcapng `FILE` that analyze reads; findings' frames number its packets")
	return cmd
}

// hepPacket is one HEP packet as it arrived.
type hepPacket struct {
	data []byte
	at   time.Time
	from netip.AddrPort
}

func runHEP(cmd *cobra.Command, o hepOpts) error {
	o.progress = "never"
	ctx, stop := context.WithCancel(cmd.Context())
	defer stop()
	stderr := cmd.ErrOrStderr()
	tl, pc, err := listenHEP(o.listen)
	if err != nil {
		return &exitError{exitUsage, fmt.Errorf("--listen %s: %w", o.listen, err)}
	}
	local := netip.MustParseAddrPort(tl.Addr().String())
	in := capture.Input{Path: "hep:" + local.String(), Format: "hep", LinkType: "hep"}
	var w *pcapgo.NgWriter
	if o.write != "" {
		f, err := os.Create(o.write)
		if err != nil {
			tl.Close()
			pc.Close()
			return &exitError{exitUsage, fmt.Errorf("--write: %w", err)}
		}
		defer f.Close()
		w, err = pcapgo.NewNgWriterInterface(f, pcapgo.NgInterface{Name: in.Path, LinkType: layers.LinkTypeRaw, SnapLength: 65535 + 60},
			pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Application: "sipaudit " + version()}})
		if err != nil {
			tl.Close()
			pc.Close()
			return &exitError{exitUsage, fmt.Errorf("--write %s: %w", o.write, err)}
		}
		in.Path, in.Format = o.write, "hep+pcapng"
	}
	s, err := newSession(cmd, o.analyzeOpts, true)
	if err != nil {
		tl.Close()
		pc.Close()
		return err
	}
	defer s.close()

	// The receivers queue packets until Ctrl-C closes their sockets;
	// then the queue is closed, and the analysis reads it to its end:
	// nothing received is lost.
	ch := make(chan hepPacket, 4096)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); receiveUDP(pc, ch) }()
	go func() { defer wg.Done(); acceptHEP(ctx, tl, ch, stderr) }()
	go func() {
		<-ctx.Done()
		tl.Close()
		pc.Close()
		wg.Wait()
		close(ch)
	}()
	fmt.Fprintf(stderr, "sipaudit: receiving HEP on udp and tcp %s; Ctrl-C to stop\n", local)

	idle := time.NewTimer(time.Hour)
	var pending hepPacket
	read := func() ([]byte, gopacket.CaptureInfo, error) {
		ok := true
		select {
		case pending, ok = <-ch:
		default:
			idle.Reset(100 * time.Millisecond)
			select {
			case pending, ok = <-ch:
			case <-idle.C:
				return nil, gopacket.CaptureInfo{}, errIdle
			}
		}
		if !ok {
			return nil, gopacket.CaptureInfo{}, io.EOF
		}
		return pending.data, gopacket.CaptureInfo{Timestamp: pending.at, CaptureLength: len(pending.data), Length: len(pending.data)}, nil
	}
	var unwritten int
	keep := func(ci gopacket.CaptureInfo, data []byte) error {
		if w == nil {
			return nil
		}
		dg, err := datagram(pending.from, local, data)
		if err != nil {
			unwritten++ // a HEP packet too large for one IP datagram
			return nil
		}
		return w.WritePacket(gopacket.CaptureInfo{Timestamp: ci.Timestamp, CaptureLength: len(dg), Length: len(dg)}, dg)
	}
	flush := func() error {
		if w == nil {
			return nil
		}
		return w.Flush()
	}
	err = s.capture(context.Background(), &in, read, func() (int64, int64) { return 0, 0 }, keep, flush,
		func(dec *capture.Decoder, frame int, ci gopacket.CaptureInfo, data []byte) {
			dec.HEPPacket(frame, ci.Timestamp, data, o.authKey)
		})
	stop()
	if unwritten > 0 {
		fmt.Fprintf(stderr, "sipaudit: --write: %d HEP packets too large for an IP datagram were not written\n", unwritten)
	}
	if n := s.rep.Capture.HEPAuthFailed; n > 0 {
		fmt.Fprintf(stderr, "sipaudit: %d HEP packets without the auth key were dropped\n", n)
	}
	return s.finishLive(in, err)
}

// listenHEP opens the TCP and UDP listeners on one address; port 0
// picks a port free for both.
func listenHEP(addr string) (net.Listener, net.PacketConn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, err
	}
	for range 10 {
		tl, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, nil, err
		}
		_, p, _ := net.SplitHostPort(tl.Addr().String())
		pc, err := net.ListenPacket("udp", net.JoinHostPort(host, p))
		if err == nil {
			if u, ok := pc.(*net.UDPConn); ok {
				_ = u.SetReadBuffer(8 << 20) // bursts from busy agents
			}
			return tl, pc, nil
		}
		tl.Close()
		if port != "0" {
			return nil, nil, err
		}
	}
	return nil, nil, errors.New("no port free for both UDP and TCP")
}

// receiveUDP queues every datagram until pc is closed.
func receiveUDP(pc net.PacketConn, ch chan<- hepPacket) {
	buf := make([]byte, 65536)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		ua, _ := from.(*net.UDPAddr)
		ch <- hepPacket{data: append([]byte(nil), buf[:n]...), at: time.Now(), from: addrPort(ua.IP, ua.Port)}
	}
}

// acceptHEP serves TCP agents until l is closed.
func acceptHEP(ctx context.Context, l net.Listener, ch chan<- hepPacket, stderr io.Writer) {
	sem := make(chan struct{}, maxHEPConns)
	var wg sync.WaitGroup
	defer wg.Wait()
	var mu sync.Mutex
	for {
		c, err := l.Accept()
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
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			stop := context.AfterFunc(ctx, func() { c.Close() })
			defer stop()
			defer c.Close()
			ta, _ := c.RemoteAddr().(*net.TCPAddr)
			from := addrPort(ta.IP, ta.Port)
			r := bufio.NewReaderSize(c, 64<<10)
			var buf []byte
			for {
				p, err := capture.ReadHEP(r, buf)
				if err != nil {
					if errors.Is(err, capture.ErrNotHEPStream) {
						mu.Lock()
						fmt.Fprintf(stderr, "sipaudit: hep: tcp %s: %v; connection closed\n", from, err)
						mu.Unlock()
					}
					return
				}
				ch <- hepPacket{data: append([]byte(nil), p...), at: time.Now(), from: from}
				buf = p
			}
		}()
	}
}

func addrPort(ip net.IP, port int) netip.AddrPort {
	a, _ := netip.AddrFromSlice(ip)
	return netip.AddrPortFrom(a.Unmap(), uint16(port))
}

// datagram wraps a HEP packet in the IP and UDP headers of its way from
// the agent to the listener (raw IP link type).
func datagram(from, to netip.AddrPort, payload []byte) ([]byte, error) {
	udp := &layers.UDP{SrcPort: layers.UDPPort(from.Port()), DstPort: layers.UDPPort(to.Port())}
	var ip gopacket.NetworkLayer
	src, dst := from.Addr(), to.Addr()
	if src.Is4() && !dst.Is4() || !src.Is4() && dst.Is4() {
		if src.Is4() {
			src = netip.AddrFrom16(src.As16())
		} else {
			dst = netip.AddrFrom16(dst.As16())
		}
	}
	if src.Is4() {
		if len(payload) > 65535-28 {
			return nil, errors.New("too large")
		}
		ip = &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
	} else {
		if len(payload) > 65535-8 {
			return nil, errors.New("too large")
		}
		ip = &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolUDP, SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
	}
	_ = udp.SetNetworkLayerForChecksum(ip)
	buf := gopacket.NewSerializeBuffer()
	err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
		ip.(gopacket.SerializableLayer), udp, gopacket.Payload(payload))
	return buf.Bytes(), err
}
