// Package bench is `tandem bench`: one run on this machine, over loopback, that measures what
// the hardware and the libraries do at best (a bare connect-go echo service, raw SQLite write
// transactions) and, side by side, what Tandem does: complete call lifecycles against the real
// binary in a process of its own, presence streams by the ten thousand, routing decisions in a
// big center, and the simulator's speed. Every loop is bounded by a duration or a count, and
// all traffic goes to 127.0.0.1 but that to a PostgreSQL server named by URL (--postgres), which
// may be elsewhere.
package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// Config is one bench run.
type Config struct {
	Exe      string   // the tandem binary to run servers and the simulator with
	ChildEnv []string // extra environment for those processes
	Dir      string   // where the scratch directory goes ("" : the system's temp dir)
	Keep     bool     // keep the scratch directory (databases, server logs)
	// ProfileDir, when set, receives the server's CPU, allocation, mutex and block profiles
	// of every lifecycle step, and the presence fan-out.
	ProfileDir string

	// Duration is how long one measurement runs: each echo protocol, the routing decisions, and
	// the lifecycles at half the top rate, at 500/s and at synchronous=FULL. Each raw store
	// baseline and each step of the lifecycle ladder takes half (a step at least 1 s). It does
	// not bound a phase: the ladder takes the steps it needs, the presence phase waits up to
	// twice it (at least 2 minutes) for its streams to open, and the simulator runs to a count.
	Duration time.Duration
	Workers  int // concurrent requests of the closed-loop load (echo, the fan-out wave)

	Operators int           // phase 2: the operator fleet
	Repeats   int           // phase 2: windows per rate (a rate holds when most of them hold; 0: 1)
	Rates     []float64     // phase 2: these rates instead of the ladder (then no half, 500/s or FULL step)
	StartRate float64       // phase 2: the ladder's first rate (lifecycles/s)
	MaxRate   float64       // phase 2: never offer more than this
	Ring      time.Duration // phase 2: simulated ring time before "answered"
	Talk      time.Duration // phase 2: simulated talk time before "ended"

	Streams int // phase 3: presence streams

	BigOperators, BigQueues, BigWaiting int // phase 4

	SimCalls int // phase 5: calls per simulator run

	Phases map[string]bool // which phases run (nil: all): echo, sqlite, lifecycle, presence, engine, sim

	// Postgres, when set, adds a PostgreSQL column: a postgres:// URL, or "auto" for a
	// throwaway server started with scripts/pg-test-cluster.sh. The sqlite phase then also
	// measures that server's raw write transactions, and the lifecycle phase runs the server on
	// it too (the other phases stay SQLite-only).
	Postgres string

	// Chaos, with Kills > 0, adds the chaos run: the server killed and restarted under calls.
	Chaos ChaosConfig

	Log io.Writer // progress lines (nil: none)
}

// Default is the full run of `make bench`: under five minutes on two cores.
func Default() Config {
	return Config{
		Duration: 6 * time.Second, Workers: 64,
		Operators: 400, Repeats: 3, StartRate: 100, MaxRate: 16000, Ring: 5 * time.Millisecond, Talk: 20 * time.Millisecond,
		Streams:      10_000,
		BigOperators: 10_000, BigQueues: 50, BigWaiting: 2_000,
		SimCalls: 50_000,
		Chaos:    DefaultChaos(),
	}
}

func (c Config) repeats() int { return max(c.Repeats, 1) }

func (c Config) on(phase string) bool { return c.Phases == nil || c.Phases[phase] }

// Report is the JSON object of `tandem bench --json`: the headline figures first, then each
// phase in detail.
type Report struct {
	Machine string  `json:"machine"`
	Started string  `json:"started"`
	Seconds float64 `json:"seconds"`

	EchoRPSJSON     float64 `json:"echo_rps_json"`
	EchoRPSBinary   float64 `json:"echo_rps_binary"`
	SQLiteTxPerS    float64 `json:"sqlite_tx_per_s"`
	SQLiteFullTxPS  float64 `json:"sqlite_full_tx_per_s"`
	LifecyclesPerS  float64 `json:"lifecycles_per_s"`
	BestLifecycles  float64 `json:"best_lifecycles_per_s"`
	ReqVsEcho       float64 `json:"lifecycle_requests_vs_echo"`
	RequestsPerLife int     `json:"requests_per_lifecycle"`
	HalfRate        float64 `json:"half_rate_per_s"`
	P50IntakeDial   float64 `json:"p50_intake_to_dial_ms"`
	P99IntakeDial   float64 `json:"p99_intake_to_dial_ms"`
	P99At500        float64 `json:"p99_intake_to_dial_ms_at_500"`
	LimitAt500      string  `json:"limit_at_500,omitempty"` // what limited the lifecycles at 500/s
	// The server's CPU per lifecycle at the top rate held, and what stopped the ladder.
	CPUPerLifecycle float64 `json:"server_cpu_ms_per_lifecycle"`
	StoppedBy       string  `json:"ladder_stopped_by,omitempty"`
	FullLifecycles  float64 `json:"lifecycles_per_s_sync_full"`
	StreamsHeld     int     `json:"streams_held"`
	FanoutP99       float64 `json:"fanout_p99_ms"`
	BytesPerStream  int64   `json:"bytes_per_stream"`
	DecisionP99     float64 `json:"decision_p99_us"`
	// DecisionP99Relax: the same with every queue under a skills relaxation, in the same run.
	DecisionP99Relax float64 `json:"decision_p99_us_relax,omitempty"`
	RingAllP99       float64 `json:"ring_all_decision_p99_us"` // the worse of ring_all's two cases
	SimCallsPerS     float64 `json:"sim_calls_per_s"`

	Echo      *EchoDetail      `json:"echo,omitempty"`
	Lifecycle *LifecycleResult `json:"lifecycle,omitempty"`
	Presence  *PresenceResult  `json:"presence,omitempty"`
	Engine    *EngineResult    `json:"engine,omitempty"`
	Sim       *SimResult       `json:"sim,omitempty"`
	Postgres  *PostgresResult  `json:"postgres,omitempty"` // with --postgres
	Chaos     *ChaosResult     `json:"chaos,omitempty"`    // with --chaos N
	Errors    []string         `json:"errors,omitempty"`
}

// EchoDetail is phase 1's echo figures (rate, latencies, errors) of each protocol.
type EchoDetail struct {
	JSON   EchoResult `json:"json"`
	Binary EchoResult `json:"binary"`
}

// Machine describes the machine this process runs on: the CPUs it may use and their model, the
// memory, the OS and the Go release of this binary.
func Machine() string {
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf(", %.0f GiB RAM", float64(kb)/(1<<20))
		}
	}
	return fmt.Sprintf("%d CPUs (%s)%s, %s/%s, %s", runtime.NumCPU(), model, mem, runtime.GOOS, runtime.GOARCH, runtime.Version())
}

// Run runs the phases cfg names and returns what they measured. A phase that fails is
// reported in Errors and the others still run; the error is the first failure.
func Run(ctx context.Context, cfg Config) (Report, error) {
	logf := func(format string, a ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, format+"\n", a...)
		}
	}
	start := time.Now()
	rep := Report{Machine: Machine(), Started: start.UTC().Format(time.RFC3339), RequestsPerLife: requestsPerLifecycle}
	dir, cleanup, err := tempDir(cfg)
	if err != nil {
		return rep, err
	}
	defer cleanup()
	var first error
	fail := func(phase string, err error) {
		if err == nil {
			return
		}
		logf("%s: %v", phase, err)
		rep.Errors = append(rep.Errors, phase+": "+err.Error())
		if first == nil {
			first = fmt.Errorf("%s: %w", phase, err)
		}
	}
	if cfg.on("echo") && ctx.Err() == nil {
		logf("1. baseline: bare connect-go echo, %d concurrent requests, %s per protocol", cfg.Workers, cfg.Duration)
		fail("echo", func() error {
			url, stop, err := startEcho(ctx, cfg)
			if err != nil {
				return err
			}
			defer stop()
			j, b, err := runEcho(ctx, url, cfg.Workers, cfg.Duration)
			rep.EchoRPSJSON, rep.EchoRPSBinary = j.RPS, b.RPS
			rep.Echo = &EchoDetail{JSON: j, Binary: b}
			logf("  JSON over HTTP/1.1: %.0f req/s (p99 %.2f ms); binary over h2c: %.0f req/s (p99 %.2f ms)", j.RPS, ms(j.P99), b.RPS, ms(b.P99))
			return err
		}())
	}
	if cfg.on("sqlite") && ctx.Err() == nil {
		logf("1. baseline: raw SQLite, one row per write transaction, Tandem's pragmas, %s each", cfg.Duration/2)
		var err error
		rep.SQLiteTxPerS, err = runSQLite(ctx, dir, "NORMAL", cfg.Duration/2)
		fail("sqlite", err)
		rep.SQLiteFullTxPS, err = runSQLite(ctx, dir, "FULL", cfg.Duration/2)
		fail("sqlite", err)
		logf("  synchronous=NORMAL %.0f tx/s, FULL %.0f tx/s", rep.SQLiteTxPerS, rep.SQLiteFullTxPS)
	}
	if cfg.on("lifecycle") && ctx.Err() == nil {
		logf("2. call lifecycles: tandem serve, %d operators, ring %s, talk %s", cfg.Operators, cfg.Ring, cfg.Talk)
		lr, err := runLifecycles(ctx, cfg, dir, nil, logf)
		fail("lifecycle", err)
		rep.Lifecycle = &lr
		rep.LifecyclesPerS = lr.Max.Lifecycles
		rep.BestLifecycles = lr.Best
		rep.HalfRate = lr.Half.Rate
		rep.P50IntakeDial, rep.P99IntakeDial = lr.Half.P50, lr.Half.P99
		rep.P99At500, rep.LimitAt500 = lr.At500.P99, lr.At500.Limit
		rep.CPUPerLifecycle, rep.StoppedBy = lr.CPUPerLifecycleMS, lr.StoppedBy
		rep.FullLifecycles = lr.Full.Lifecycles
		if rep.EchoRPSJSON > 0 {
			rep.ReqVsEcho = rep.LifecyclesPerS * requestsPerLifecycle / rep.EchoRPSJSON
		}
	}
	if cfg.Postgres != "" && (cfg.on("sqlite") || cfg.on("lifecycle")) && ctx.Err() == nil {
		fail("postgres", runPostgres(ctx, cfg, dir, &rep, logf))
	}
	if cfg.on("presence") && ctx.Err() == nil {
		logf("3. presence: %d OperatorPresence streams", cfg.Streams)
		pr, err := runPresence(ctx, cfg, dir, logf)
		fail("presence", err)
		rep.Presence = &pr
		rep.StreamsHeld, rep.FanoutP99, rep.BytesPerStream = pr.Streams, pr.FanoutP99, pr.BytesPerStream
	}
	if cfg.on("engine") && ctx.Err() == nil {
		logf("4. routing decisions: %d operators in %d queues, %d calls waiting", cfg.BigOperators, cfg.BigQueues, cfg.BigWaiting)
		er, err := runEngine(ctx, cfg)
		fail("engine", err)
		rep.Engine = &er
		rep.DecisionP99 = er.P99
		rep.RingAllP99 = max(er.RingAllP99, er.RingAllArrivalP99)
		logf("  %d decisions: p50 %.1f µs, p99 %.1f µs (set-up %.1f s)", er.Decisions, er.P50, er.P99, er.SetupSecs)
		logf("  ring_all: p50 %.1f µs, p99 %.1f µs; arrivals with %d free: p99 %.1f µs (longest_idle), %.1f µs (ring_all, %.1f rung)",
			er.RingAllP50, er.RingAllP99, er.FreeOperators, er.ArrivalP99, er.RingAllArrivalP99, er.RingAllArrivalLegs)
		if rx := er.Relax; rx != nil {
			rep.DecisionP99Relax = rx.P99
			logf("  under skills relaxation: %d decisions: p50 %.1f µs, p99 %.1f µs (set-up %.1f s)", rx.Decisions, rx.P50, rx.P99, rx.SetupSecs)
		}
	}
	if cfg.on("sim") && ctx.Err() == nil {
		logf("5. tandem simulate: %d calls", cfg.SimCalls)
		sr, err := runSim(ctx, cfg)
		fail("sim", err)
		rep.Sim = &sr
		rep.SimCallsPerS = sr.CallsPerS
		logf("  %.0f calls/s with the SQLite store, %.0f without", sr.CallsPerS, sr.NoStoreCallsPS)
	}
	if cfg.Chaos.Kills > 0 && ctx.Err() == nil {
		ch := cfg.Chaos
		logf("6. chaos: %d SIGKILLs of tandem serve at random moments (seed %d), %.0f calls/s, %d operators", ch.Kills, ch.Seed, ch.Rate, ch.Operators)
		cr, err := runChaos(ctx, cfg, dir, logf)
		fail("chaos", err)
		rep.Chaos = &cr
		logf("  %d calls acknowledged, %d lost, %d double offers, integrity %s, restart p50 %.0f ms max %.0f ms",
			cr.Acknowledged, cr.Lost, cr.DoubleOffers, cr.Integrity, cr.RestartP50, cr.RestartMax)
	}
	rep.Seconds = time.Since(start).Seconds()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return rep, first
}

// runPostgres is the PostgreSQL column: the sqlite phase's baseline and the lifecycle phase,
// against the server cfg.Postgres names.
func runPostgres(ctx context.Context, cfg Config, dir string, rep *Report, logf func(string, ...any)) error {
	pg, err := openPostgres(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		if err := pg.close(); err != nil {
			logf("postgres: dropping the bench's schemas: %v", err)
		}
	}()
	r := &PostgresResult{}
	rep.Postgres = r
	pg.describe(ctx, r)
	logf("2b. the same on %s (synchronous_commit=%s, fsync=%s)", r.Server, r.SynchronousCommit, r.Fsync)
	if cfg.on("sqlite") {
		logf("  baseline: raw PostgreSQL, one row per write transaction, %s", cfg.Duration/2)
		if r.TxPerS, err = runPostgresTx(ctx, pg, cfg.Duration/2); err != nil {
			return err
		}
		logf("  %.0f tx/s", r.TxPerS)
	}
	if cfg.on("lifecycle") && ctx.Err() == nil {
		logf("  call lifecycles: tandem serve --db postgres://…, %d operators, ring %s, talk %s", cfg.Operators, cfg.Ring, cfg.Talk)
		lr, err := runLifecycles(ctx, cfg, dir, pg, logf)
		r.Lifecycle = &lr
		r.LifecyclesPerS, r.BestLifecycles = lr.Max.Lifecycles, lr.Best
		r.HalfRate, r.P50IntakeDial, r.P99IntakeDial = lr.Half.Rate, lr.Half.P50, lr.Half.P99
		r.P99At500 = lr.At500.P99
		if rep.EchoRPSJSON > 0 {
			r.ReqVsEcho = r.LifecyclesPerS * requestsPerLifecycle / rep.EchoRPSJSON
		}
		return err
	}
	return nil
}

// startEcho runs the echo service in a process of its own (`tandem bench --echo-server`), as
// tandem serve runs in one.
func startEcho(ctx context.Context, cfg Config) (string, func(), error) {
	cmd := exec.Command(cfg.Exe, "bench", "--echo-server", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), cfg.ChildEnv...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe() // closing it tells the echo server to stop
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(s)
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case u := <-line:
		if !strings.HasPrefix(u, "http://") {
			stop()
			return "", nil, fmt.Errorf("echo server: %q", u)
		}
		return u, stop, nil
	case <-time.After(30 * time.Second):
	case <-ctx.Done():
	}
	stop()
	return "", nil, errors.New("echo server did not start")
}

// EchoServerMain is `tandem bench --echo-server ADDR`: it serves until its stdin closes.
func EchoServerMain(ctx context.Context, addr string, stdin io.Reader, stdout io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		_, _ = io.Copy(io.Discard, stdin)
		cancel()
	}()
	return ServeEcho(ctx, addr, stdout)
}

// PrintJSON writes the report as one JSON object.
func PrintJSON(w io.Writer, r any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// PrintTable writes the report as a readable table: each figure, its target, and where it
// makes sense its ratio to the baseline measured in the same run. With a PostgreSQL column
// (--postgres) the table has two more: the figure on PostgreSQL, and its ratio to that
// server's raw transactions or to the echo baseline.
func PrintTable(w io.Writer, r Report) {
	fmt.Fprintf(w, "tandem bench on %s, %s, %.0f s\n", r.Machine, r.Started, r.Seconds)
	if r.Chaos != nil && onlyChaos(r) {
		fmt.Fprintln(w)
		printChaos(w, r.Chaos)
		for _, e := range r.Errors {
			fmt.Fprintln(w, "error:", e)
		}
		return
	}
	pg := r.Postgres
	if pg != nil {
		fmt.Fprintf(w, "postgres: %s (synchronous_commit=%s, fsync=%s)\n", pg.Server, pg.SynchronousCommit, pg.Fsync)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	if pg == nil {
		fmt.Fprintln(tw, "figure\tmeasured\ttarget\tvs baseline\t")
	} else {
		fmt.Fprintln(tw, "figure\tsqlite\ttarget\tvs baseline\tpostgres\tvs baseline\t")
	}
	// prow is a row with its PostgreSQL figure and ratio (shown only with a PostgreSQL column).
	prow := func(name, val, target, ratio, pgVal, pgRatio string) {
		if pg == nil {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", name, val, target, ratio)
		} else {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", name, val, target, ratio, pgVal, pgRatio)
		}
	}
	row := func(name, val, target, ratio string) { prow(name, val, target, ratio, "", "") }
	ratio := func(a, b float64) string {
		if a == 0 || b == 0 {
			return ""
		}
		return fmt.Sprintf("%.2f×", a/b)
	}
	f0 := func(v float64) string { return fmt.Sprintf("%.0f", v) }
	f2 := func(v float64) string { return fmt.Sprintf("%.2f", v) }
	of := func(ratio, what string) string { // the PostgreSQL column's ratios: none when there is none
		if ratio == "" {
			return ""
		}
		return ratio + " of " + what
	}
	var p PostgresResult
	var pl LifecycleResult // the PostgreSQL column's lifecycles, when it ran them
	if pg != nil {
		p = *pg
		if pg.Lifecycle != nil {
			pl = *pg.Lifecycle
		}
	}
	cores := func(ms float64) string {
		if ms == 0 {
			return ""
		}
		return fmt.Sprintf("%.1f cores for 1000/s", ms)
	}
	row("echo_rps_json (HTTP/1.1 Connect JSON)", f0(r.EchoRPSJSON), "", "baseline")
	row("echo_rps_binary (h2c Connect binary)", f0(r.EchoRPSBinary), "", "baseline")
	prow("sqlite_tx_per_s (NORMAL)", f0(r.SQLiteTxPerS), "", "baseline", f0(p.TxPerS), "baseline")
	row("sqlite tx/s (FULL)", f0(r.SQLiteFullTxPS), "", "baseline")
	prow("lifecycles_per_s", f0(r.LifecyclesPerS), "≥ 1000", ratio(r.LifecyclesPerS, r.SQLiteTxPerS)+" of sqlite tx/s",
		f0(p.LifecyclesPerS), of(ratio(p.LifecyclesPerS, p.TxPerS), "pg tx/s"))
	prow("most lifecycles/s completed (any latency)", f0(r.BestLifecycles), "", ratio(r.BestLifecycles*float64(r.RequestsPerLife), r.EchoRPSJSON)+" of echo req/s",
		f0(p.BestLifecycles), of(ratio(p.BestLifecycles*float64(r.RequestsPerLife), r.EchoRPSJSON), "echo req/s"))
	row("lifecycles/s at synchronous=FULL", f0(r.FullLifecycles), "", ratio(r.FullLifecycles, r.SQLiteFullTxPS)+" of FULL tx/s")
	prow(fmt.Sprintf("lifecycle_requests_vs_echo (×%d requests)", r.RequestsPerLife), f2(r.ReqVsEcho), "≥ 0.5", "", f2(p.ReqVsEcho), "")
	at := func(v, rate float64) string {
		if rate == 0 {
			return ""
		}
		if rate == r.HalfRate {
			return f2(v)
		}
		return fmt.Sprintf("%.2f at %.0f/s", v, rate)
	}
	prow(fmt.Sprintf("p50_intake_to_dial_ms at %.0f/s", r.HalfRate), f2(r.P50IntakeDial), "", "", at(p.P50IntakeDial, p.HalfRate), "")
	prow(fmt.Sprintf("p99_intake_to_dial_ms at %.0f/s", r.HalfRate), f2(r.P99IntakeDial), "", ratio(r.P99IntakeDial, ms(echoP99(r)))+" of echo p99",
		at(p.P99IntakeDial, p.HalfRate), of(ratio(p.P99IntakeDial, ms(echoP99(r))), "echo p99"))
	prow("p99 intake→dial ms at 500/s", f2(r.P99At500), "< 5", r.LimitAt500, f2(p.P99At500), pl.At500.Limit)
	prow("server CPU ms per lifecycle (top rate held)", f2(r.CPUPerLifecycle), "", cores(r.CPUPerLifecycle),
		f2(pl.CPUPerLifecycleMS), cores(pl.CPUPerLifecycleMS))
	prow("what stopped the ladder", r.StoppedBy, "", "", pl.StoppedBy, "")
	row("streams_held", fmt.Sprint(r.StreamsHeld), "10000", "")
	row("fanout_p99_ms", f2(r.FanoutP99), "< 200", "")
	row("bytes_per_stream", fmt.Sprint(r.BytesPerStream), "< 20480", "")
	if r.Presence != nil && r.Presence.WallboardFrames > 0 {
		row("wallboard: every operator ready, ms after the wave", f0(r.Presence.WallboardLagMS), "", fmt.Sprintf("%d frames", r.Presence.WallboardFrames))
	}
	row("decision_p99_us", f2(r.DecisionP99), "< 100", "")
	if r.Engine != nil {
		row("ring_all decision_p99_us", f2(r.RingAllP99), "< 100", fmt.Sprintf("arrivals: %s µs ringing %.1f, %s µs longest_idle",
			f2(r.Engine.RingAllArrivalP99), r.Engine.RingAllArrivalLegs, f2(r.Engine.ArrivalP99)))
	}
	if r.DecisionP99Relax > 0 {
		row("decision_p99_us under skills relaxation", f2(r.DecisionP99Relax), "< 100", ratio(r.DecisionP99Relax, r.DecisionP99)+" of the plain case")
	}
	row("sim_calls_per_s", f0(r.SimCallsPerS), "≥ 50000", "")
	tw.Flush()
	if r.Chaos != nil {
		fmt.Fprintln(w)
		printChaos(w, r.Chaos)
	}
	for _, e := range r.Errors {
		fmt.Fprintln(w, "error:", e)
	}
}

// onlyChaos reports whether the chaos run is all the report holds.
func onlyChaos(r Report) bool {
	return r.Echo == nil && r.SQLiteTxPerS == 0 && r.Lifecycle == nil && r.Postgres == nil &&
		r.Presence == nil && r.Engine == nil && r.Sim == nil
}

func echoP99(r Report) time.Duration {
	if r.Echo == nil {
		return 0
	}
	return r.Echo.JSON.P99
}
