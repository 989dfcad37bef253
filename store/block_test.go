package store

import (
	"context"
	"database/sql/driver"
	"encoding/binary"
	"github.com/klauspost/compress/s2"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/analyzer"
)

// TestBlockRoundTrip packs odd messages (no frames, no endpoints, no
// parsed message, frames out of order, IPv6) and decodes them back.
func TestBlockRoundTrip(t *testing.T) {
	r := &Run{}
	evs := []analyzer.MessageEvent{
		{Input: "a", Raw: []byte("garbage without newline")},
		{Input: "a", Frames: []int{7, 3, 9}, Time: time.Unix(5, 6), Src: netip.MustParseAddrPort("[2001:db8::1]:5060"),
			Dst: netip.MustParseAddrPort("10.0.0.1:5061"), Transport: "TCP", Retransmission: true,
			Msg: &analyzer.Msg{Status: 401, CallID: "c1", CSeqMethod: "INVITE"}, Exchange: &analyzer.Exchange{ID: "e4"},
			Raw: []byte("SIP/2.0 401 Unauthorized\r\nCall-ID: c1\r\n\r\n")},
	}
	for i := range evs {
		r.AddMessage(&evs[i])
	}
	c := r.cur
	if c.nmsgs != 2 || c.first != 3 || c.last != 9 {
		t.Fatalf("block of %d messages, frames %d-%d", c.nmsgs, c.first, c.last)
	}
	br := newBlockReader(c.meta, c.raw)
	var got []*Message
	for br.next() {
		got = append(got, br.m.toMessage("a"))
	}
	if br.err != nil || len(got) != 2 {
		t.Fatalf("%d messages, %v", len(got), br.err)
	}
	m := got[1]
	if !slices.Equal(m.Frames, []int{7, 3, 9}) || !m.Time.Equal(time.Unix(5, 6)) || m.Src != "[2001:db8::1]:5060" || m.Dst != "10.0.0.1:5061" ||
		m.Transport != "TCP" || !m.Retransmission || m.Auth || m.Status != 401 || m.Method != "INVITE" || m.CallID != "c1" ||
		m.Exchange != "e4" || m.StartLine != "SIP/2.0 401 Unauthorized" || string(m.Raw) != string(evs[1].Raw) {
		t.Errorf("got %+v", m)
	}
	if m := got[0]; len(m.Frames) != 0 || m.Src != "" || m.StartLine != "garbage without newline" || m.CallID != "" {
		t.Errorf("got %+v", m)
	}
	// Truncated metadata is an error, not a panic.
	for n := 1; n < len(c.meta); n++ {
		br := newBlockReader(c.meta[:n], c.raw)
		for br.next() {
		}
	}
}

// TestBlockCompression round-trips block parts through S2 and checks
// that corrupt or oversized input is an error, not a panic.
func TestBlockCompression(t *testing.T) {
	rnd := uint64(1)
	next := func() byte {
		rnd ^= rnd << 13
		rnd ^= rnd >> 7
		rnd ^= rnd << 17
		return byte(rnd)
	}
	for _, n := range []int{0, 1, 100, 4096, 300000} {
		text := make([]byte, n)
		for i := range text {
			const sip = "SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK\r\n"
			text[i] = sip[(int(next())%4+i)%len(sip)]
		}
		z := s2.Encode(nil, text)
		got, err := s2Decode(z)
		if err != nil || !slices.Equal(got, text) {
			t.Fatalf("%d bytes: round trip failed: %v", n, err)
		}
		for k := range min(len(z), 200) {
			c := slices.Clone(z)
			c[k] ^= 0x55
			_, _ = s2Decode(c) // any result but a panic
		}
	}
	huge := binary.AppendUvarint(nil, maxBlockBytes+1)
	if _, err := s2Decode(append(huge, 0, 0, 0)); err == nil {
		t.Error("a block claiming more than maxBlockBytes decoded")
	}
}

// TestMigrateMsgCalls writes a run as schema 1 stored it (uncompressed
// blocks, msg_calls without epochs), migrates, and finds its messages by
// Call-ID.
func TestMigrateMsgCalls(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v1.db")
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	// Back to schema 1 by hand (the tables 0002 changed).
	for _, q := range []string{"DROP TABLE msg_calls", "DROP TABLE msg_blocks", "DROP TABLE inputs", "DROP TABLE runs",
		"DROP TABLE msg_counts", "DROP TABLE exchanges", "DROP TABLE dialogs", "DROP TABLE registrations", "DROP TABLE findings",
		ms[0].sql, "PRAGMA user_version=1",
		`INSERT INTO runs (id, started) VALUES (1, 0)`,
		`INSERT INTO inputs (run_id, seq, path) VALUES (1, 1, 'old.pcap')`} {
		if _, err := db.w.Exec(q, nil); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	r := &Run{}
	ev := analyzer.MessageEvent{Input: "old.pcap", Frames: []int{1}, Msg: &analyzer.Msg{Request: true, Method: "OPTIONS", CallID: "old-call"},
		Raw: []byte("OPTIONS sip:x SIP/2.0\r\nCall-ID: old-call\r\n\r\n")}
	r.AddMessage(&ev)
	if _, err := db.w.Exec(`INSERT INTO msg_blocks (id, run_id, input, n, first_frame, last_frame, meta, raw) VALUES (300, 1, 1, 1, 1, 1, ?, ?)`,
		[]driver.Value{r.cur.meta, r.cur.raw}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.Exec(`INSERT INTO msg_calls (run_id, call_hash, block) VALUES (1, ?, 300)`, []driver.Value{callHash("old-call")}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	msgs, err := db.Messages(ctx, 1, MessageQuery{CallID: "old-call"})
	if err != nil || len(msgs) != 1 || string(msgs[0].Raw) != string(ev.Raw) || msgs[0].Input != "old.pcap" {
		t.Fatalf("messages after migrating: %+v, %v", msgs, err)
	}
}

// TestEpochLookups finds exchanges and dialogs by user and Call-ID when
// they span many epochs (two rows each).
func TestEpochLookups(t *testing.T) {
	defer func(b int) { rowEpochBits = b }(rowEpochBits)
	rowEpochBits = 1
	db, _ := openTemp(t)
	ctx := context.Background()
	a := analyze(t, db, exampleCreds, true, examplePcap)
	if len(a.exchanges) < 8 || len(a.dialogs) < 4 {
		t.Fatalf("%d exchanges, %d dialogs: too few epochs", len(a.exchanges), len(a.dialogs))
	}
	for _, e := range a.exchanges {
		wantUser, wantCall := 0, 0
		for _, o := range a.exchanges {
			if o.Username == e.Username {
				wantUser++
			}
			if o.CallID == e.CallID {
				wantCall++
			}
		}
		if got, n, err := db.Exchanges(ctx, a.run.ID(), ExchangeQuery{User: e.Username}); err != nil || n != wantUser || len(got) != wantUser {
			t.Errorf("exchanges of %q: %d (%d), want %d, %v", e.Username, len(got), n, wantUser, err)
		}
		if got, n, err := db.Exchanges(ctx, a.run.ID(), ExchangeQuery{CallID: e.CallID}); err != nil || n != wantCall || len(got) != wantCall {
			t.Errorf("exchanges of %q: %d (%d), want %d, %v", e.CallID, len(got), n, wantCall, err)
		}
	}
	for _, d := range a.dialogs {
		want := 0
		for _, o := range a.dialogs {
			if o.CallID == d.CallID {
				want++
			}
		}
		if got, n, err := db.Dialogs(ctx, a.run.ID(), DialogQuery{CallID: d.CallID}); err != nil || n != want || len(got) != want {
			t.Errorf("dialogs of %q: %d (%d), want %d, %v", d.CallID, len(got), n, want, err)
		}
	}
	rows, err := db.r.Query(`EXPLAIN QUERY PLAN SELECT data FROM exchanges`+exchangeWhere(a.run.ID(), ExchangeQuery{User: "x"}).String(),
		exchangeWhere(a.run.ID(), ExchangeQuery{User: "x"}).args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan string
	for rows.Next() {
		var a, b, c int
		var d string
		if err := rows.Scan(&a, &b, &c, &d); err != nil {
			t.Fatal(err)
		}
		plan += d + "\n"
	}
	if !strings.Contains(plan, "exchanges_user (run_id=? AND epoch=? AND user_hash=?)") {
		t.Errorf("exchanges by user do not seek the index:\n%s", plan)
	}
}

// FuzzBlockReader: a message block read back from a database that may be
// corrupt or hostile (plain or S2-compressed) yields messages or an
// error, never a panic, and never more than the raw bytes it holds.
func FuzzBlockReader(f *testing.F) {
	r := &Run{}
	ev := analyzer.MessageEvent{Input: "a", Frames: []int{1, 2}, Time: time.Unix(5, 6), Src: netip.MustParseAddrPort("10.0.0.1:5060"),
		Dst: netip.MustParseAddrPort("10.0.0.2:5060"), Transport: "udp", Msg: &analyzer.Msg{Request: true, Method: "REGISTER", CallID: "c1"},
		Raw: []byte("REGISTER sip:x SIP/2.0\r\nCall-ID: c1\r\n\r\n")}
	r.AddMessage(&ev)
	r.AddMessage(&ev)
	c := r.cur
	f.Add(c.meta, c.raw)
	f.Add(append([]byte{metaFormatS2}, s2.Encode(nil, c.meta[1:])...), s2.Encode(nil, c.raw))
	f.Fuzz(func(t *testing.T, meta, raw []byte) {
		br := newBlockReader(meta, raw)
		total := 0
		for n := 0; br.next(); n++ {
			total += len(br.m.toMessage("a").Raw)
			if n > len(meta) {
				t.Fatalf("%d messages from %d bytes of metadata", n, len(meta))
			}
		}
		if br.err == nil && total > len(br.raw) {
			t.Fatalf("%d raw bytes from a block of %d", total, len(br.raw))
		}
	})
}
