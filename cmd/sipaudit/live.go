package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/sipaudit/sipaudit/capture"
)

// liveTick is how often a live session hands what it has to the
// analysis, moves capture time on, stores changed findings and checks
// the drop counters.
const liveTick = time.Second

type liveOpts struct {
	analyzeOpts
	iface   string
	bpf     string
	write   string
	promisc bool
	buffer  int // MiB
}

func newLiveCmd() *cobra.Command {
	var o liveOpts
	cmd := &cobra.Command{
		Use:   "live -i IFACE [flags]",
		Short: "Analyze SIP on a network interface as it happens (libpcap)",
		Long: "Capture on an interface with libpcap and analyze as analyze does: findings are printed\n" +
			"as they are made (text lines, or JSON lines with --format json) and stored every second;\n" +
			"Ctrl-C or SIGTERM ends the capture, completes the analysis and writes the report.\n" +
			"Capturing needs root or CAP_NET_RAW.",
		Example: "  sipaudit live -i eth0 --bpf 'port 5060'\n" +
			"  sipaudit live -i any --write lab.pcapng --creds creds.csv\n" +
			"  sipaudit live -i lo --format json > findings.jsonl",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLive(cmd, o)
		},
	}
	addAnalysisFlags(cmd, &o.analyzeOpts)
	f := cmd.Flags()
	f.StringVarP(&o.iface, "interface", "i", "", "network `IFACE` to capture on (\"any\" for all)")
	f.StringVar(&o.bpf, "bpf", "", "capture filter, in tcpdump's syntax (`EXPR`)")
	f.StringVarP(&o.write, "write", "w", "", "also write the packets to a pcapng `FILE`; findings' frames number its packets")
	f.BoolVar(&o.promisc, "promisc", true, "put the interface in promiscuous mode")
	f.IntVar(&o.buffer, "buffer-size", 64, "kernel capture buffer in `MiB`: larger loses fewer packets in bursts")
	_ = cmd.MarkFlagRequired("interface")
	return cmd
}

func runLive(cmd *cobra.Command, o liveOpts) error {
	o.progress = "never"
	if o.buffer <= 0 {
		return &exitError{exitUsage, errors.New("--buffer-size must be positive")}
	}
	src, err := capture.OpenLive(o.iface, capture.LiveOptions{Filter: o.bpf, Promisc: o.promisc, BufferSize: o.buffer << 20})
	if err != nil {
		return &exitError{exitInput, fmt.Errorf("%s: %w", o.iface, err)}
	}
	defer src.Close()
	lt := src.LinkType()
	in := capture.Input{Path: o.iface, Format: "live", LinkType: capture.LinkName(lt)}
	var w *capture.PcapngWriter
	if o.write != "" {
		f, err := os.Create(o.write)
		if err != nil {
			return &exitError{exitUsage, fmt.Errorf("--write: %w", err)}
		}
		defer f.Close()
		if w, err = capture.NewPcapngWriter(f, o.iface, o.bpf, lt, "sipaudit "+version()); err != nil {
			return &exitError{exitUsage, fmt.Errorf("--write %s: %w", o.write, err)}
		}
		// The frames of the findings number the packets of this file.
		in.Path, in.Format = o.write, "live+pcapng"
	}
	s, err := newSession(cmd, o.analyzeOpts, true)
	if err != nil {
		return err
	}
	defer s.close()
	fmt.Fprintf(cmd.ErrOrStderr(), "sipaudit: capturing on %s (%s)%s; Ctrl-C to stop\n", o.iface, in.LinkType, filterNote(o.bpf))
	var pw packetWriter
	if w != nil {
		pw = w
	}
	err = s.capture(cmd.Context(), &in, func() (capture.Packet, error) { return src.Read() }, src.Drops, pw,
		func(dec *capture.Decoder, frame int, p capture.Packet) { dec.Packet(lt, frame, p.Time, p.Data) })
	return s.finishLive(in, err)
}

func filterNote(bpf string) string {
	if bpf == "" {
		return ""
	}
	return fmt.Sprintf(" with filter %q", bpf)
}

// packetWriter keeps the packets a live session analyzes (--write).
type packetWriter interface {
	Write(capture.Packet) error
	Flush() error
}

// capture reads packets from read until it fails, ends (io.EOF) or ctx
// is cancelled, and analyzes them as they come. Every
// liveTick the pipeline is flushed, capture time moves on with the wall
// clock, changed findings are stored, the packets written to w are
// flushed
// and new drops are reported. Packets are numbered from 1 into in,
// written to w when not nil, and decoded (feed).
func (s *session) capture(ctx context.Context, in *capture.Input, read func() (capture.Packet, error),
	drops func() (int64, int64), w packetWriter, feed func(dec *capture.Decoder, frame int, p capture.Packet)) error {
	stderr := s.cmd.ErrOrStderr()
	s.an.SetInput(in.Path)
	pipe := s.an.Pipeline()
	dec := capture.NewDecoder(capture.DefaultLimits(), pipe.Add)
	defer func() {
		dec.Close()
		pipe.Close()
		s.rep.Capture.Add(dec.Stats())
	}()
	next := time.Now().Add(liveTick)
	var reported int64
	tick := func(now time.Time) error {
		pipe.Flush()
		// Packets still in the kernel's buffer are at most its timeout
		// old: capture time is moved on to a little before now.
		pipe.Do(func() {
			s.an.Advance(now.Add(-liveTick))
			s.storeFindings()
		})
		if w != nil {
			if err := w.Flush(); err != nil {
				return fmt.Errorf("--write: %w", err)
			}
		}
		k, i := drops()
		in.KernelDropped, in.InterfaceDropped = k, i
		if k+i > reported {
			fmt.Fprintf(stderr, "sipaudit: %s: %d packets dropped by the kernel, %d by the interface so far\n", in.Path, k, i)
			reported = k + i
		}
		return nil
	}
	for {
		if ctx.Err() != nil {
			return tick(time.Now())
		}
		p, err := read()
		switch {
		case err == nil:
			in.Packets++
			in.Bytes += int64(len(p.Data))
			if w != nil {
				if err := w.Write(p); err != nil {
					return fmt.Errorf("--write: %w", err)
				}
			}
			feed(dec, in.Packets, p)
		case errors.Is(err, capture.ErrIdle):
		case errors.Is(err, io.EOF):
			return tick(time.Now())
		default:
			_ = tick(time.Now())
			return err
		}
		if now := time.Now(); !now.Before(next) {
			next = now.Add(liveTick)
			if err := tick(now); err != nil {
				return err
			}
		}
	}
}

// finishLive ends a live session: err is why the capture stopped (nil
// for Ctrl-C, SIGTERM or the end of the source).
func (s *session) finishLive(in capture.Input, err error) error {
	stderr := s.cmd.ErrOrStderr()
	failed := false
	if err != nil {
		in.Error = err.Error()
		fmt.Fprintf(stderr, "sipaudit: %s: %v; what was captured before is analyzed\n", in.Path, err)
		failed = true
	}
	s.addInput(in, capture.Stats{}) // the capture loop added the decoder's counters
	s.an.Close()
	fmt.Fprintf(stderr, "sipaudit: %s: %d packets, %d dropped by the kernel, %d by the interface\n",
		in.Path, in.Packets, in.KernelDropped, in.InterfaceDropped)
	return s.finish("", failed)
}
