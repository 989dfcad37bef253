package rules

import (
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/RULES.md")

// TestRegistry: house rule 3. IDs are unique and well formed, in catalog
// order; every rule has a name, clause, summary and help; each lives in
// its own file named after it, whose type has a doc comment starting
// with the ID; and the catalog of shared/spec/rules.md is covered.
func TestRegistry(t *testing.T) {
	idRE := regexp.MustCompile(`^SA[1-6][0-9][0-9]$`)
	nameRE := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	seen := map[string]bool{}
	prev := ""
	for _, r := range Catalog() {
		if !idRE.MatchString(r.ID) || seen[r.ID] || r.ID <= prev {
			t.Errorf("rule ID %q: malformed, duplicate or out of order", r.ID)
		}
		seen[r.ID], prev = true, r.ID
		if !nameRE.MatchString(r.Name) || r.Clause == "" || r.Summary == "" || r.Help == "" || r.Severity == 0 {
			t.Errorf("rule %s: incomplete %+v", r.ID, r)
		}
	}
	// Each rule's file and doc comment.
	fset := token.NewFileSet()
	docs := map[string]string{} // lower-case ID -> file
	files, _ := filepath.Glob("sa*.go")
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE {
				continue
			}
			for _, s := range g.Specs {
				ts := s.(*ast.TypeSpec)
				if !regexp.MustCompile(`^sa[0-9]{3}$`).MatchString(ts.Name.Name) {
					continue
				}
				doc := g.Doc.Text()
				if !strings.HasPrefix(doc, strings.ToUpper(ts.Name.Name)+" ") || len(doc) < 120 {
					t.Errorf("%s: type %s needs a doc comment starting with its ID saying what it detects and why it matters", path, ts.Name.Name)
				}
				docs[ts.Name.Name] = path
			}
		}
	}
	for _, r := range Catalog() {
		path, ok := docs[strings.ToLower(r.ID)]
		if !ok {
			t.Errorf("rule %s: no type %s in its own file", r.ID, strings.ToLower(r.ID))
			continue
		}
		want := strings.ToLower(r.ID) + "_" + strings.ReplaceAll(r.Name, "-", "_") + ".go"
		if path != want {
			t.Errorf("rule %s lives in %s, want %s", r.ID, path, want)
		}
		if _, err := os.Stat(strings.TrimSuffix(want, ".go") + "_test.go"); err != nil {
			t.Errorf("rule %s has no table test %s", r.ID, strings.TrimSuffix(want, ".go")+"_test.go")
		}
	}
	// The shared catalog, when it is beside the repository.
	spec, err := os.ReadFile("../../shared/spec/rules.md")
	if err != nil {
		t.Logf("../shared/spec/rules.md not found (%v): catalog comparison skipped", err)
		return
	}
	row := regexp.MustCompile(`(?m)^\| (SA[0-9]{3}) \| ([a-z0-9-]+) \| ([a-z]+) \|`)
	byID := map[string][2]string{}
	for _, m := range row.FindAllStringSubmatch(string(spec), -1) {
		byID[m[1]] = [2]string{m[2], m[3]}
	}
	if len(byID) == 0 {
		t.Fatal("no rules read from rules.md")
	}
	for id, v := range byID {
		if !seen[id] {
			t.Errorf("rules.md has %s (%s) but the registry does not", id, v[0])
		}
	}
	for _, r := range Catalog() {
		v, ok := byID[r.ID]
		if !ok {
			t.Errorf("registry has %s, rules.md does not", r.ID)
			continue
		}
		if v[0] != r.Name || v[1] != r.Severity.String() {
			t.Errorf("%s: registry says %s/%s, rules.md %s/%s", r.ID, r.Name, r.Severity, v[0], v[1])
		}
	}
}

// TestRulesDoc keeps docs/RULES.md generated from the registry.
func TestRulesDoc(t *testing.T) {
	want := Markdown(Catalog())
	const path = "../docs/RULES.md"
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s is stale: run go test ./rules -run TestRulesDoc -update", path)
	}
}
