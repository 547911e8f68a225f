package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tandemcc/tandem/server/internal/bench"
	"github.com/tandemcc/tandem/server/internal/pgtest"
)

// TestMain lets the bench test run this test binary as its child processes (tandem serve,
// tandem simulate, the echo server), as `tandem bench` runs its own binary.
func TestMain(m *testing.M) {
	if os.Getenv("TANDEM_BENCH_CHILD") == "1" {
		if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "tandem:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	// No test may leave goroutines behind: the servers, switchboards and senders it starts stop.
	// Idle keep-alive connections of some tests' HTTP clients are tolerated for now (an end-to-end
	// test leaves one open; to be found and closed, then this exception removed).
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("os/signal.signal_recv"), goleak.IgnoreAnyFunction("os/signal.loop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"))
}

// TestBenchTiny runs every phase of tandem bench in a tiny, bounded configuration: each
// produces its figures, and the servers it starts stop.
func TestBenchTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	cfg := tinyBench(t)
	cfg.Operators, cfg.StartRate, cfg.MaxRate = 8, 20, 40
	cfg.Streams = 40
	cfg.BigOperators, cfg.BigQueues, cfg.BigWaiting = 200, 5, 40
	cfg.SimCalls = 500
	var log strings.Builder
	cfg.Log = &log
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, _ := bench.Run(ctx, cfg)
	for _, e := range rep.Errors {
		t.Errorf("phase failed: %s\n%s", e, log.String())
	}
	switch {
	case rep.EchoRPSJSON <= 0 || rep.EchoRPSBinary <= 0:
		t.Errorf("echo baseline: %v / %v", rep.EchoRPSJSON, rep.EchoRPSBinary)
	case rep.SQLiteTxPerS <= 0 || rep.SQLiteFullTxPS <= 0:
		t.Errorf("sqlite baseline: %v / %v", rep.SQLiteTxPerS, rep.SQLiteFullTxPS)
	case rep.Lifecycle == nil || len(rep.Lifecycle.Ladder) == 0 || rep.Lifecycle.Ladder[0].Lifecycles <= 0:
		t.Errorf("no lifecycle completed: %+v\n%s", rep.Lifecycle, log.String())
	case len(rep.Lifecycle.Ladder[0].Windows) != cfg.Repeats || rep.Lifecycle.Ladder[0].Limit == "":
		t.Errorf("a rung of %d windows with its limit: %+v", cfg.Repeats, rep.Lifecycle.Ladder[0])
	case rep.Lifecycle.Ladder[0].LoopBusy <= 0 || rep.Lifecycle.Ladder[0].StepsPerBatch < 1 || rep.Lifecycle.Ladder[0].ServerCPU <= 0:
		t.Errorf("the server's work was not read (its /metrics): %+v", rep.Lifecycle.Ladder[0].Limits)
	case rep.StreamsHeld != cfg.Streams || rep.Presence.Delivered != cfg.Streams:
		t.Errorf("presence: %+v", rep.Presence)
	case rep.Engine == nil || rep.Engine.Decisions == 0:
		t.Errorf("engine: %+v", rep.Engine)
	case rep.Engine.Relax == nil || rep.Engine.Relax.Decisions == 0 || rep.DecisionP99Relax <= 0:
		t.Errorf("engine under skills relaxation: %+v", rep.Engine.Relax)
	case rep.SimCallsPerS <= 0:
		t.Errorf("sim: %+v", rep.Sim)
	}
	var out strings.Builder
	bench.PrintTable(&out, rep)
	if !strings.Contains(out.String(), "lifecycles_per_s") || !strings.Contains(out.String(), "decision_p99_us under skills relaxation") {
		t.Errorf("table:\n%s", out.String())
	}
}

// TestBenchTinyPostgres runs the PostgreSQL column (--postgres) of the sqlite and lifecycle
// phases, tiny: the raw transactions and a lifecycle complete with the server on PostgreSQL,
// and its schemas are dropped. It skips, saying why, when there is no PostgreSQL server
// (TANDEM_TEST_POSTGRES unset: make test sets it).
func TestBenchTinyPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	url := pgtest.Server(t)
	cfg := tinyBench(t)
	cfg.Operators, cfg.StartRate, cfg.MaxRate = 8, 20, 20
	cfg.Phases = map[string]bool{"sqlite": true, "lifecycle": true}
	cfg.Postgres = url
	var log strings.Builder
	cfg.Log = &log
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, _ := bench.Run(ctx, cfg)
	for _, e := range rep.Errors {
		t.Errorf("phase failed: %s\n%s", e, log.String())
	}
	pg := rep.Postgres
	switch {
	case pg == nil || pg.TxPerS <= 0:
		t.Errorf("postgres baseline: %+v", pg)
	case pg.Lifecycle == nil || len(pg.Lifecycle.Ladder) == 0 || pg.Lifecycle.Ladder[0].Lifecycles <= 0:
		t.Errorf("no lifecycle completed on postgres: %+v\n%s", pg.Lifecycle, log.String())
	}
	var out strings.Builder
	bench.PrintTable(&out, rep)
	if !strings.Contains(out.String(), "postgres") {
		t.Errorf("table:\n%s", out.String())
	}
}

// tinyBench is a bench configuration small enough for a test: this test binary as the server
// (TestMain runs it as tandem in TANDEM_BENCH_CHILD), one-second phases, four workers.
func tinyBench(t *testing.T) bench.Config {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cfg := bench.Default()
	cfg.Exe, cfg.ChildEnv, cfg.Dir = exe, []string{"TANDEM_BENCH_CHILD=1"}, t.TempDir()
	cfg.Duration, cfg.Workers, cfg.Repeats = time.Second, 4, 2
	return cfg
}
