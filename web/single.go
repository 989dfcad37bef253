package web

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strconv"

	"github.com/sipaudit/sipaudit/finding"
)

// Limits of the single file: a compliance archive should open in a
// browser, so the heaviest parts are capped and the caps said in the file.
const (
	fileMaxFindings  = 50000
	fileMaxExchanges = 20000 // listed
	fileMaxWork      = 2000  // with the detail and the reference's work
	fileMaxDialogs   = 20000 // listed
	fileMaxLadders   = 200   // with a ladder diagram and raw messages
	fileMaxRegs      = 5000
	filePage         = 500
)

// styleHash is the CSP source of the embedded style sheet, as the
// single file's policy names it: 'sha256-<base64>'.
func styleHash() string {
	sum := sha256.Sum256(styleCSS)
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// fileCSP is the single file's policy: no script, no network, the
// inline style only (by hash).
func fileCSP() string {
	return "default-src 'none'; style-src " + styleHash() + "; img-src data:; base-uri 'none'; form-action 'none'"
}

type fileBody struct {
	Overview        *overviewView
	Findings        []findingRow
	FindingsOmitted int
	Exchanges       []exchangeRow
	ExchangeTotal   int
	ExchangesListed int // set when fewer than all are listed
	ExchangeDetails []*exchangeView
	Dialogs         []dialogRow
	DialogTotal     int
	DialogsListed   int
	DialogDetails   []*dialogView
	Regs            []regView
	RegsOmitted     int
}

// WriteHTML writes the report of one run as a single self-contained HTML
// file: overview, findings, exchanges with the reference's work, dialogs
// with their call-flow diagrams (the first 200) and registrations, linked
// by anchors. The style sheet is inline and pinned by its hash in a
// Content-Security-Policy meta element; the file makes no request and
// holds no script.
func WriteHTML(ctx context.Context, w io.Writer, src Source, run int64) error {
	ov, err := src.Overview(ctx, run)
	if err != nil {
		return fmt.Errorf("overview of run %d: %w", run, err)
	}
	ov.Run.ID = run
	b := &fileBody{}

	// Findings, page by page.
	var fs []finding.Finding
	for {
		page, total, err := src.Findings(ctx, run, FindingFilter{Limit: filePage, Offset: len(fs)})
		if err != nil {
			return fmt.Errorf("findings of run %d: %w", run, err)
		}
		fs = append(fs, page...)
		if len(page) == 0 || len(fs) >= total || len(fs) >= fileMaxFindings {
			if len(fs) > fileMaxFindings {
				fs = fs[:fileMaxFindings]
			}
			b.FindingsOmitted = max(total-len(fs), 0)
			break
		}
	}

	// Exchanges: the list, then the first ones in detail.
	var xs []Exchange
	for {
		page, total, err := src.Exchanges(ctx, run, "", filePage, len(xs))
		if err != nil {
			return fmt.Errorf("exchanges of run %d: %w", run, err)
		}
		xs = append(xs, page...)
		b.ExchangeTotal = total
		if len(page) == 0 || len(xs) >= total || len(xs) >= fileMaxExchanges {
			break
		}
	}
	if len(xs) > fileMaxExchanges {
		xs = xs[:fileMaxExchanges]
	}
	if len(xs) < b.ExchangeTotal {
		b.ExchangesListed = len(xs)
	}
	var details []*Exchange
	for i := range xs[:min(len(xs), fileMaxWork)] {
		if err := ctx.Err(); err != nil {
			return err
		}
		x, err := src.Exchange(ctx, run, xs[i].ID)
		if err != nil {
			return fmt.Errorf("exchange %q of run %d: %w", xs[i].ID, run, err)
		}
		details = append(details, x)
	}

	// Dialogs: the list, then the first ones with their ladder.
	var ds []Dialog
	for {
		page, total, err := src.Dialogs(ctx, run, filePage, len(ds))
		if err != nil {
			return fmt.Errorf("dialogs of run %d: %w", run, err)
		}
		ds = append(ds, page...)
		b.DialogTotal = total
		if len(page) == 0 || len(ds) >= total || len(ds) >= fileMaxDialogs {
			break
		}
	}
	if len(ds) > fileMaxDialogs {
		ds = ds[:fileMaxDialogs]
	}
	if len(ds) < b.DialogTotal {
		b.DialogsListed = len(ds)
	}
	type dialogMsgs struct {
		d    *Dialog
		msgs []Message
	}
	var ladders []dialogMsgs
	for i := range ds[:min(len(ds), fileMaxLadders)] {
		if err := ctx.Err(); err != nil {
			return err
		}
		d, msgs, err := src.Dialog(ctx, run, ds[i].ID)
		if err != nil {
			return fmt.Errorf("dialog %q of run %d: %w", ds[i].ID, run, err)
		}
		ladders = append(ladders, dialogMsgs{d, msgs})
	}

	regs, err := src.Registrations(ctx, run)
	if err != nil {
		return fmt.Errorf("registrations of run %d: %w", run, err)
	}

	// Only what the file holds is linked.
	l := fileLinks{exs: map[string]bool{}, dlgs: map[string]bool{}, calls: map[string]string{}}
	for _, x := range details {
		l.exs[x.ID] = true
	}
	for _, dm := range ladders {
		l.dlgs[dm.d.ID] = true
		if _, ok := l.calls[dm.d.CallID]; !ok && dm.d.CallID != "" {
			l.calls[dm.d.CallID] = dm.d.ID
		}
	}

	b.Overview = newOverviewView(l, ov)
	b.Findings = findingRows(l, run, fs, "f-", 1)
	b.Exchanges = exchangeRows(l, run, xs)
	for _, x := range details {
		if len(x.Findings) > maxPageSize {
			x.Findings = x.Findings[:maxPageSize]
		}
		b.ExchangeDetails = append(b.ExchangeDetails, newExchangeView(l, run, x))
	}
	b.Dialogs = dialogRows(l, run, ds)
	for i, dm := range ladders {
		b.DialogDetails = append(b.DialogDetails, newDialogView(l, run, dm.d, dm.msgs, "d"+strconv.Itoa(i+1)+"-"))
	}
	if len(regs) > fileMaxRegs {
		b.RegsOmitted = len(regs) - fileMaxRegs
		b.Regs = regViews(regs[:fileMaxRegs], regs)
	} else {
		b.Regs = regViews(regs, regs)
	}

	p := &page{Title: "Run " + strconv.FormatInt(run, 10), RunID: run, HasRun: true, Single: true,
		Nav: runNav(l, run, ""), CSS: template.CSS(styleCSS), CSP: fileCSP(), Body: b}
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := single.ExecuteTemplate(bw, "single", p); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	return bw.Flush()
}
