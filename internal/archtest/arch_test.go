package archtest

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportGraph checks the direct imports of every package in the
// module: data flows one way (capture -> analyzer -> rules -> finding ->
// store/report/web), only capture (and the fixture builder) imports
// gopacket, only store imports go-sqlite3, and digest and finding use the
// standard library alone.
func TestImportGraph(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", "github.com/sipaudit/sipaudit/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/sipaudit/sipaudit/"
	allowed := map[string][]string{ // package -> module packages it may import
		"capture":  {"capture/"},
		"digest":   {"digest/"},
		"finding":  {},
		"analyzer": {"capture", "digest", "finding"},
		"rules":    {"analyzer", "digest", "finding"},
		"store":    {"finding", "analyzer", "capture"},
		"report":   {"finding", "analyzer", "capture"},
		"web":      {"finding"},
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for {
		var p struct {
			ImportPath string
			Imports    []string
			Dir        string
			GoFiles    []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		seen++
		// go test caches a result by the files the test opens or stats,
		// not by what go list reads: stat the sources, so that a change
		// to an import runs the test again.
		for _, f := range p.GoFiles {
			_, _ = os.Stat(filepath.Join(p.Dir, f))
		}
		name := strings.TrimPrefix(p.ImportPath, mod)
		top, _, _ := strings.Cut(name, "/")
		for _, imp := range p.Imports {
			switch {
			case strings.HasPrefix(imp, "github.com/gopacket/") && top != "capture" && name != "internal/pcapgen":
				t.Errorf("%s imports %s: only capture may use gopacket", name, imp)
			case strings.HasPrefix(imp, "github.com/mattn/go-sqlite3") && top != "store":
				t.Errorf("%s imports %s: only store may use cgo SQLite", name, imp)
			case (top == "digest" || top == "finding") && strings.Contains(strings.SplitN(imp, "/", 2)[0], "."):
				t.Errorf("%s imports %s: %s must use the standard library only", name, imp, top)
			case strings.HasPrefix(imp, mod):
				rules, ok := allowed[top]
				if !ok || name == "internal/pcapgen" {
					continue // cmd and internal helpers may wire anything
				}
				target := strings.TrimPrefix(imp, mod)
				okImp := false
				for _, a := range rules {
					if target == a || strings.HasPrefix(target, a+"/") || (strings.HasSuffix(a, "/") && strings.HasPrefix(target, a)) {
						okImp = true
					}
				}
				if !okImp {
					t.Errorf("%s imports %s, against the dependency direction", name, target)
				}
			}
		}
	}
	if seen < 5 {
		t.Errorf("go list saw %d packages", seen)
	}
}
