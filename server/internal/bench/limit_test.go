package bench

import (
	"runtime"
	"slices"
	"testing"
	"time"
)

// TestRungIsJudgedByMostWindows: one bad window neither fails a rate nor passes it; the rung
// shows the median window's figures and the spread.
func TestRungIsJudgedByMostWindows(t *testing.T) {
	w := func(p99, lc float64, pass bool) StepResult {
		return StepResult{Rate: 100, P99: p99, P50: p99 / 4, Lifecycles: lc, Pass: pass, Errors: 1}
	}
	r := rung([]StepResult{w(4, 99, true), w(31, 90, false), w(6, 96, true)})
	if !r.Pass || r.P99 != 6 || r.P50 != 1.5 || r.P99Low != 4 || r.P99High != 31 || r.Lifecycles != 95 || r.Errors != 3 || len(r.Windows) != 3 {
		t.Errorf("two of three held: %+v", r)
	}
	r = rung([]StepResult{w(12, 99, false), w(3, 99, true), w(14, 99, false)})
	if r.Pass || r.P99 != 12 || r.P99Low != 3 || r.P99High != 14 {
		t.Errorf("one of three held: %+v", r)
	}
	if one := rung([]StepResult{w(7, 50, true)}); !one.Pass || one.P99 != 7 || one.Windows != nil || one.P99High != 0 {
		t.Errorf("one window is its own rung: %+v", one)
	}
}

// TestLimitNamesWhatWasSaturated: the verdict follows the machine's CPU first, then the
// switchboard's loop (fsync at synchronous=FULL when COMMIT is most of it), then the
// checkpointer's holds.
func TestLimitNamesWhatWasSaturated(t *testing.T) {
	at := time.Unix(1000, 0)
	reading := func(sec float64, server, machineBusy, total float64, m map[string]float64) usage {
		return usage{at: at.Add(time.Duration(sec * float64(time.Second))), server: server, machineBusy: machineBusy, total: total, metrics: m}
	}
	loop := func(engine, store, commit, held float64) map[string]float64 {
		return map[string]float64{
			"tandem_switchboard_steps_total": 1000, "tandem_switchboard_batches_total": 500,
			"tandem_switchboard_engine_seconds_total": engine, "tandem_switchboard_store_seconds_total": store,
			"tandem_switchboard_wait_seconds_total": 2, "tandem_sqlite_commit_seconds_total": commit,
			"tandem_sqlite_checkpoint_held_seconds_total": held,
		}
	}
	zero := loop(0, 0, 0, 0)
	zero["tandem_switchboard_steps_total"], zero["tandem_switchboard_batches_total"], zero["tandem_switchboard_wait_seconds_total"] = 0, 0, 0
	cores := float64(runtime.NumCPU())
	for _, c := range []struct {
		name                        string
		busy                        float64 // of the machine's CPU time
		engine, store, commit, held float64 // seconds in a 2-second window
		sync, want                  string
	}{
		{"the cores full", 0.95, 0.2, 0.4, 0.1, 0, "", "cpu"},
		{"the loop busy, storing", 0.5, 0.2, 1.2, 0.3, 0, "", "loop"},
		{"the loop busy in COMMIT at FULL", 0.5, 0.1, 1.3, 0.9, 0, "full", "fsync"},
		{"the loop busy, not in COMMIT, at FULL", 0.5, 0.1, 1.3, 0.2, 0, "full", "loop"},
		{"the checkpointer holding commits", 0.4, 0.1, 0.3, 0.1, 0.05, "", "checkpoint"},
		{"nothing saturated", 0.4, 0.1, 0.3, 0.1, 0.01, "", "none"},
	} {
		u0 := reading(0, 10, 0, 0, zero)
		u1 := reading(2, 11, c.busy*200*cores, 200*cores, loop(c.engine, c.store, c.commit, c.held))
		l := limits(u0, u1, c.sync)
		if l.Limit != c.want {
			t.Errorf("%s: limit %q, want %q (%s)", c.name, l.Limit, c.want, l)
		}
		if l.ServerCPU != 0.5 || l.WaitMeanMS != 2 || l.StepsPerBatch != 2 {
			t.Errorf("%s: %+v", c.name, l)
		}
	}
}

// TestLadderFindsTheTopRate: doubling until a rate fails, then bisecting; or, with fixed
// rates, the highest that held and the lowest that failed.
func TestLadderFindsTheTopRate(t *testing.T) {
	holdsTo := func(top float64, tried *[]float64) func(float64) StepResult {
		return func(rate float64) StepResult {
			*tried = append(*tried, rate)
			return StepResult{Rate: rate, Pass: rate <= top}
		}
	}
	var tried []float64
	var res LifecycleResult
	lo, hi := ladder(t.Context(), Config{StartRate: 100, MaxRate: 16000}, &res, holdsTo(300, &tried))
	if lo != 300 || hi != 325 || res.Max.Rate != 300 || !slices.Equal(tried, []float64{100, 200, 400, 300, 350, 325}) {
		t.Errorf("ladder to 300/s: lo %v hi %v max %v, tried %v", lo, hi, res.Max.Rate, tried)
	}
	tried, res = nil, LifecycleResult{}
	lo, hi = ladder(t.Context(), Config{StartRate: 100, MaxRate: 16000}, &res, holdsTo(30, &tried))
	if lo != 29 || hi != 32 || !slices.Equal(tried, []float64{100, 50, 25, 38, 32, 29}) {
		t.Errorf("ladder to 30/s: lo %v hi %v, tried %v", lo, hi, tried)
	}
	tried, res = nil, LifecycleResult{}
	lo, hi = fixedRates(t.Context(), []float64{25, 100, 50}, &res, holdsTo(60, &tried))
	if lo != 50 || hi != 100 || res.Max.Rate != 50 || !slices.Equal(tried, []float64{25, 100, 50}) {
		t.Errorf("fixed rates: lo %v hi %v max %v, tried %v", lo, hi, res.Max.Rate, tried)
	}
}
