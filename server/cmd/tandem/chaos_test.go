package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/bench"
)

// TestChaosKills is `tandem bench --chaos` made short: the real binary killed with SIGKILL ten
// times at random moments while calls arrive at 50 a second and 100 operators answer them,
// restarted on the same SQLite file each time, the cloud retrying as the scenario does. Every
// acknowledged call is in the database and finished, no operator or call was offered twice at
// once (in the offers table and at the cloud), and integrity_check says ok. The time bounds
// are only the run's own deadlines.
func TestChaosKills(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	bin := filepath.Join(t.TempDir(), "tandem")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cfg := bench.Default()
	cfg.Exe, cfg.Dir, cfg.Phases = bin, t.TempDir(), map[string]bool{}
	cfg.Chaos.Kills, cfg.Chaos.Rate, cfg.Chaos.Operators = 10, 50, 100
	cfg.Chaos.MaxGap = 1500 * time.Millisecond
	cfg.Chaos.Drain = time.Minute
	var log strings.Builder
	cfg.Log = &log
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	rep, err := bench.Run(ctx, cfg)
	r := rep.Chaos
	if r == nil {
		t.Fatalf("no chaos run: %v\n%s", err, log.String())
	}
	var table strings.Builder
	bench.PrintTable(&table, rep)
	if testing.Verbose() {
		t.Log("\n" + table.String())
	}
	if err != nil {
		t.Errorf("%v\n%s", err, table.String())
	}
	if r.Acknowledged < 100 || r.Audit.CallStates["ended"] < 100 {
		t.Errorf("only %d calls acknowledged, %d ended: the load did not run\n%s", r.Acknowledged, r.Audit.CallStates["ended"], table.String())
	}
	if r.Lost != 0 || r.DoubleOffers != 0 || r.Integrity != "ok" || len(r.Problems) > 0 {
		t.Errorf("lost %d, double offers %d, integrity %q, problems %q", r.Lost, r.DoubleOffers, r.Integrity, r.Problems)
	}
	if r.Restarts != cfg.Chaos.Kills {
		t.Errorf("%d restarts for %d kills", r.Restarts, cfg.Chaos.Kills)
	}
	if restarts := r.Errors.StreamBreaks; restarts < int64(cfg.Chaos.Kills) {
		t.Errorf("%d operator stream breaks for %d kills: the server was not killed under the operators", restarts, cfg.Chaos.Kills)
	}
}
