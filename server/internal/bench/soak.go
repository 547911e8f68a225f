package bench

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// SoakWindow is one window of a soak run.
type SoakWindow struct {
	At         float64 `json:"at_s"`
	Lifecycles float64 `json:"lifecycles_per_s"`
	P99        float64 `json:"p99_intake_to_dial_ms"`
	RSS        int64   `json:"server_rss_bytes"`
	Heap       int64   `json:"server_heap_inuse_bytes"`
	Goroutines int     `json:"server_goroutines"`
	Errors     int64   `json:"errors"`
}

// SoakReport is `tandem bench --soak D`.
type SoakReport struct {
	Machine string       `json:"machine"`
	Peak    float64      `json:"peak_per_s"`
	Rate    float64      `json:"rate_per_s"`
	Windows []SoakWindow `json:"windows"`
	Verdict string       `json:"verdict"`
}

// Soak finds the peak lifecycle rate with a short ladder, then runs at 30% of it for d in
// windows of a minute (or d/10 when shorter), recording the server's memory, goroutines and p99
// in each, and judges whether they stayed flat.
func Soak(ctx context.Context, cfg Config, d time.Duration) (SoakReport, error) {
	rep := SoakReport{Machine: Machine()}
	logf := func(format string, a ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, format+"\n", a...)
		}
	}
	dir, cleanup, err := tempDir(cfg)
	if err != nil {
		return rep, err
	}
	defer cleanup()
	rig, err := startRig(ctx, cfg, dir, "soak", "", nil)
	if err != nil {
		return rep, err
	}
	defer rig.close()
	for rate := cfg.StartRate; rate <= cfg.MaxRate && ctx.Err() == nil; rate *= 2 {
		r := rig.cloud.step(ctx, rig.srv, benchNumber, rate, 2*time.Second)
		rig.cloud.drain(2 * time.Second)
		logf("  ladder %6.0f/s: %.0f lifecycles/s, p99 %.2f ms, pass %v", rate, r.Lifecycles, r.P99, r.Pass)
		if !r.Pass {
			break
		}
		rep.Peak = rate
	}
	if rep.Peak == 0 {
		return rep, fmt.Errorf("soak: no rate held")
	}
	rep.Rate = 0.3 * rep.Peak
	win := min(time.Minute, max(d/10, time.Second))
	start := time.Now()
	for time.Since(start) < d && ctx.Err() == nil {
		r := rig.cloud.step(ctx, rig.srv, benchNumber, rep.Rate, min(win, d-time.Since(start)+time.Millisecond))
		w := SoakWindow{At: time.Since(start).Seconds(), Lifecycles: r.Lifecycles, P99: r.P99,
			RSS: rss(rig.srv.cmd.Process.Pid), Heap: rig.srv.heapInUse(), Goroutines: rig.srv.goroutines(), Errors: r.Errors}
		rep.Windows = append(rep.Windows, w)
		logf("  %6.0f s: %.0f lifecycles/s, p99 %.2f ms, RSS %d MiB, heap %d MiB, %d goroutines, errors %d", w.At, w.Lifecycles, w.P99, w.RSS>>20, w.Heap>>20, w.Goroutines, w.Errors)
		if cfg.ProfileDir != "" && len(rep.Windows) == 10 {
			rig.srv.snapshot(cfg.ProfileDir, "soak-early", "heap", "goroutine")
		}
	}
	if cfg.ProfileDir != "" { // compare with soak-early: go tool pprof -diff_base
		rig.srv.snapshot(cfg.ProfileDir, "soak-end", "heap", "goroutine")
	}
	rep.Verdict = soakVerdict(rep.Windows)
	return rep, ctx.Err()
}

// soakVerdict compares the last third of the windows with the second third (the first third
// is warm-up): memory and goroutines should not grow, p99 should not drift.
func soakVerdict(ws []SoakWindow) string {
	if len(ws) < 3 {
		return "too short to judge"
	}
	n := len(ws) / 3
	avg := func(part []SoakWindow, f func(SoakWindow) float64) float64 {
		s := 0.0
		for _, w := range part {
			s += f(w)
		}
		return s / float64(len(part))
	}
	mid, last := ws[n:2*n], ws[len(ws)-n:]
	rssGrowth := avg(last, func(w SoakWindow) float64 { return float64(w.RSS) }) / avg(mid, func(w SoakWindow) float64 { return float64(w.RSS) })
	heapGrowth := avg(last, func(w SoakWindow) float64 { return float64(w.Heap) }) / max(avg(mid, func(w SoakWindow) float64 { return float64(w.Heap) }), 1)
	gGrowth := avg(last, func(w SoakWindow) float64 { return float64(w.Goroutines) }) - avg(mid, func(w SoakWindow) float64 { return float64(w.Goroutines) })
	p99 := avg(last, func(w SoakWindow) float64 { return w.P99 }) / max(avg(mid, func(w SoakWindow) float64 { return w.P99 }), 0.001)
	flat := rssGrowth < 1.1 && heapGrowth < 1.1 && gGrowth < 50 && p99 < 1.5
	v := fmt.Sprintf("RSS ×%.2f, Go heap ×%.2f, goroutines %+.0f, p99 ×%.2f (last third vs middle third)", rssGrowth, heapGrowth, gGrowth, p99)
	if flat {
		return "flat: " + v
	}
	return "NOT flat: " + v
}

// PrintSoak writes a soak report as a table.
func PrintSoak(w io.Writer, r SoakReport) {
	fmt.Fprintf(w, "tandem bench --soak on %s: peak %.0f/s, soak at %.0f/s\n\n", r.Machine, r.Peak, r.Rate)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "at s\tlifecycles/s\tp99 ms\tRSS MiB\theap MiB\tgoroutines\terrors\t")
	for _, x := range r.Windows {
		fmt.Fprintf(tw, "%.0f\t%.0f\t%.2f\t%d\t%d\t%d\t%d\t\n", x.At, x.Lifecycles, x.P99, x.RSS>>20, x.Heap>>20, x.Goroutines, x.Errors)
	}
	tw.Flush()
	fmt.Fprintln(w, r.Verdict)
}
