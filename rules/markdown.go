package rules

import (
	"strings"

	"github.com/sipaudit/sipaudit/finding"
)

// Markdown renders the catalog as docs/RULES.md (generated; a test keeps
// the file in step).
func Markdown(infos []finding.RuleInfo) string {
	var b strings.Builder
	b.WriteString("# sipaudit rules\n\n")
	b.WriteString("Generated from the registry in `rules/registry.go` by `go test ./rules -run TestRulesDoc -update`; do not edit.\n")
	b.WriteString("List them with `sipaudit rules` (or `--format json`). IDs never change meaning.\n\n")
	b.WriteString("| ID | name | severity | fires when | clause |\n| --- | --- | --- | --- | --- |\n")
	for _, r := range infos {
		b.WriteString("| [" + r.ID + "](#" + strings.ToLower(r.ID) + ") | " + r.Name + " | " + r.Severity.String() + " | " +
			mdCell(r.Summary) + " | " + mdCell(r.Clause) + " |\n")
	}
	for _, r := range infos {
		b.WriteString("\n## " + r.ID + "\n\n")
		b.WriteString("**" + r.Name + "** (" + r.Severity.String() + "), " + r.Clause + "\n\n")
		b.WriteString(r.Summary + "\n\n" + r.Help + "\n")
	}
	return b.String()
}

func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
