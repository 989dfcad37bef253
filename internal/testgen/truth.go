package testgen

import (
	"encoding/json"
	"os"
	"testing"
)

// Truth is the generator's ground-truth file (its schema is in the
// docstring of shared/bench/gen_sip_pcap.py): the subscribers and one
// entry per request carrying credentials.
type Truth struct {
	Users []struct {
		Username string `json:"username"`
		Realm    string `json:"realm"`
		Password string `json:"password"`
	} `json:"users"`
	Exchanges []TruthExchange `json:"auth_exchanges"`
}

// TruthExchange is one auth exchange of the truth file.
type TruthExchange struct {
	ID             int     `json:"id"`
	Method         string  `json:"method"`
	Header         string  `json:"header"`
	Scheme         string  `json:"scheme"`
	Username       string  `json:"username"`
	Realm          string  `json:"realm"`
	Algorithm      *string `json:"algorithm"` // nil for Basic
	NC             *string `json:"nc"`
	Nonce          *string `json:"nonce"`
	CallID         string  `json:"call_id"`
	Transport      string  `json:"transport"`
	Src            string  `json:"src"`
	Dst            string  `json:"dst"`
	ExpectedValid  bool    `json:"expected_valid"`
	ServerVerdict  int     `json:"server_verdict"` // the final status
	ServerAccepted bool    `json:"server_accepted"`
	RspAuth        *string `json:"rspauth"`
	Anomaly        *string `json:"anomaly"`
	Challenge      *struct {
		Status  int      `json:"status"`
		Offered []string `json:"offered"`
		Nonce   string   `json:"nonce"`
		Stale   bool     `json:"stale"`
	} `json:"challenge"`
	RequestFrames   []int `json:"request_frames"`
	ResponseFrames  []int `json:"response_frames"`
	ChallengeFrames []int `json:"challenge_frames"`
}

// AnomalyName is the injected anomaly, "" for none.
func (x TruthExchange) AnomalyName() string {
	if x.Anomaly == nil {
		return ""
	}
	return *x.Anomaly
}

// GenerateTruth is Generate with its truth file read.
func GenerateTruth(tb testing.TB, args ...string) (pcap string, truth Truth) {
	tb.Helper()
	pcap, tp := Generate(tb, args...)
	raw, err := os.ReadFile(tp)
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		tb.Fatalf("%s: %v", tp, err)
	}
	return pcap, truth
}
