package main

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/sipaudit/sipaudit/capture"
)

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

// hepWriter writes each HEP packet as the UDP datagram it came in.
type hepWriter struct {
	w         *capture.PcapngWriter
	local     netip.AddrPort
	from      *netip.AddrPort // the agent of the packet being written
	unwritten int
}

func (h *hepWriter) Write(p capture.Packet) error {
	dg, err := capture.HEPDatagram(*h.from, h.local, p.Data)
	if err != nil {
		h.unwritten++ // a HEP packet too large for one IP datagram
		return nil
	}
	return h.w.Write(capture.Packet{Data: dg, Time: p.Time, Length: len(dg)})
}

func (h *hepWriter) Flush() error { return h.w.Flush() }

func runHEP(cmd *cobra.Command, o hepOpts) error {
	o.progress = "never"
	stderr := cmd.ErrOrStderr()
	l, err := capture.ListenHEP(o.listen, func(format string, args ...any) { fmt.Fprintf(stderr, "sipaudit: "+format+"\n", args...) })
	if err != nil {
		return &exitError{exitUsage, fmt.Errorf("--listen %s: %w", o.listen, err)}
	}
	defer l.Close()
	in := capture.Input{Path: "hep:" + l.Addr().String(), Format: "hep", LinkType: "hep"}
	var from netip.AddrPort
	var hw *hepWriter
	var pw packetWriter
	if o.write != "" {
		f, err := os.Create(o.write)
		if err != nil {
			return &exitError{exitUsage, fmt.Errorf("--write: %w", err)}
		}
		defer f.Close()
		w, err := capture.NewPcapngWriter(f, in.Path, "", capture.LinkRaw, "sipaudit "+version())
		if err != nil {
			return &exitError{exitUsage, fmt.Errorf("--write %s: %w", o.write, err)}
		}
		hw = &hepWriter{w: w, local: l.Addr(), from: &from}
		pw = hw
		in.Path, in.Format = o.write, "hep+pcapng"
	}
	s, err := newSession(cmd, o.analyzeOpts, true)
	if err != nil {
		return err
	}
	defer s.close()
	fmt.Fprintf(stderr, "sipaudit: receiving HEP on udp and tcp %s; Ctrl-C to stop\n", l.Addr())
	// Ctrl-C closes the sockets; what they received is still analyzed
	// (Read gives io.EOF after it): nothing received is lost.
	stop := context.AfterFunc(cmd.Context(), l.Close)
	defer stop()
	read := func() (capture.Packet, error) {
		r, err := l.Read(100 * time.Millisecond)
		from = r.From
		return capture.Packet{Data: r.Data, Time: r.Time, Length: len(r.Data)}, err
	}
	err = s.capture(context.Background(), &in, read, func() (int64, int64) { return 0, 0 }, pw,
		func(dec *capture.Decoder, frame int, p capture.Packet) {
			dec.HEPPacket(frame, p.Time, p.Data, o.authKey)
		})
	if hw != nil && hw.unwritten > 0 {
		fmt.Fprintf(stderr, "sipaudit: --write: %d HEP packets too large for an IP datagram were not written\n", hw.unwritten)
	}
	if n := s.rep.Capture.HEPAuthFailed; n > 0 {
		fmt.Fprintf(stderr, "sipaudit: %d HEP packets without the auth key were dropped\n", n)
	}
	return s.finishLive(in, err)
}
