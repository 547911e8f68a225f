package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/simulate"
	"github.com/tandemcc/tandem/server/internal/sqlite"
)

const simulateUsage = `Usage: tandem simulate [flags]

Runs the real routing engine and the real store on virtual time with simulated callers
(Poisson arrivals) and operators (all present and ready from the start), and compares what
happened with Erlang C (callers never hang up) or Erlang A (exponential patience).

Figures, over the calls that arrived after the warm-up, each followed to its end:
  asa_seconds    mean wait from intake to the operator's answer, over answered calls
  p_wait         share of answered calls that waited longer than the answer delay
  service_level  share of answered calls answered within --sl-threshold of intake
  occupancy      operators' busy time (talk + wrap-up) / (operators × simulated time),
                 callbacks' talk included
  callbacks_*    with --callback-after: callers who accepted a call back (their call ends,
                 a callback keeps their place; the simulator plays the cloud's dialer), those
                 reached, those given up, and the attempts nobody answered
  aht_seconds    mean talk time of answered calls (wrap-up not included)
  legs_cancelled with --strategy ring_all: legs cancelled because another operator
                 answered the call first (nobody's miss); offers_missed: offers that failed
                 or expired (the operators' misses)
  ci95           95% confidence half-widths by batch means (20 groups of calls)

Flags:
`

// simulateFlags are the command line of tandem simulate.
type simulateFlags struct {
	cfg      simulate.Config
	hours    float64
	strategy string
	dist     string
	store    string
	db       string
	baseline bool
	json     bool
	levels   string
	relax    string
}

func parseSimulateFlags(args []string, stderr io.Writer) (*simulateFlags, error) {
	f := &simulateFlags{}
	fs := flag.NewFlagSet("tandem simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, simulateUsage)
		fs.PrintDefaults()
	}
	var names []string
	for _, s := range callcenter.Strategies {
		names = append(names, string(s))
	}
	c := &f.cfg
	fs.IntVar(&c.Operators, "operators", 10, "operators, all ready at the start")
	fs.Float64Var(&c.CallsPerHour, "calls-per-hour", 150, "Poisson arrival rate")
	fs.DurationVar(&c.AHT, "aht", 3*time.Minute, "mean handle (talk) time")
	fs.StringVar(&f.dist, "handle-dist", string(simulate.Exponential), "handle time distribution: exponential or lognormal (same mean)")
	fs.Float64Var(&c.Sigma, "sigma", 1, "lognormal shape: the standard deviation of the handle time's logarithm")
	fs.Float64Var(&f.hours, "hours", 8, "hours of arrivals to simulate")
	fs.IntVar(&c.Calls, "calls", 0, "stop after this many arrivals instead of --hours (0: use --hours)")
	fs.Uint64Var(&c.Seed, "seed", 1, "random seed; a seed always gives the same run")
	fs.DurationVar(&c.SLThreshold, "sl-threshold", 20*time.Second, "service level threshold: answered within this long of intake")
	fs.DurationVar(&c.Patience, "patience", 0, "mean of callers' exponential patience (0: callers never hang up)")
	fs.DurationVar(&c.AnswerDelay, "answer-delay", 0, "how long an operator's phone rings before he answers")
	fs.DurationVar(&c.WrapUp, "wrap-up", 0, "the queue's wrap-up time after each call")
	fs.StringVar(&f.strategy, "strategy", string(callcenter.StrategyLongestIdle), "the queue's strategy: "+strings.Join(names, ", "))
	fs.IntVar(&c.RingAtOnce, "ring-at-once", 0, "ring_all: the most operators rung at once for a call (0: the queue's default, 5)")
	fs.DurationVar(&c.AnswerSpread, "answer-spread", 0, "each phone rings --answer-delay plus a uniform draw up to this (ring_all: the first to answer wins)")
	fs.IntVar(&c.Spares, "spares", 0, "spare numbers the queue overflows to (with --overflow-after)")
	fs.DurationVar(&c.OverflowAfter, "overflow-after", 60*time.Second, "a call waiting this long with nobody free overflows to a spare number")
	fs.IntVar(&c.SpareConcurrent, "spare-concurrent", 1, "calls each spare number takes at once")
	fs.Float64Var(&c.ClientShare, "client-share", 0, "share of calls from clients with a personal manager (20 clients per operator)")
	fs.IntVar(&c.MaxWaiting, "max-waiting", 0, "at most this many calls wait: a call over it hears a message and the call ends (0: no cap)")
	fs.DurationVar(&c.LongestWait, "longest-wait", 0, "a call waiting this long hears a message and the call ends (0: no cap)")
	fs.DurationVar(&c.CallbackAfter, "callback-after", 0, "offer a caller who waited this long a call back, keeping his place (0: no offer)")
	fs.Float64Var(&c.CallbackTakeUp, "callback-take-up", 0, "share of callers offered a call back who accept (needs --callback-after)")
	fs.Float64Var(&c.CallbackNoAnswer, "callback-no-answer", 0, "share of callback attempts whose customer does not answer (tried again)")
	fs.IntVar(&c.CallbackAttempts, "callback-attempts", 0, "attempts to reach a customer who asked for a callback (0: the queue's default, 3)")
	fs.DurationVar(&c.CallbackRetryAfter, "callback-retry-after", 0, "pause before the next callback attempt, 1m to 24h (0: the queue's default, 5m)")
	fs.DurationVar(&c.ManagerWait, "manager-wait", 30*time.Second, "how long a client's call waits for his busy manager")
	fs.DurationVar(&c.WarmUp, "warm-up", 0, "leave out of the figures the calls arriving in this first stretch of virtual time")
	fs.StringVar(&f.store, "store", "sqlite", "sqlite: store every step like the server; none: the engine alone (a baseline)")
	fs.StringVar(&f.db, "db", "", "SQLite file to write (default: a temporary file, removed after)")
	fs.IntVar(&c.Batch, "batch", simulate.DefaultBatch, "engine steps stored per transaction, written while the engine runs on (1: one each, as an idle server)")
	fs.BoolVar(&f.baseline, "baseline", false, "also run the same simulation without the store and report the store's cost as a ratio")
	fs.BoolVar(&f.json, "json", false, "print one JSON object instead of a table")
	fs.StringVar(&f.levels, "levels", "", "the operators' levels in the queue, in turn, e.g. 3,1 (half of level 3, half of level 1; default: all 3)")
	fs.IntVar(&c.Relax.MinLevel, "min-level", 0, "skills relaxation: the queue takes operators of this level and up at first (0: everyone)")
	fs.StringVar(&f.relax, "relax", "", "skills relaxation: its steps as after:level, e.g. 30s:2,60s:1 (from 30 s of a call's wait level 2 and up, from 60 s everyone)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if f.store != "sqlite" && f.store != "none" {
		return nil, fmt.Errorf("store: %q is not sqlite or none", f.store)
	}
	if f.store == "none" && (f.db != "" || f.baseline) {
		return nil, errors.New("db and baseline: not used with --store=none")
	}
	if c.Calls == 0 && !(f.hours > 0) {
		return nil, errors.New("hours: must be positive (or give --calls)")
	}
	c.Duration = time.Duration(f.hours * float64(time.Hour))
	c.HandleDist = simulate.HandleDist(f.dist)
	c.Strategy = callcenter.Strategy(f.strategy)
	var err error
	if c.Levels, err = parseLevels(f.levels); err != nil {
		return nil, err
	}
	if c.Relax.Steps, err = parseRelax(f.relax); err != nil {
		return nil, err
	}
	q := callcenter.Queue{ID: "sim", Rules: callcenter.DefaultRules()}
	q.Rules.Relax = c.Relax
	if _, err := q.Check(); err != nil {
		return nil, fmt.Errorf("min-level, relax: %w", err)
	}
	return f, nil
}

// parseLevels reads --levels: "3,1".
func parseLevels(list string) ([]int, error) {
	var out []int
	for part := range strings.SplitSeq(list, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		l, err := strconv.Atoi(part)
		if err != nil || l < 1 || l > 5 {
			return nil, fmt.Errorf("levels: %q is not a level from 1 to 5", part)
		}
		out = append(out, l)
	}
	return out, nil
}

// parseRelax reads --relax: "30s:2,60s:1", each step after:level.
func parseRelax(list string) ([]callcenter.RelaxStep, error) {
	var out []callcenter.RelaxStep
	for part := range strings.SplitSeq(list, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		after, level, ok := strings.Cut(part, ":")
		d, err := time.ParseDuration(after)
		l, lerr := strconv.Atoi(level)
		if !ok || err != nil || lerr != nil {
			return nil, fmt.Errorf("relax: %q is not after:level, like 30s:2", part)
		}
		out = append(out, callcenter.RelaxStep{After: d, MinLevel: l})
	}
	return out, nil
}

// simulateOutput is the --json object: the figures, the predictions and how long it took.
type simulateOutput struct {
	simulate.Result
	WallSeconds float64 `json:"wall_seconds"`
	Store       string  `json:"store"`
	Batch       int     `json:"batch"`
	Seed        uint64  `json:"seed"`
	// With --baseline: the same run without the store, and wall_seconds over it.
	BaselineWallSeconds float64 `json:"baseline_wall_seconds,omitempty"`
	StoreRatio          float64 `json:"store_ratio,omitempty"`
}

func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseSimulateFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if f.store == "sqlite" {
		path := f.db
		if path == "" {
			dir, err := os.MkdirTemp("", "tandem-simulate-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			path = filepath.Join(dir, "simulate.db")
		}
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			return startError("--db", path, err)
		}
		defer db.Close()
		f.cfg.Store = db
	}
	// A run is one short-lived process allocating briskly; a lazier collector saves about a
	// quarter of the time for a few tens of megabytes.
	debug.SetGCPercent(400)
	start := time.Now()
	res, err := simulate.Run(ctx, f.cfg)
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	out := simulateOutput{Result: res, WallSeconds: time.Since(start).Seconds(), Store: f.store, Batch: max(f.cfg.Batch, 1), Seed: f.cfg.Seed}
	if f.baseline {
		cfg := f.cfg
		cfg.Store = nil
		start := time.Now()
		if _, err := simulate.Run(ctx, cfg); err != nil {
			return fmt.Errorf("simulate the baseline: %w", err)
		}
		out.BaselineWallSeconds = time.Since(start).Seconds()
		out.StoreRatio = out.WallSeconds / out.BaselineWallSeconds
	}
	if f.json {
		enc := json.NewEncoder(stdout)
		return enc.Encode(out)
	}
	printSimulation(stdout, f, out)
	return nil
}

// printSimulation prints the figures as a small table, the predictions beside them.
func printSimulation(w io.Writer, f *simulateFlags, out simulateOutput) {
	c, r := f.cfg, out.Result
	dist := f.dist
	if dist == string(simulate.Lognormal) {
		dist = fmt.Sprintf("lognormal σ=%g", c.Sigma)
	}
	fmt.Fprintf(w, "%d operators, %g calls/h, AHT %s (%s), patience %s, answer delay %s, wrap-up %s, %s, seed %d\n\n",
		c.Operators, c.CallsPerHour, c.AHT, dist, orNever(c.Patience), c.AnswerDelay, c.WrapUp, f.strategy, c.Seed)
	model := ""
	switch {
	case r.ErlangC != nil:
		model = "Erlang C"
		if !r.ErlangC.Exact {
			model += " (approx.)"
		}
	case r.ErlangA != nil:
		model = "Erlang A"
		if !r.ErlangA.Exact {
			model += " (approx.)"
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(name, sim, pred string) { fmt.Fprintf(tw, "%s\t%s\t%s\t\n", name, sim, pred) }
	pct := func(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }
	ci := func(x, h float64, format func(float64) string) string {
		if h == 0 {
			return format(x)
		}
		return format(x) + " ± " + format(h)
	}
	secs := func(x float64) string { return fmt.Sprintf("%.1f s", x) }
	row("", "simulated", model)
	row("calls offered", fmt.Sprint(r.CallsOffered), "")
	row("answered", fmt.Sprint(r.CallsAnswered), "")
	for k, n := range r.AnsweredByRelaxStep {
		name := "  at the relaxation's start"
		if k > 0 {
			name = fmt.Sprintf("  at its step %d (from %s)", k, c.Relax.Steps[k-1].After)
		}
		row(name, fmt.Sprintf("%d (%s)", n, pct(float64(n)/float64(max(r.CallsAnswered, 1)))), "(not in the model)")
	}
	if c.ClientShare > 0 {
		row("  clients reaching their manager", fmt.Sprintf("%d of %d (%s)", r.ManagerReached, r.ClientCalls, pct(float64(r.ManagerReached)/float64(max(r.ClientCalls, 1)))), "")
	}
	if c.Spares > 0 {
		row("  by spare numbers", fmt.Sprintf("%d (%s)", r.CallsToSpares, pct(float64(r.CallsToSpares)/float64(max(r.CallsAnswered, 1)))), "")
	}
	if c.MaxWaiting > 0 || c.LongestWait > 0 {
		row("exited by a cap", fmt.Sprintf("%d (%s)", r.CallsExited, pct(float64(r.CallsExited)/float64(max(r.CallsOffered, 1)))), "(caps not in the model)")
	}
	if c.CallbackAfter > 0 {
		row("called back", fmt.Sprintf("%d (%s)", r.CallbacksRequested, pct(float64(r.CallbacksRequested)/float64(max(r.CallsOffered, 1)))), "(not in the model)")
		row("  reached", fmt.Sprint(r.CallbacksConnected), "")
		row("  given up", fmt.Sprintf("%d (%d attempts unanswered)", r.CallbacksGivenUp, r.CallbackAttemptsFailed), "")
	}
	row("abandoned", ci(r.AbandonRate, r.CI95.AbandonRate, pct)+fmt.Sprintf(" (%d)", r.CallsAbandoned), predA(r, func(p *simulate.ErlangAFigures) string { return pct(p.AbandonRate) }))
	row("ASA", ci(r.ASA, r.CI95.ASA, secs), pred(r, func(p *simulate.ErlangCFigures) string { return secs(p.ASA) }, func(p *simulate.ErlangAFigures) string { return secs(p.ASA) }))
	row("P(wait)", ci(r.PWait, r.CI95.PWait, pct), pred(r, func(p *simulate.ErlangCFigures) string { return pct(p.PWait) }, func(p *simulate.ErlangAFigures) string { return pct(p.PWait) }))
	row(fmt.Sprintf("answered in %s", c.SLThreshold), ci(r.ServiceLevel, r.CI95.ServiceLevel, pct), pred(r, func(p *simulate.ErlangCFigures) string { return pct(p.ServiceLevel) }, nil))
	row("occupancy", pct(r.Occupancy), pred(r, func(p *simulate.ErlangCFigures) string { return pct(p.Occupancy) }, func(p *simulate.ErlangAFigures) string { return pct(p.Occupancy) }))
	row("AHT", secs(r.AHT), secs(c.AHT.Seconds()))
	if c.Strategy == callcenter.StrategyRingAll {
		row("legs rung", fmt.Sprintf("%d (%d cancelled: another answered first)", r.Offers, r.LegsCancelled), "(rings not in the model)")
		row("offers missed", fmt.Sprint(r.OffersMissed), "")
	}
	row("longest wait", secs(r.MaxWait), "")
	tw.Flush()
	fmt.Fprintf(w, "\n%s of virtual time in %.2f s (%d engine steps, %d store transactions, store %s); ± is a 95%% interval\n",
		time.Duration(r.SimulatedSeconds*float64(time.Second)).Round(time.Second), out.WallSeconds, r.Steps, r.Transactions, out.Store)
	if out.BaselineWallSeconds > 0 {
		fmt.Fprintf(w, "without the store: %.2f s; with it %.2f× that\n", out.BaselineWallSeconds, out.StoreRatio)
	}
}

func pred(r simulate.Result, fc func(*simulate.ErlangCFigures) string, fa func(*simulate.ErlangAFigures) string) string {
	switch {
	case r.ErlangC != nil && fc != nil:
		return fc(r.ErlangC)
	case r.ErlangA != nil && fa != nil:
		return fa(r.ErlangA)
	}
	return ""
}

func predA(r simulate.Result, fa func(*simulate.ErlangAFigures) string) string {
	return pred(r, nil, fa)
}

func orNever(d time.Duration) string {
	if d == 0 {
		return "none"
	}
	return d.String()
}
