package rules

import (
	"time"

	"github.com/sipaudit/sipaudit/analyzer"
	"github.com/sipaudit/sipaudit/digest/crack"
	"github.com/sipaudit/sipaudit/finding"
)

// Config holds the thresholds and windows of the rules that have them.
// DefaultConfig gives the catalog's defaults.
type Config struct {
	// BruteForceCount and BruteForceWindow: SA601 fires at this many
	// failed authentications within the window.
	BruteForceCount  int
	BruteForceWindow time.Duration
	// ChallengeWindow: how long a challenge may stay unanswered (SA505),
	// or a stale=true challenge without a retry (SA204).
	ChallengeWindow time.Duration
	// ReauthWindow: how long the UE has to re-register after the network
	// asks it to re-authenticate (SA504).
	ReauthWindow time.Duration
	// NonceBits: SA206's minimum apparent entropy of a nonce.
	NonceBits int
	// EnumerationUsers: SA602 fires when one source probed this many
	// distinct users.
	EnumerationUsers int
	// Crack, when set, runs the wordlist audit over one captured digest
	// per user at the end (SA106); it returns what it found. Rules do no
	// I/O: the caller reads the wordlist.
	Crack func(targets []crack.Target) []crack.Result
}

// DefaultConfig returns the defaults of the catalog.
func DefaultConfig() Config {
	return Config{
		BruteForceCount: 5, BruteForceWindow: 60 * time.Second,
		ChallengeWindow: 32 * time.Second, ReauthWindow: 300 * time.Second,
		NonceBits: 128, EnumerationUsers: 10,
	}
}

// All returns every rule of the catalog, in catalog order, configured by
// cfg (zero fields take the defaults). Rules keep state: use a fresh set
// for each analysis.
func All(cfg Config) []analyzer.Rule {
	def := DefaultConfig()
	if cfg.BruteForceCount <= 0 {
		cfg.BruteForceCount = def.BruteForceCount
	}
	if cfg.BruteForceWindow <= 0 {
		cfg.BruteForceWindow = def.BruteForceWindow
	}
	if cfg.ChallengeWindow <= 0 {
		cfg.ChallengeWindow = def.ChallengeWindow
	}
	if cfg.ReauthWindow <= 0 {
		cfg.ReauthWindow = def.ReauthWindow
	}
	if cfg.NonceBits <= 0 {
		cfg.NonceBits = def.NonceBits
	}
	if cfg.EnumerationUsers <= 0 {
		cfg.EnumerationUsers = def.EnumerationUsers
	}
	return []analyzer.Rule{
		sa101{},
		sa102{},
		sa103{},
		sa104{},
		sa105{},
		&sa106{crack: cfg.Crack, tried: map[uint64]bool{}},
		sa107{},
		sa108{},
		&sa109{assoc: newWindow[map[string]bool](24 * time.Hour)},
		sa201{},
		sa202{},
		sa203{},
		&sa204{span: cfg.ChallengeWindow, pending: newWindow[staleChallenge](cfg.ChallengeWindow)},
		&sa205{seen: newWindow[nonceUse](nonceMemory)},
		&sa206{minBits: float64(cfg.NonceBits), last: newWindow[lastNonce](24 * time.Hour)},
		sa207{},
		&sa208{seen: newWindow[cnonceUse](nonceMemory)},
		sa209{},
		sa301{},
		sa302{},
		sa303{},
		&sa304{},
		sa305{},
		sa401{},
		sa402{},
		sa403{},
		sa404{},
		sa405{},
		sa501{},
		sa502{},
		&sa503{seen: newWindow[int](24 * time.Hour)},
		&sa504{span: cfg.ReauthWindow},
		&sa505{span: cfg.ChallengeWindow, pending: newWindow[openChallenge](cfg.ChallengeWindow)},
		&sa506{bound: newWindow[[]uint64](24 * time.Hour), registrars: newWindow[struct{}](24 * time.Hour)},
		sa507{},
		sa508{},
		&sa601{n: cfg.BruteForceCount, span: cfg.BruteForceWindow, counts: newWindow[*burst](24 * time.Hour)},
		&sa602{minUsers: cfg.EnumerationUsers, sources: newWindow[*probe](24 * time.Hour)},
		&sa603{},
	}
}

// Catalog returns the description of every rule, in catalog order.
func Catalog() []finding.RuleInfo {
	all := All(Config{})
	out := make([]finding.RuleInfo, len(all))
	for i, r := range all {
		out[i] = r.Info()
	}
	return out
}
