package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/finding"
	"github.com/sipaudit/sipaudit/report"
	"github.com/sipaudit/sipaudit/rules"
	"github.com/sipaudit/sipaudit/store"
	"github.com/sipaudit/sipaudit/web"
)

// authBuckets is the number of bars of the overview's authentication
// chart.
const authBuckets = 50

// dbSource is the web report's Source over a store database.
type dbSource struct {
	db *store.DB
}

var _ web.Source = dbSource{}

// newDBSource returns the web.Source of db.
func newDBSource(db *store.DB) web.Source { return dbSource{db: db} }

// notFound turns the store's ErrNotFound into the web's.
func notFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %v", web.ErrNotFound, err)
	}
	return err
}

func (s dbSource) Runs(ctx context.Context) ([]web.Run, error) {
	rrs, err := s.db.Runs(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]web.Run, len(rrs))
	for i, rr := range rrs {
		out[i] = webRun(rr)
	}
	return out, nil
}

func webRun(rr *store.RunRecord) web.Run {
	r := web.Run{ID: rr.ID, Started: rr.Started, Finished: rr.Finished, Complete: rr.Complete, Version: rr.Version,
		Args: rr.Args, SIPMessages: rr.Messages, Exchanges: rr.Exchanges, Dialogs: rr.Dialogs,
		Registrations: rr.Registrations, Findings: rr.Findings}
	for _, in := range rr.Inputs {
		r.Inputs = append(r.Inputs, web.Input{Path: in.Path, Format: in.Format, LinkType: in.LinkType,
			Packets: in.Packets, Bytes: in.Bytes, Error: in.Error})
		r.Packets += in.Packets
	}
	if st := rr.Stats; st != nil {
		r.Packets, r.SIPMessages, r.Malformed = st.Packets, st.SIPMessages, st.Malformed
	}
	return r
}

func (s dbSource) Overview(ctx context.Context, run int64) (*web.Overview, error) {
	rr, err := s.db.RunRecord(ctx, run)
	if err != nil {
		return nil, notFound(err)
	}
	ov := &web.Overview{Run: webRun(rr), FindingsBySeverity: map[string]int{}}
	bySev, byRule, err := s.db.FindingCounts(ctx, run)
	if err != nil {
		return nil, err
	}
	for sev := finding.Info; sev <= finding.Critical; sev++ {
		ov.FindingsBySeverity[sev.String()] = bySev[sev]
	}
	for _, rc := range byRule {
		ov.FindingsByRule = append(ov.FindingsByRule, web.RuleCount{ID: rc.Rule, Name: rc.Name, Severity: rc.Severity, Count: rc.Count})
	}
	buckets, err := s.db.AuthTimeline(ctx, run, authBuckets)
	if err != nil {
		return nil, err
	}
	for _, b := range buckets {
		ov.Auth = append(ov.Auth, web.AuthBucket{Start: b.Start, Accepted: b.Accepted, Refused: b.Refused, Invalid: b.Invalid})
	}
	if rr.Stats != nil {
		ov.Requests, ov.Responses = rr.Stats.Requests, rr.Stats.Responses
	} else if ov.Requests, ov.Responses, err = s.db.MessageStats(ctx, run); err != nil {
		return nil, err
	}
	return ov, nil
}

func (s dbSource) Findings(ctx context.Context, run int64, f web.FindingFilter) ([]finding.Finding, int, error) {
	if _, err := s.db.RunRecord(ctx, run); err != nil {
		return nil, 0, notFound(err)
	}
	q := store.FindingQuery{Rule: f.Rule, User: f.User, IP: f.Source, CallID: f.CallID, Limit: f.Limit, Offset: f.Offset}
	if q.Limit <= 0 {
		q.Limit = 100
	}
	if f.Severity != "" {
		sev, err := finding.ParseSeverity(f.Severity)
		if err != nil {
			return nil, 0, err
		}
		q.MinSeverity = sev
	}
	fs, n, err := s.db.Findings(ctx, run, q)
	return derefFindings(fs), n, err
}

func derefFindings(fs []*finding.Finding) []finding.Finding {
	out := make([]finding.Finding, len(fs))
	for i, f := range fs {
		out[i] = *f
	}
	return out
}

func (s dbSource) Exchanges(ctx context.Context, run int64, user string, limit, offset int) ([]web.Exchange, int, error) {
	if _, err := s.db.RunRecord(ctx, run); err != nil {
		return nil, 0, notFound(err)
	}
	if limit <= 0 {
		limit = 100
	}
	exs, n, err := s.db.Exchanges(ctx, run, store.ExchangeQuery{User: user, Limit: limit, Offset: offset})
	if err != nil {
		return nil, 0, err
	}
	out := make([]web.Exchange, len(exs))
	for i, e := range exs {
		out[i] = webExchange(e)
	}
	return out, n, nil
}

func webExchange(e *analyzer.Exchange) web.Exchange {
	x := web.Exchange{ID: e.ID, Input: e.Input, Frame: e.Frame, Time: e.Time, CallID: e.CallID, Method: e.Method,
		Transport: e.Transport, Client: e.Client, Server: e.Server, Header: e.Header, Scheme: e.Scheme,
		Username: e.Username, Realm: e.Realm, Algorithm: e.Algorithm, QOP: e.QOP, Nonce: e.Nonce, NC: e.NC,
		CNonce: e.CNonce, URI: e.URI, RequestURI: e.RequestURI, From: e.From, To: e.To, UserAgent: e.UserAgent,
		Reference: e.Reference, ServerVerdict: e.ServerVerdict, Status: e.Status, Cause: e.Cause, Reason: e.Reason,
		NonceState: e.NonceState, RspAuth: e.RspAuth, Problems: e.Problems, Frames: e.Frames,
		ResponseFrames: e.ResponseFrames, ChallengeFrames: e.ChallengeFrames}
	if w := e.Work; w != nil {
		x.Work = &web.Work{Algorithm: w.Algorithm, A1: w.A1, HA1: w.HA1, A2: w.A2, HA2: w.HA2, Data: w.Data,
			Expected: w.Expected, Received: w.Received}
	}
	return x
}

func (s dbSource) Exchange(ctx context.Context, run int64, id string) (*web.Exchange, error) {
	e, err := s.db.Exchange(ctx, run, id)
	if err != nil {
		return nil, notFound(err)
	}
	x := webExchange(e)
	fs, _, err := s.db.Findings(ctx, run, store.FindingQuery{Exchange: id})
	if err != nil {
		return nil, err
	}
	x.Findings = derefFindings(fs)
	if e.CallID != "" {
		ds, _, err := s.db.Dialogs(ctx, run, store.DialogQuery{CallID: e.CallID, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(ds) > 0 {
			x.DialogID = ds[0].ID
		}
	}
	return &x, nil
}

func webDialog(d *analyzer.Dialog) web.Dialog {
	return web.Dialog{ID: d.ID, Input: d.Input, CallID: d.CallID, Method: d.Method, State: string(d.State),
		From: d.From, To: d.To, Caller: d.Caller, Callee: d.Callee, Start: d.Start, End: d.End,
		FirstFrame: d.FirstFrame, LastFrame: d.LastFrame, Messages: d.Messages, Status: d.Status,
		Authenticated: d.Authenticated}
}

func (s dbSource) Dialogs(ctx context.Context, run int64, limit, offset int) ([]web.Dialog, int, error) {
	if _, err := s.db.RunRecord(ctx, run); err != nil {
		return nil, 0, notFound(err)
	}
	if limit <= 0 {
		limit = 100
	}
	ds, n, err := s.db.Dialogs(ctx, run, store.DialogQuery{Limit: limit, Offset: offset})
	if err != nil {
		return nil, 0, err
	}
	out := make([]web.Dialog, len(ds))
	for i, d := range ds {
		out[i] = webDialog(d)
	}
	return out, n, nil
}

// dialogMessages returns the messages of a dialog's Call-ID, of its input.
func (s dbSource) dialogMessages(ctx context.Context, run int64, d *analyzer.Dialog) ([]*store.Message, error) {
	ms, err := s.db.Messages(ctx, run, store.MessageQuery{CallID: d.CallID})
	if err != nil {
		return nil, err
	}
	out := ms[:0]
	for _, m := range ms {
		if m.Input == d.Input {
			out = append(out, m)
		}
	}
	return out, nil
}

func (s dbSource) Dialog(ctx context.Context, run int64, id string) (*web.Dialog, []web.Message, error) {
	d, err := s.db.Dialog(ctx, run, id)
	if err != nil {
		return nil, nil, notFound(err)
	}
	ms, err := s.dialogMessages(ctx, run, d)
	if err != nil {
		return nil, nil, err
	}
	wd := webDialog(d)
	out := make([]web.Message, len(ms))
	for i, m := range ms {
		out[i] = web.Message{Frames: m.Frames, Time: m.Time, Src: m.Src, Dst: m.Dst, Transport: m.Transport,
			Request: m.Status == 0, Method: m.Method, Status: m.Status, StartLine: m.StartLine, Auth: m.Auth,
			ExchangeID: m.Exchange, Raw: m.Raw}
	}
	return &wd, out, nil
}

func webRegistration(g *analyzer.Registration) web.Registration {
	r := web.Registration{AOR: g.AOR, State: g.State, Implicit: g.Implicit}
	for _, b := range g.Bindings {
		r.Bindings = append(r.Bindings, web.Binding{Contact: b.Contact, Expires: b.Expires, Since: b.Since,
			Until: b.Until, Source: b.Source, CallID: b.CallID})
	}
	for _, e := range g.Events {
		r.Events = append(r.Events, web.RegEvent{Time: e.Time, Frame: e.Frame, Event: e.Event, Contact: e.Contact,
			Origin: e.Origin, Status: e.Status})
	}
	return r
}

func (s dbSource) Registrations(ctx context.Context, run int64) ([]web.Registration, error) {
	if _, err := s.db.RunRecord(ctx, run); err != nil {
		return nil, notFound(err)
	}
	gs, err := s.db.Registrations(ctx, run, store.RegistrationQuery{})
	if err != nil {
		return nil, err
	}
	out := make([]web.Registration, len(gs))
	for i, g := range gs {
		out[i] = webRegistration(g)
	}
	return out, nil
}

// searchLimit caps each list of a search result.
const searchLimit = 100

// Search looks q up as a frame number (a decimal number), an IP address,
// and otherwise as a Call-ID and as a user (username or a part of an
// AOR).
func (s dbSource) Search(ctx context.Context, run int64, q string) (*web.SearchResult, error) {
	if _, err := s.db.RunRecord(ctx, run); err != nil {
		return nil, notFound(err)
	}
	q = strings.TrimSpace(q)
	res := &web.SearchResult{Query: q}
	if q == "" {
		return res, nil
	}
	exIDs, dlIDs, fps, aors := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	addEx := func(es []*analyzer.Exchange) {
		for _, e := range es {
			if !exIDs[e.ID] && len(res.Exchanges) < searchLimit {
				exIDs[e.ID] = true
				res.Exchanges = append(res.Exchanges, webExchange(e))
			}
		}
	}
	addDl := func(ds []*analyzer.Dialog) {
		for _, d := range ds {
			if !dlIDs[d.ID] && len(res.Dialogs) < searchLimit {
				dlIDs[d.ID] = true
				res.Dialogs = append(res.Dialogs, webDialog(d))
			}
		}
	}
	addFs := func(fs []*finding.Finding) {
		for _, f := range fs {
			if !fps[f.Fingerprint] && len(res.Findings) < searchLimit {
				fps[f.Fingerprint] = true
				res.Findings = append(res.Findings, *f)
			}
		}
	}
	addRegs := func(gs []*analyzer.Registration) {
		for _, g := range gs {
			if !aors[g.AOR] && len(res.Registrations) < searchLimit {
				aors[g.AOR] = true
				res.Registrations = append(res.Registrations, webRegistration(g))
			}
		}
	}
	// callID adds everything about one Call-ID.
	callID := func(id string) error {
		es, _, err := s.db.Exchanges(ctx, run, store.ExchangeQuery{CallID: id, Limit: searchLimit})
		if err != nil {
			return err
		}
		addEx(es)
		ds, _, err := s.db.Dialogs(ctx, run, store.DialogQuery{CallID: id, Limit: searchLimit})
		if err != nil {
			return err
		}
		addDl(ds)
		fs, _, err := s.db.Findings(ctx, run, store.FindingQuery{CallID: id, Limit: searchLimit})
		if err != nil {
			return err
		}
		addFs(fs)
		return nil
	}
	if n, err := strconv.Atoi(q); err == nil && n > 0 {
		ms, err := s.db.Messages(ctx, run, store.MessageQuery{Frame: n, Limit: searchLimit})
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, m := range ms {
			if m.CallID != "" && !seen[m.CallID] {
				seen[m.CallID] = true
				if err := callID(m.CallID); err != nil {
					return nil, err
				}
			}
		}
	}
	if addr, err := netip.ParseAddr(strings.Trim(q, "[]")); err == nil {
		ip := addr.String()
		es, _, err := s.db.Exchanges(ctx, run, store.ExchangeQuery{IP: ip, Limit: searchLimit})
		if err != nil {
			return nil, err
		}
		addEx(es)
		ds, _, err := s.db.Dialogs(ctx, run, store.DialogQuery{IP: ip, Limit: searchLimit})
		if err != nil {
			return nil, err
		}
		addDl(ds)
		fs, _, err := s.db.Findings(ctx, run, store.FindingQuery{IP: ip, Limit: searchLimit})
		if err != nil {
			return nil, err
		}
		addFs(fs)
		return res, nil
	}
	if err := callID(q); err != nil {
		return nil, err
	}
	es, _, err := s.db.Exchanges(ctx, run, store.ExchangeQuery{User: q, Limit: searchLimit})
	if err != nil {
		return nil, err
	}
	addEx(es)
	fs, _, err := s.db.Findings(ctx, run, store.FindingQuery{User: q, Limit: searchLimit})
	if err != nil {
		return nil, err
	}
	addFs(fs)
	gs, err := s.db.Registrations(ctx, run, store.RegistrationQuery{AOR: q, Limit: searchLimit})
	if err != nil {
		return nil, err
	}
	addRegs(gs)
	return res, nil
}

// Export rebuilds the run's report from the database and writes it as
// json, sarif or csv. Exchanges and dialogs are spooled to temporary
// files, as sipaudit analyze does, so memory does not grow with the run.
func (s dbSource) Export(ctx context.Context, run int64, format string, w io.Writer) error {
	switch format {
	case "json", "sarif", "csv":
	default:
		return fmt.Errorf("export format %q: want json, sarif or csv", format)
	}
	rep, cleanup, err := s.report(ctx, run, format == "json")
	if err != nil {
		return err
	}
	defer cleanup()
	switch format {
	case "json":
		return report.WriteJSON(w, rep)
	case "sarif":
		return report.WriteSARIF(w, rep)
	}
	return report.WriteCSV(w, rep)
}

// report rebuilds a report.Report; with lists, its exchanges and dialogs
// too (spooled).
func (s dbSource) report(ctx context.Context, run int64, lists bool) (*report.Report, func(), error) {
	rr, err := s.db.RunRecord(ctx, run)
	if err != nil {
		return nil, nil, notFound(err)
	}
	rep := &report.Report{Tool: report.Tool{Name: "sipaudit", Version: rr.Version}, Inputs: rr.Inputs,
		Stats: rr.Stats, Capture: rr.Capture, Rules: rules.Catalog(), Baselined: rr.Baselined}
	if rep.Stats == nil {
		rep.Stats = analyzer.NewStats()
		rep.Stats.SIPMessages = rr.Messages
		if rep.Stats.Requests, rep.Stats.Responses, err = s.db.MessageStats(ctx, run); err != nil {
			return nil, nil, err
		}
		for _, in := range rr.Inputs {
			rep.Stats.Packets += in.Packets
		}
	}
	cleanup := func() {}
	if lists {
		var ex, dl *report.Spool
		if ex, dl, cleanup, err = newSpools(); err != nil {
			return nil, nil, err
		}
		rep.ExchangeSpool, rep.DialogSpool = ex, dl
		err = s.db.EachExchange(ctx, run, func(e *analyzer.Exchange) error { return ex.Add(e) })
		if err == nil {
			err = s.db.EachDialog(ctx, run, func(d *analyzer.Dialog) error { return dl.Add(d) })
		}
		if err == nil {
			rep.Registrations, err = s.db.Registrations(ctx, run, store.RegistrationQuery{})
		}
		if err != nil {
			cleanup()
			return nil, nil, err
		}
	}
	if rep.Findings, _, err = s.db.Findings(ctx, run, store.FindingQuery{}); err != nil {
		cleanup()
		return nil, nil, err
	}
	return rep, cleanup, nil
}

// DialogPcap writes the messages of a dialog's Call-ID as a classic pcap
// (LINKTYPE_RAW: each packet an IPv4 or IPv6 datagram carrying UDP,
// whatever the transport was), with correct lengths and checksums.
func (s dbSource) DialogPcap(ctx context.Context, run int64, id string, w io.Writer) error {
	d, err := s.db.Dialog(ctx, run, id)
	if err != nil {
		return notFound(err)
	}
	ms, err := s.dialogMessages(ctx, run, d)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	if err := writePcap(bw, ms); err != nil {
		return err
	}
	return bw.Flush()
}

const (
	linkTypeRaw = 101
	pcapSnaplen = 262144
	// maxUDPPayload is the most a UDP datagram carries over IPv4.
	maxUDPPayload = 65507
)

func writePcap(w io.Writer, ms []*store.Message) error {
	hdr := make([]byte, 24)
	binary.LittleEndian.PutUint32(hdr[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], pcapSnaplen)
	binary.LittleEndian.PutUint32(hdr[20:], linkTypeRaw)
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	var pkt []byte
	for _, m := range ms {
		pkt = ipUDP(pkt[:0], m)
		rec := make([]byte, 16)
		t := m.Time
		if t.IsZero() {
			t = time.Unix(0, 0)
		}
		binary.LittleEndian.PutUint32(rec[0:], uint32(t.Unix()))
		binary.LittleEndian.PutUint32(rec[4:], uint32(t.Nanosecond()/1000))
		binary.LittleEndian.PutUint32(rec[8:], uint32(len(pkt)))
		binary.LittleEndian.PutUint32(rec[12:], uint32(len(pkt)))
		if _, err := w.Write(rec); err != nil {
			return err
		}
		if _, err := w.Write(pkt); err != nil {
			return err
		}
	}
	return nil
}

// endpoints returns a message's addresses, both IPv4 or both IPv6.
func endpoints(m *store.Message) (src, dst netip.AddrPort) {
	src, _ = netip.ParseAddrPort(m.Src)
	dst, _ = netip.ParseAddrPort(m.Dst)
	sa, da := src.Addr().Unmap(), dst.Addr().Unmap()
	if !sa.IsValid() {
		sa = netip.IPv4Unspecified()
	}
	if !da.IsValid() {
		da = netip.IPv4Unspecified()
	}
	if sa.Is4() != da.Is4() {
		sa, da = netip.AddrFrom16(sa.As16()), netip.AddrFrom16(da.As16())
	}
	return netip.AddrPortFrom(sa, src.Port()), netip.AddrPortFrom(da, dst.Port())
}

// ipUDP appends m re-encapsulated in UDP over IPv4 or IPv6.
func ipUDP(b []byte, m *store.Message) []byte {
	src, dst := endpoints(m)
	payload := m.Raw
	if len(payload) > maxUDPPayload {
		payload = payload[:maxUDPPayload]
	}
	udpLen := 8 + len(payload)
	var pseudo []byte
	if src.Addr().Is4() {
		ip := make([]byte, 20)
		ip[0] = 0x45
		binary.BigEndian.PutUint16(ip[2:], uint16(20+udpLen))
		binary.BigEndian.PutUint16(ip[6:], 0x4000) // don't fragment
		ip[8], ip[9] = 64, 17
		s4, d4 := src.Addr().As4(), dst.Addr().As4()
		copy(ip[12:], s4[:])
		copy(ip[16:], d4[:])
		binary.BigEndian.PutUint16(ip[10:], ^checksum(0, ip))
		b = append(b, ip...)
		pseudo = append(append(append(pseudo, s4[:]...), d4[:]...), 0, 17, byte(udpLen>>8), byte(udpLen))
	} else {
		ip := make([]byte, 40)
		ip[0] = 0x60
		binary.BigEndian.PutUint16(ip[4:], uint16(udpLen))
		ip[6], ip[7] = 17, 64
		s16, d16 := src.Addr().As16(), dst.Addr().As16()
		copy(ip[8:], s16[:])
		copy(ip[24:], d16[:])
		b = append(b, ip...)
		pseudo = append(append(append(pseudo, s16[:]...), d16[:]...), 0, 0, byte(udpLen>>8), byte(udpLen), 0, 0, 0, 17)
	}
	udp := make([]byte, 8, udpLen)
	binary.BigEndian.PutUint16(udp[0:], src.Port())
	binary.BigEndian.PutUint16(udp[2:], dst.Port())
	binary.BigEndian.PutUint16(udp[4:], uint16(udpLen))
	udp = append(udp, payload...)
	sum := ^checksum(uint32(checksum(0, pseudo)), udp)
	if sum == 0 {
		sum = 0xffff
	}
	binary.BigEndian.PutUint16(udp[6:], sum)
	return append(b, udp...)
}

// checksum adds b to the one's complement sum (RFC 1071).
func checksum(sum uint32, b []byte) uint16 {
	for len(b) >= 2 {
		sum += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return uint16(sum)
}
