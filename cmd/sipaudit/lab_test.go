package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// labPorts keep the lab off the usual SIP and HEP ports of the machine.
const (
	labSIP, labUAS, labHEP, labHEPSrc, labUACBase = 25070, 25080, 29060, 29061, 25090
	labCreds                                      = "../../lab/creds.csv"
)

// labExchange is what the three views of the lab must agree on about an
// auth exchange.
type labExchange struct {
	CallID        string `json:"call_id"`
	Method        string `json:"method"`
	Header        string `json:"header"`
	Username      string `json:"username"`
	Nonce         string `json:"nonce"`
	NC            string `json:"nc"`
	CNonce        string `json:"cnonce"`
	Reference     string `json:"reference"`
	ServerVerdict string `json:"server_verdict"`
	Status        int    `json:"status"`
	Cause         string `json:"cause"`
	NCReplay      bool   `json:"nc_replay"`
}

type labReport struct {
	Exchanges []labExchange `json:"exchanges"`
	Findings  []jsonFinding `json:"findings"`
}

func readLabReport(t *testing.T, path string) labReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r labReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}

func (r labReport) exchangeKeys() []string {
	var out []string
	for _, e := range r.Exchanges {
		out = append(out, fmt.Sprintf("%+v", e))
	}
	slices.Sort(out)
	return out
}

// labResults reads the lab's results.txt: one line per scenario, its
// name then key=value fields.
func labResults(t *testing.T, path string) map[string]map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		kv := map[string]string{}
		for _, f := range fields[1:] {
			if k, v, ok := strings.Cut(f, "="); ok {
				kv[k] = v
			}
		}
		name := fields[0]
		if u := kv["user"]; u != "" {
			name += "/" + u
		}
		out[name] = kv
	}
	return out
}

// TestLab drives a real registrar: Kamailio (digest with qop=auth and
// nonce-count checking, INVITE challenged with 407) and sipp, started by
// lab/run.sh on loopback. sipaudit live captures the SIP ports on lo,
// sipaudit hep receives Kamailio's siptrace mirror, and lab/run.sh's
// tcpdump writes a capture that sipaudit analyze reads afterwards: the
// three see the same auth exchanges and make the same findings, and
// these say what Kamailio did, replay included.
func TestLab(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("the lab captures on lo: root needed")
	}
	for _, p := range []string{"kamailio", "sipp", "tcpdump", "python3", "ss"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("the lab needs %s (Debian: kamailio, sip-tester, tcpdump; .ci/run installs them)", p)
		}
	}
	openLoopback(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "lab")
	filter := fmt.Sprintf("udp port %d or udp port %d", labSIP, labUAS)
	live := startCmd(t, "live", "-i", "lo", "--bpf", filter, "--db", filepath.Join(dir, "live.db"), "--creds", labCreds,
		"--format", "json", "-o", filepath.Join(dir, "live.json"))
	waitFor(t, "live to start: "+live.errs.String(), func() bool { return strings.Contains(live.errs.String(), "capturing on lo") })
	hep := startCmd(t, "hep", "--listen", fmt.Sprintf("127.0.0.1:%d", labHEP), "--db", filepath.Join(dir, "hep.db"), "--creds", labCreds,
		"--format", "json", "-o", filepath.Join(dir, "hep.json"))
	waitFor(t, "hep to listen: "+hep.errs.String(), func() bool { return strings.Contains(hep.errs.String(), "receiving HEP") })

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "../../lab/run.sh", out)
	cmd.Env = append(os.Environ(), fmt.Sprintf("SIP_PORT=%d", labSIP), fmt.Sprintf("UAS_PORT=%d", labUAS),
		fmt.Sprintf("HEP_PORT=%d", labHEP), fmt.Sprintf("HEP_SRC_PORT=%d", labHEPSrc), fmt.Sprintf("UAC_BASE_PORT=%d", labUACBase))
	script, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("lab/run.sh: %v\n%s", err, script)
	}
	time.Sleep(500 * time.Millisecond) // the last mirrored packets arrive
	if code := live.stop(t); code != exitOK {
		t.Fatalf("live: exit %d: %s", code, live.errs.String())
	}
	if code := hep.stop(t); code != exitOK {
		t.Fatalf("hep: exit %d: %s", code, hep.errs.String())
	}
	if !strings.Contains(live.errs.String(), "0 dropped by the kernel, 0 by the interface") {
		t.Errorf("live dropped packets: %s", live.errs.String())
	}
	if code, _, errs := runCmd(t, nil, "analyze", "--db=", "--creds", labCreds, "--format", "json", "-o", filepath.Join(dir, "analyze.json"),
		filepath.Join(out, "lab.pcap")); code != exitOK {
		t.Fatalf("analyze: exit %d: %s", code, errs)
	}
	res := labResults(t, filepath.Join(out, "results.txt"))
	if res["overall"]["seconds"] == "" || !strings.Contains(string(script), "PASS") {
		t.Fatalf("results: %v\n%s", res, script)
	}

	an := readLabReport(t, filepath.Join(dir, "analyze.json"))
	views := map[string]labReport{"live": readLabReport(t, filepath.Join(dir, "live.json")), "hep": readLabReport(t, filepath.Join(dir, "hep.json"))}
	for name, r := range views {
		if g, w := r.exchangeKeys(), an.exchangeKeys(); !slices.Equal(g, w) {
			t.Errorf("%s's exchanges\n%s\nwant analyze's\n%s", name, strings.Join(g, "\n"), strings.Join(w, "\n"))
		}
		if g, w := fingerprints(r.Findings), fingerprints(an.Findings); !slices.Equal(g, w) {
			t.Errorf("%s's findings\n%v\nwant analyze's\n%v", name, g, w)
		}
	}

	// What Kamailio did, as the lab's UACs saw it, and as sipaudit says.
	byUser := map[string][]labExchange{}
	for _, e := range an.Exchanges {
		byUser[e.Username] = append(byUser[e.Username], e)
	}
	rules := map[string]bool{}
	for _, f := range an.Findings {
		rules[f.Rule] = true
	}
	if e := byUser["bob"]; len(e) != 1 || e[0].Reference != "valid" || e[0].ServerVerdict != "accepted" || e[0].Status != 200 {
		t.Errorf("bob's registration: %+v", e)
	}
	if e := byUser["carol"]; len(e) != 1 || e[0].Reference != "invalid" || e[0].Status != 401 || !rules["SA103"] {
		t.Errorf("carol's wrong password: %+v (SA103 %v)", e, rules["SA103"])
	}
	var invite, replay *labExchange
	for i, e := range byUser["alice"] {
		switch {
		case e.Method == "INVITE":
			invite = &byUser["alice"][i]
		case e.NCReplay:
			replay = &byUser["alice"][i]
		}
	}
	if invite == nil || invite.Header != "Proxy-Authorization" || invite.Reference != "valid" || invite.Status != 200 {
		t.Errorf("alice's INVITE: %+v", invite)
	}
	rp := res["reg_replay/alice"]
	if replay == nil || replay.Reference != "replay" || fmt.Sprint(replay.Status) != rp["replay_status"] || replay.NC != rp["nc"] || replay.CNonce != rp["cnonce"] {
		t.Fatalf("the replay: %+v; the lab says %v", replay, rp)
	}
	// Kamailio checks nonce-count: the replay is refused (SA202, the
	// client replayed) and never accepted (SA201).
	if accepted := rp["replay_status"] == "200"; accepted != rules["SA201"] || !rules["SA202"] {
		t.Errorf("Kamailio answered the replay %s; findings SA201 %v, SA202 %v", rp["replay_status"], rules["SA201"], rules["SA202"])
	}
	if replay.ServerVerdict == "accepted" {
		t.Errorf("the refused replay is judged accepted: %+v", replay)
	}
}
