package bench

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"
)

// LifecycleResult is phase 2.
type LifecycleResult struct {
	Operators  int          `json:"operators"`
	Ladder     []StepResult `json:"ladder"`
	Max        StepResult   `json:"max"`  // the highest rate that held
	Half       StepResult   `json:"half"` // at half of it
	At500      StepResult   `json:"at_500"`
	Full       StepResult   `json:"sync_full"`             // synchronous=FULL, at the highest rate that held
	Best       float64      `json:"best_lifecycles_per_s"` // the most completed in any step, whatever the latency
	ServerRSS  int64        `json:"server_rss_bytes"`
	FleetError string       `json:"fleet_error,omitempty"`
	CloudError string       `json:"cloud_error,omitempty"`
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
		var prof chan struct{}
		if cfg.ProfileDir != "" {
			// Numbered: a rate can come twice (a ladder step and the half rate, or the top rate
			// at synchronous=FULL), and the PostgreSQL column runs the same rates again.
			what := "lifecycle"
			if pg != nil {
				what = "lifecycle-postgres"
			}
			prof = rig.srv.profile(cfg.ProfileDir, fmt.Sprintf("%s-%02d-%.0f", what, len(res.Ladder)+1, rate), d-200*time.Millisecond)
		}
		r := rig.cloud.step(ctx, rig.srv, benchNumber, rate, d)
		if prof != nil {
			<-prof
		}
		rig.cloud.drain(2 * time.Second)
		logf("  %6.0f/s offered: %7.1f lifecycles/s, intake→dial p50 %.2f ms p99 %.2f ms (intake reply p99 %.2f ms), errors %d, server CPU %.2f cores, pass %v",
			rate, r.Lifecycles, r.P50, r.P99, r.IntakeP99, r.Errors, r.ServerCPU, r.Pass)
		res.Ladder = append(res.Ladder, r)
		return r
	}
	// Warm up (connections, the page cache, the JIT-less but cache-hungry engine).
	rig.cloud.step(ctx, rig.srv, benchNumber, cfg.StartRate/2, time.Second)
	rig.cloud.drain(2 * time.Second)
	lo, hi := 0.0, 0.0
	for rate := cfg.StartRate; rate <= cfg.MaxRate && ctx.Err() == nil; rate *= 2 {
		r := try(rig, rate, stepD)
		if !r.Pass {
			hi = rate
			break
		}
		lo, res.Max = rate, r
	}
	// Nothing held at the start: look lower, down to an eighth of it.
	for rate := cfg.StartRate / 2; lo == 0 && rate >= cfg.StartRate/8 && ctx.Err() == nil; rate /= 2 {
		r := try(rig, math.Round(rate), stepD)
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
		if r := try(rig, mid, stepD); r.Pass {
			lo, res.Max = mid, r
		} else {
			hi = mid
		}
	}
	if lo > 0 {
		res.Half = try(rig, lo/2, cfg.Duration)
	}
	if cfg.MaxRate >= 500 {
		res.At500 = try(rig, 500, cfg.Duration)
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
	if lo > 0 && ctx.Err() == nil && pg == nil {
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
	if res.FleetError != "" || res.CloudError != "" {
		return res, fmt.Errorf("requests failed (fleet: %s; cloud: %s)", res.FleetError, res.CloudError)
	}
	if lo == 0 {
		logf("  no rate held p99 intake→dial under 10 ms, not even %.0f/s; the most completed: %.0f lifecycles/s", cfg.StartRate/8, res.Best)
	}
	return res, nil
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
