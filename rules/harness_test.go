package rules

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/capture"
	"github.com/sipaudit/sipaudit/digest"
	"github.com/sipaudit/sipaudit/finding"
	"github.com/sipaudit/sipaudit/internal/pcapgen"
)

// The rule tests are tables of scenarios: byte-exact SIP messages (CRLF
// line ends, Content-Length computed), each with a capture time and its
// endpoints, fed through the whole analyzer with one rule in its engine.
// Every rule needs at least two firing and two quiet cases (house rule
// 2); TestMain checks that after a full run.

// Endpoints of the scenarios.
const (
	ueAddr    = "10.0.0.1:5060"
	ue2Addr   = "10.0.0.2:5060"
	proxyAddr = "198.51.100.5:5060"
	srvAddr   = "203.0.113.1:5060"
	realm     = "example.com"
)

// base is the capture time of the first packet of every scenario.
var base = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// pkt is one message of a scenario: at is its offset from base.
type pkt struct {
	at       time.Duration
	src, dst string
	text     string
	tr       capture.Transport
}

// up is a message from the UE to the server; down the other way.
func up(at time.Duration, text string) pkt   { return pkt{at, ueAddr, srvAddr, text, capture.UDP} }
func down(at time.Duration, text string) pkt { return pkt{at, srvAddr, ueAddr, text, capture.UDP} }

// over changes the transport of a packet.
func (p pkt) over(tr capture.Transport) pkt { p.tr = tr; return p }

// from changes the endpoints of a packet.
func (p pkt) from(src, dst string) pkt { p.src, p.dst = src, dst; return p }

// ruleCase is one scenario and the number of findings it must raise (0
// for a quiet case).
type ruleCase struct {
	name  string
	creds []analyzer.Credential
	cfg   Config
	pkts  []pkt
	fire  int
	// check, when set, looks at the findings further.
	check func(t *testing.T, fs []*finding.Finding)
}

var writeFixtures = flag.Bool("fixtures", false, "write each rule's first firing UDP case to testdata/rules (end-to-end fixtures)")

var (
	fixturesWritten = map[string]bool{}
	coverageMu      sync.Mutex
	coverage        = map[string][2]int{} // rule ID -> firing, quiet cases
)

// ruleTest runs the cases of one rule.
func ruleTest(t *testing.T, id string, cases []ruleCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := analyzeWith(t, id, c.cfg, c.creds, c.pkts...)
			if len(fs) != c.fire {
				var b strings.Builder
				for _, f := range fs {
					fmt.Fprintf(&b, "\n  %s %v %s", f.Rule, f.Frames, f.Message)
				}
				t.Fatalf("%s: %d findings, want %d:%s", id, len(fs), c.fire, b.String())
			}
			for _, f := range fs {
				checkFinding(t, f, id)
			}
			if c.check != nil {
				c.check(t, fs)
			}
		})
		if c.fire > 0 && *writeFixtures {
			writeFixture(t, id, c)
		}
		coverageMu.Lock()
		n := coverage[id]
		if c.fire > 0 {
			n[0]++
		} else {
			n[1]++
		}
		coverage[id] = n
		coverageMu.Unlock()
	}
}

// checkFinding holds every finding to the evidence house rule 5 asks.
func checkFinding(t *testing.T, f *finding.Finding, id string) {
	t.Helper()
	if f.Rule != id || f.Name == "" || f.Clause == "" || f.Severity == 0 || f.Message == "" || f.Key == "" {
		t.Errorf("incomplete finding %+v", f)
	}
	if len(f.Frames) == 0 || f.Time.IsZero() || !strings.HasPrefix(f.Fingerprint, id+"-") || f.Count < 1 {
		t.Errorf("finding without evidence: %+v", f)
	}
	if all := f.Message + f.Key + f.CallID + f.Username + f.Client + f.Server; strings.Contains(all, "\xa5") {
		t.Errorf("finding keeps a view of an overwritten message: %q", all)
	}
	if strings.Contains(f.Message, "secret") && strings.Contains(f.Message, password) {
		t.Errorf("a password in %q", f.Message)
	}
}

// analyzeWith runs packets through an analyzer with the rule id alone.
func analyzeWith(t *testing.T, id string, cfg Config, creds []analyzer.Credential, pkts ...pkt) []*finding.Finding {
	t.Helper()
	var rule analyzer.Rule
	for _, r := range All(cfg) {
		if r.Info().ID == id {
			rule = r
		}
	}
	if rule == nil {
		t.Fatalf("no rule %s", id)
	}
	eng := analyzer.NewEngine(0, rule)
	an := analyzer.New(analyzer.Config{Verifier: analyzer.NewVerifier(creds, digest.Config{}), Rules: eng})
	an.SetInput("test.pcap")
	for i, p := range pkts {
		raw := []byte(p.text)
		an.Add(&capture.Message{
			Frames: []int{i + 1}, Time: base.Add(p.at),
			Src: netip.MustParseAddrPort(p.src), Dst: netip.MustParseAddrPort(p.dst),
			Transport: p.tr, Raw: raw,
		})
		// The analyzer reads messages in place: whatever a rule keeps
		// must be a copy. Overwriting the message shows any view kept.
		for j := range raw {
			raw[j] = 0xa5
		}
	}
	an.Close()
	return eng.Findings()
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" {
		for _, info := range Catalog() {
			n := coverage[info.ID]
			if n[0] < 2 || n[1] < 2 {
				fmt.Fprintf(os.Stderr, "rule %s has %d firing and %d quiet test cases; house rule 2 wants at least 2 of each\n", info.ID, n[0], n[1])
				code = 1
			}
		}
	}
	os.Exit(code)
}

// ---- messages

// password is the scenarios' password for alice.
const password = "s3cret-Pass"

// alice is the credentials file of most scenarios.
var alice = []analyzer.Credential{{Username: "alice", Realm: realm, Secret: digest.Secret{Password: []byte(password)}}}

// msg builds a SIP message: the start line, the header lines, an
// optional body; CRLF line ends and Content-Length added.
func msg(start string, headers []string, body string) string {
	var b strings.Builder
	b.WriteString(start + "\r\n")
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
	return b.String()
}

// req is a request from alice (ue) with the given Call-ID, CSeq and
// branch, plus extra header lines.
func req(method, uri, callID string, cseq int, branch string, extra ...string) string {
	return reqFrom("alice", ueAddr, method, uri, callID, cseq, branch, extra...)
}

// reqFrom is a request from another user or address.
func reqFrom(user, from, method, uri, callID string, cseq int, branch string, extra ...string) string {
	to := "<sip:" + user + "@" + realm + ">"
	if method != "REGISTER" {
		to = "<" + uri + ">"
	}
	h := []string{
		"Via: SIP/2.0/UDP " + from + ";branch=z9hG4bK" + branch,
		"Max-Forwards: 70",
		"From: <sip:" + user + "@" + realm + ">;tag=" + user + "tag",
		"To: " + to,
		"Call-ID: " + callID,
		"CSeq: " + strconv.Itoa(cseq) + " " + method,
		"Contact: <sip:" + user + "@" + from + ">",
	}
	return msg(method+" "+uri+" SIP/2.0", append(h, extra...), "")
}

// resp answers a request: its Via, From, To (with a tag), Call-ID and
// CSeq, plus extra header lines.
func resp(status int, reason, request string, extra ...string) string {
	var h []string
	for _, line := range strings.Split(request, "\r\n")[1:] {
		name, _, _ := strings.Cut(line, ":")
		switch strings.ToLower(name) {
		case "via", "from", "call-id", "cseq":
			h = append(h, line)
		case "to":
			if !strings.Contains(line, "tag=") {
				line += ";tag=srvtag"
			}
			h = append(h, line)
		}
	}
	return msg("SIP/2.0 "+strconv.Itoa(status)+" "+reason, append(h, extra...), "")
}

// chal is a Digest challenge value.
func chal(nonce string, params ...string) string {
	return "Digest " + strings.Join(append([]string{`realm="` + realm + `"`, `nonce="` + nonce + `"`}, params...), ", ")
}

// answer is what a UE with the password sends for a challenge: a
// Digest credentials value.
type answer struct {
	user, pw, realm, nonce, method, uri string
	alg                                 digest.Algorithm
	qop                                 string // "auth" unless "-" (none)
	nc                                  uint32
	cnonce                              string
}

func (a answer) String() string {
	if a.user == "" {
		a.user = "alice"
	}
	if a.pw == "" {
		a.pw = password
	}
	if a.realm == "" {
		a.realm = realm
	}
	if a.alg == 0 {
		a.alg = digest.MD5
	}
	if a.nc == 0 {
		a.nc = 1
	}
	if a.cnonce == "" {
		a.cnonce = "0a4f113b"
	}
	ch := digest.Challenge{Realm: a.realm, Nonce: a.nonce, Algorithm: a.alg, AlgorithmName: a.alg.String()}
	if a.qop != "-" {
		ch.QOP = []string{"auth"}
	}
	ue := digest.UE{Username: a.user, Secret: digest.Secret{Password: []byte(a.pw)}}
	c, _, err := ue.Respond(ch, a.method, a.uri, nil, a.cnonce, a.nc)
	if err != nil {
		panic(err)
	}
	return c.Auth().String()
}

// register is a digest registration of alice: REGISTER, 401 with the
// challenge, REGISTER with credentials, and the final answer (status and
// extra headers). The times start at t0; branches and CSeqs are derived
// from n so that several registrations can follow each other.
type register struct {
	t0        time.Duration
	n         int    // distinguishes branches and CSeqs
	callID    string // default "reg-1"
	challenge string // the WWW-Authenticate value; default chal(nonce, qop, MD5)
	nonce     string // default "nonce-" + n
	auth      string // the Authorization value; default the right answer
	status    int    // default 200
	final     []string
}

func (r register) pkts() []pkt {
	if r.callID == "" {
		r.callID = "reg-1"
	}
	if r.nonce == "" {
		r.nonce = "5f3c8e1a9b7d4c2e6a0f1b3d5c7e9a2b" + strconv.Itoa(r.n)
	}
	if r.challenge == "" {
		r.challenge = chal(r.nonce, `qop="auth"`, "algorithm=MD5")
	}
	uri := "sip:" + realm
	if r.auth == "" {
		r.auth = answer{nonce: r.nonce, method: "REGISTER", uri: uri}.String()
	}
	if r.status == 0 {
		r.status = 200
	}
	n := strconv.Itoa(r.n)
	first := req("REGISTER", uri, r.callID, 2*r.n+1, "r1"+n, "Expires: 600")
	second := req("REGISTER", uri, r.callID, 2*r.n+2, "r2"+n, "Expires: 600", "Authorization: "+r.auth)
	reason := map[int]string{200: "OK", 401: "Unauthorized", 403: "Forbidden", 407: "Proxy Authentication Required"}[r.status]
	return []pkt{
		up(r.t0, first),
		down(r.t0+10*time.Millisecond, resp(401, "Unauthorized", first, "WWW-Authenticate: "+r.challenge)),
		up(r.t0+20*time.Millisecond, second),
		down(r.t0+30*time.Millisecond, resp(r.status, reason, second, r.final...)),
	}
}

// flows concatenates scenarios.
func flows(parts ...[]pkt) []pkt { return slices.Concat(parts...) }

func TestHarness(t *testing.T) {
	// The harness's own check: a plain registration verifies.
	an := analyzer.New(analyzer.Config{Verifier: analyzer.NewVerifier(alice, digest.Config{}),
		OnExchange: func(ex *analyzer.Exchange) {
			if ex.Reference != "valid" || ex.ServerVerdict != "accepted" {
				t.Errorf("exchange %s: reference %s (%s), server %s", ex.ID, ex.Reference, ex.Reason, ex.ServerVerdict)
			}
		}})
	for i, p := range (register{}).pkts() {
		an.Add(&capture.Message{Frames: []int{i + 1}, Time: base.Add(p.at), Src: netip.MustParseAddrPort(p.src),
			Dst: netip.MustParseAddrPort(p.dst), Transport: p.tr, Raw: []byte(p.text)})
	}
	an.Close()
	if an.Stats().AuthExchanges != 1 {
		t.Fatalf("%d exchanges", an.Stats().AuthExchanges)
	}
}

// writeFixture writes a firing case as testdata/rules/<id>.pcap (and
// <id>.creds.csv when it has password credentials), for the end-to-end
// test of cmd/sipaudit: each rule fires from a committed capture. Only
// cases over UDP with the default configuration are written; the first
// such case of each rule wins.
func writeFixture(t *testing.T, id string, c ruleCase) {
	t.Helper()
	if fixturesWritten[id] || !reflect.DeepEqual(c.cfg, Config{}) {
		return
	}
	var csv strings.Builder
	if len(c.creds) > 0 {
		csv.WriteString("username,realm,password\n")
		for _, cr := range c.creds {
			if cr.Secret.Password == nil || strings.ContainsAny(cr.Username+cr.Realm+string(cr.Secret.Password), ",\"\n") {
				return
			}
			csv.WriteString(cr.Username + "," + cr.Realm + "," + string(cr.Secret.Password) + "\n")
		}
	}
	capt := pcapgen.NewCapture()
	capt.Step = 0
	for _, p := range c.pkts {
		if p.tr != capture.UDP {
			return
		}
		capt.Now = base.Add(p.at)
		capt.AddIP(pcapgen.BuildUDP(netip.MustParseAddrPort(p.src), netip.MustParseAddrPort(p.dst), []byte(p.text)))
	}
	data, err := capt.Pcap(pcapgen.PcapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "testdata", "rules")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, id+".pcap"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if csv.Len() > 0 {
		if err := os.WriteFile(filepath.Join(dir, id+".creds.csv"), []byte(csv.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fixturesWritten[id] = true
}
