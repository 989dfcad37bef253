package capture

import (
	"context"
	"os"
	"testing"

	"github.com/sipaudit/sipaudit/internal/testgen"
)

// BenchmarkCapturePath times the capture path alone: read, decode,
// defragment, reassemble and frame SIP, on a generator capture. Set
// SIPAUDIT_BENCH_PCAP to use a given file (scripts/bench.sh passes its
// ~1M-packet capture); otherwise a small one is generated when
// shared/bench is beside the repository. One op is the whole file;
// the packets/s metric is what to compare.
func BenchmarkCapturePath(b *testing.B) {
	path := testgen.BenchCapture(b)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	var packets, msgs int
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		d := NewDecoder(DefaultLimits(), func(*Message) { msgs++ })
		in, err := Read(context.Background(), f, path, d, nil)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		d.Close()
		packets += in.Packets
	}
	b.ReportMetric(float64(packets)/b.Elapsed().Seconds(), "packets/s")
	b.ReportMetric(float64(msgs)/float64(b.N), "messages/op")
}
