package bench

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// LifecycleResult is phase 2.
type LifecycleResult struct {
	Operators int          `json:"operators"`
	Ladder    []StepResult `json:"ladder"`
	Max       StepResult   `json:"max"`  // the highest rate that held
	Half      StepResult   `json:"half"` // at half of it
	At500     StepResult   `json:"at_500"`
	Full      StepResult   `json:"sync_full"`             // synchronous=FULL, at the highest rate that held
	Best      float64      `json:"best_lifecycles_per_s"` // the most completed in any step, whatever the latency
	// The server's CPU time per lifecycle at the top rate that held (at the first rate when
	// none did), and what stopped the ladder: the limit of the lowest rate that failed.
	CPUPerLifecycleMS float64 `json:"server_cpu_ms_per_lifecycle"`
	StoppedBy         string  `json:"stopped_by,omitempty"`
	ServerRSS         int64   `json:"server_rss_bytes"`
	FleetError        string  `json:"fleet_error,omitempty"`
	CloudError        string  `json:"cloud_error,omitempty"`
}

// lifecycleRig is a server on a freshly seeded database with its cloud and operators.
type lifecycleRig struct {
	srv   *server
	cloud *cloudSim
	fleet *fleet
	stop  context.CancelFunc
}

// startRig starts one on a SQLite file in dir, or with pg (a PostgreSQL server) on a new
// schema of its own there.
func startRig(ctx context.Context, cfg Config, dir, name, sync string, pg *pgServer) (*lifecycleRig, error) {
	center := seed{queues: 1, operators: cfg.Operators, skills: 1, wrapUp: 10 * time.Minute}
	var (
		db  string
		ops seeded
		err error
	)
	if pg != nil {
		db, ops, err = seedPostgres(ctx, pg, name, center)
	} else {
		db = filepath.Join(dir, name+".db")
		ops, err = seedDB(ctx, db, center)
	}
	if err != nil {
		return nil, err
	}
	var extra []string
	if sync != "" {
		extra = append(extra, "--sync", sync)
	}
	srv, err := startServer(ctx, cfg, dir, db, extra...)
	if err != nil {
		return nil, err
	}
	srv.sync = sync
	rctx, stop := context.WithCancel(ctx)
	r := &lifecycleRig{srv: srv, stop: stop}
	if r.cloud, err = newCloudSim(rctx, srv.url, cfg.Ring, cfg.Talk); err != nil {
		r.close()
		return nil, err
	}
	r.fleet = startFleet(rctx, srv.url, ops, cfg.Operators, 4, r.cloud.done)
	if err := r.fleet.waitReady(cfg.Operators, 60*time.Second); err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

func (r *lifecycleRig) close() error {
	r.stop()
	if r.fleet != nil {
		r.fleet.close()
	}
	if r.cloud != nil {
		r.cloud.close()
	}
	return r.srv.stop()
}

// runLifecycles finds the highest rate of complete lifecycles that holds (p99 intake→dial
// under 10 ms, nothing failing or piling up): doubling from cfg.StartRate until a rate fails,
// then bisecting; then measures half that rate, 500/s, and the top rate at synchronous=FULL.
// With cfg.Rates it runs those rates instead, and nothing more.
// With pg (a PostgreSQL server) the server runs on PostgreSQL instead, and the
// synchronous=FULL step (SQLite's) is left out.
func runLifecycles(ctx context.Context, cfg Config, dir string, pg *pgServer, logf func(string, ...any)) (LifecycleResult, error) {
	res := LifecycleResult{Operators: cfg.Operators}
	rig, err := startRig(ctx, cfg, dir, "lifecycle", "", pg)
	if err != nil {
		return res, err
	}
	stepD := max(cfg.Duration/2, time.Second)
	try := func(rig *lifecycleRig, rate float64, d time.Duration) StepResult {
		// Several windows of half the time each: a rate is judged by most of them, not by one
		// window's luck.
		windows := make([]StepResult, 0, cfg.repeats())
		if cfg.repeats() > 1 {
			d = max(d/2, time.Second)
		}
		for i := range cfg.repeats() {
			var prof chan struct{}
			if cfg.ProfileDir != "" && i == 0 {
				// Numbered: a rate can come twice (a ladder step and the half rate, or the top
				// rate at synchronous=FULL), and the PostgreSQL column runs the same rates again.
				what := "lifecycle"
				if pg != nil {
					what = "lifecycle-postgres"
				}
				prof = rig.srv.profile(cfg.ProfileDir, fmt.Sprintf("%s-%02d-%.0f", what, len(res.Ladder)+1, rate), d-200*time.Millisecond)
			}
			windows = append(windows, rig.cloud.step(ctx, rig.srv, benchNumber, rate, d))
			if prof != nil {
				<-prof
			}
			rig.cloud.drain(2 * time.Second)
		}
		r := rung(windows)
		logf("  %6.0f/s offered: %7.1f lifecycles/s, intake→dial p50 %.2f ms p99 %.2f ms (%s; intake reply p99 %.2f ms), errors %d, pass %v",
			rate, r.Lifecycles, r.P50, r.P99, spread(r), r.IntakeP99, r.Errors, r.Pass)
		logf("          %s", r.Limits)
		res.Ladder = append(res.Ladder, r)
		return r
	}
	// Warm up (connections, the page cache, the JIT-less but cache-hungry engine).
	rig.cloud.step(ctx, rig.srv, benchNumber, cfg.StartRate/2, time.Second)
	rig.cloud.drain(2 * time.Second)
	at := func(rate float64) StepResult { return try(rig, rate, stepD) }
	var lo, hi float64 // the highest rate that held, the lowest that failed
	if len(cfg.Rates) > 0 {
		lo, hi = fixedRates(ctx, cfg.Rates, &res, at)
	} else {
		lo, hi = ladder(ctx, cfg, &res, at)
		if lo > 0 {
			res.Half = try(rig, lo/2, cfg.Duration)
		}
		if cfg.MaxRate >= 500 {
			res.At500 = try(rig, 500, cfg.Duration)
		}
	}
	res.ServerRSS = rss(rig.srv.cmd.Process.Pid)
	if e, ok := rig.fleet.lastErr.Load().(string); ok {
		res.FleetError = e
	}
	if e, ok := rig.cloud.lastErr.Load().(string); ok {
		res.CloudError = e
	}
	if err := rig.close(); err != nil {
		logf("  server: %v", err)
	}
	if lo > 0 && ctx.Err() == nil && pg == nil && len(cfg.Rates) == 0 {
		rig, err := startRig(ctx, cfg, dir, "lifecycle-full", "full", nil)
		if err != nil {
			return res, err
		}
		rig.cloud.step(ctx, rig.srv, benchNumber, cfg.StartRate/2, time.Second)
		rig.cloud.drain(2 * time.Second)
		logf("  synchronous=FULL:")
		res.Full = try(rig, lo, cfg.Duration)
		if err := rig.close(); err != nil {
			logf("  server: %v", err)
		}
	}
	for _, r := range res.Ladder {
		res.Best = max(res.Best, r.Lifecycles)
	}
	by := res.Max
	if by.Lifecycles == 0 && len(res.Ladder) > 0 {
		by = res.Ladder[0]
	}
	if by.Lifecycles > 0 {
		res.CPUPerLifecycleMS = by.ServerCPU / by.Lifecycles * 1000
	}
	if hi > 0 {
		for _, r := range res.Ladder {
			if r.Rate == hi {
				res.StoppedBy = fmt.Sprintf("%s at %.0f/s", r.Limit, hi)
				break
			}
		}
	}
	if res.FleetError != "" || res.CloudError != "" {
		return res, fmt.Errorf("requests failed (fleet: %s; cloud: %s)", res.FleetError, res.CloudError)
	}
	if lo == 0 && len(cfg.Rates) == 0 {
		logf("  no rate held p99 intake→dial under 10 ms, not even %.0f/s; the most completed: %.0f lifecycles/s", cfg.StartRate/8, res.Best)
	}
	return res, nil
}

// ladder looks for the highest rate that holds: doubling from cfg.StartRate until a rate fails
// (or, when the first fails, halving down to an eighth of it), then bisecting three times. It
// returns the highest rate that held and the lowest that failed (0: none), res.Max the former's
// result.
func ladder(ctx context.Context, cfg Config, res *LifecycleResult, try func(rate float64) StepResult) (lo, hi float64) {
	for rate := cfg.StartRate; rate <= cfg.MaxRate && ctx.Err() == nil; rate *= 2 {
		r := try(rate)
		if !r.Pass {
			hi = rate
			break
		}
		lo, res.Max = rate, r
	}
	// Nothing held at the start: look lower, down to an eighth of it.
	for rate := cfg.StartRate / 2; lo == 0 && rate >= cfg.StartRate/8 && ctx.Err() == nil; rate /= 2 {
		r := try(math.Round(rate))
		if r.Pass {
			lo, res.Max = math.Round(rate), r
			break
		}
		hi = math.Round(rate)
	}
	for range 3 {
		if hi == 0 || lo == 0 || ctx.Err() != nil {
			break
		}
		mid := math.Round((lo + hi) / 2)
		if r := try(mid); r.Pass {
			lo, res.Max = mid, r
		} else {
			hi = mid
		}
	}
	return lo, hi
}

// fixedRates runs the rates given, in order, instead of the ladder, and returns the highest
// that held and the lowest that failed (0: none), res.Max the former's result.
func fixedRates(ctx context.Context, rates []float64, res *LifecycleResult, try func(rate float64) StepResult) (lo, hi float64) {
	for _, rate := range rates {
		if ctx.Err() != nil {
			break
		}
		r := try(rate)
		switch {
		case r.Pass && rate > lo:
			lo, res.Max = rate, r
		case !r.Pass && (hi == 0 || rate < hi):
			hi = rate
		}
	}
	return lo, hi
}

// rung sums up a rate's windows: it holds when most of them held, and its figures are those
// of its median window by p99 (lifecycles/s: their mean; errors: their sum), with the lowest
// and highest p99 beside them. One window is its own rung.
func rung(windows []StepResult) StepResult {
	if len(windows) == 1 {
		return windows[0]
	}
	byP99 := slices.Clone(windows)
	slices.SortFunc(byP99, func(a, b StepResult) int { return cmp.Compare(a.P99, b.P99) })
	r := byP99[len(byP99)/2]
	r.Windows = windows
	r.P99Low, r.P99High = byP99[0].P99, byP99[len(byP99)-1].P99
	r.Lifecycles, r.Errors = 0, 0
	held := 0
	for _, w := range windows {
		r.Lifecycles += w.Lifecycles / float64(len(windows))
		r.Errors += w.Errors
		if w.Pass {
			held++
		}
	}
	r.Pass = held > len(windows)/2
	return r
}

// spread is a rung's p99 range in words.
func spread(r StepResult) string {
	if len(r.Windows) == 0 {
		return "one window"
	}
	held := 0
	for _, w := range r.Windows {
		if w.Pass {
			held++
		}
	}
	return fmt.Sprintf("median of %d windows, p99 %.2f–%.2f ms, %d held", len(r.Windows), r.P99Low, r.P99High, held)
}

// tempDir makes the bench's scratch directory.
func tempDir(cfg Config) (string, func(), error) {
	dir, err := os.MkdirTemp(cfg.Dir, "tandem-bench-")
	if err != nil {
		return "", nil, err
	}
	if cfg.Keep {
		return dir, func() {}, nil
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}
