package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/tandemcc/tandem/server/internal/bench"
)

const benchUsage = `Usage: tandem bench [flags]

Measures, in one run on this machine over 127.0.0.1: a bare connect-go echo service and raw
SQLite transactions (the baselines), complete call lifecycles against this binary's server in a
process of its own, 10 000 presence streams, routing decisions in a big center, and the
simulator. With --postgres it also measures raw PostgreSQL transactions and the lifecycles
with the server on PostgreSQL, in a column of their own (JSON: the "postgres" object). Prints a
table, or with --json one JSON object. With --soak D it instead runs
lifecycles at 30% of the peak rate for D and reports memory, goroutines and p99 over time.
With --chaos N it instead (or after the --phases named) kills tandem serve with SIGKILL N times
at random moments while calls arrive at --chaos-rate and operators answer them, restarts it on
the same SQLite file each time, and reports calls acknowledged and lost, double offers,
integrity_check, restart times and the clients' errors (JSON: the "chaos" object).

Flags:
`

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := bench.Default()
	fs := flag.NewFlagSet("tandem bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, benchUsage)
		fs.PrintDefaults()
	}
	asJSON := fs.Bool("json", false, "print one JSON object instead of the table")
	phases := fs.String("phases", "", "comma-separated phases to run (default all): echo, sqlite, lifecycle, presence, engine, sim")
	soak := fs.Duration("soak", 0, "run lifecycles at 30% of the peak rate for this long instead (e.g. 30m)")
	echo := fs.String("echo-server", "", "internal: serve the echo baseline on this address until stdin closes")
	fs.DurationVar(&cfg.Duration, "duration", cfg.Duration, "how long one measurement runs (each step of the lifecycle ladder and each raw store baseline takes half); a phase may take several")
	fs.IntVar(&cfg.Workers, "workers", cfg.Workers, "concurrent requests of the closed-loop load")
	fs.IntVar(&cfg.Operators, "operators", cfg.Operators, "operators of the lifecycle phase")
	fs.Float64Var(&cfg.StartRate, "start-rate", cfg.StartRate, "the lifecycle ladder's first rate per second")
	fs.Float64Var(&cfg.MaxRate, "max-rate", cfg.MaxRate, "the lifecycle ladder's highest rate per second")
	rates := fs.String("rates", "", "run the lifecycle phase at these rates per second (comma-separated) instead of the ladder: to compare two binaries (--exe) at the same rates")
	fs.IntVar(&cfg.Repeats, "repeats", cfg.Repeats, "windows per lifecycle rate: a rate holds when most of them hold")
	fs.DurationVar(&cfg.Ring, "ring", cfg.Ring, "simulated ring time")
	fs.DurationVar(&cfg.Talk, "talk", cfg.Talk, "simulated talk time")
	fs.IntVar(&cfg.Streams, "streams", cfg.Streams, "presence streams of the presence phase")
	fs.IntVar(&cfg.BigOperators, "big-operators", cfg.BigOperators, "operators of the routing-decision phase")
	fs.IntVar(&cfg.BigQueues, "big-queues", cfg.BigQueues, "queues of the routing-decision phase")
	fs.IntVar(&cfg.BigWaiting, "big-waiting", cfg.BigWaiting, "calls waiting in the routing-decision phase")
	fs.IntVar(&cfg.SimCalls, "sim-calls", cfg.SimCalls, "calls per tandem simulate run")
	fs.StringVar(&cfg.Exe, "exe", "", "the tandem binary to run servers with (default: this one)")
	fs.StringVar(&cfg.ProfileDir, "profile", "", "save the server's pprof profiles of each lifecycle step (and the fan-out) in this directory")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the scratch directory (databases and server logs)")
	fs.StringVar(&cfg.Postgres, "postgres", "", "also run the sqlite baseline and the lifecycle phase on this PostgreSQL server (a postgres:// URL; each store gets a schema of its own, dropped after), or auto: a throwaway one started with scripts/pg-test-cluster.sh")
	fs.IntVar(&cfg.Chaos.Kills, "chaos", 0, "kill the server with SIGKILL this many times under calls, restarting it each time, and report what was lost (e.g. 100)")
	fs.Float64Var(&cfg.Chaos.Rate, "chaos-rate", cfg.Chaos.Rate, "calls offered per second during --chaos")
	fs.Uint64Var(&cfg.Chaos.Seed, "chaos-seed", cfg.Chaos.Seed, "seed of the --chaos kill moments")
	fs.IntVar(&cfg.Chaos.Operators, "chaos-operators", cfg.Chaos.Operators, "operators answering during --chaos")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if *echo != "" {
		return bench.EchoServerMain(ctx, *echo, os.Stdin, stdout)
	}
	if cfg.Duration <= 0 {
		return errors.New("duration: must be positive")
	}
	if cfg.Repeats < 1 {
		return errors.New("repeats: must be at least 1")
	}
	if *rates != "" {
		for _, r := range strings.Split(*rates, ",") {
			v, err := strconv.ParseFloat(strings.TrimSpace(r), 64)
			if err != nil || v <= 0 {
				return fmt.Errorf("rates: %q is not a positive rate", r)
			}
			cfg.Rates = append(cfg.Rates, v)
		}
	}
	if cfg.Exe == "" {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		cfg.Exe = exe
	}
	if cfg.Chaos.Kills < 0 {
		return errors.New("chaos: must not be negative")
	}
	if cfg.Chaos.Kills > 0 && *phases == "" {
		cfg.Phases = map[string]bool{} // the chaos run alone
	}
	if *phases != "" {
		cfg.Phases = map[string]bool{}
		for _, p := range strings.Split(*phases, ",") {
			cfg.Phases[strings.TrimSpace(p)] = true
		}
	}
	if cfg.ProfileDir != "" {
		if err := os.MkdirAll(cfg.ProfileDir, 0o755); err != nil {
			return fmt.Errorf("profile: %w", err)
		}
	}
	cfg.Log = stderr
	if *soak > 0 {
		rep, err := bench.Soak(ctx, cfg, *soak)
		if *asJSON {
			_ = bench.PrintJSON(stdout, rep)
		} else {
			bench.PrintSoak(stdout, rep)
		}
		return err
	}
	rep, err := bench.Run(ctx, cfg)
	if *asJSON {
		_ = bench.PrintJSON(stdout, rep)
	} else {
		bench.PrintTable(stdout, rep)
	}
	return err
}

// TANDEM_PPROF=127.0.0.1:6060 serves net/http/pprof on that address, next to whatever the
// command runs: to profile a server under `tandem bench` (the address is only ever local).
func init() {
	addr := os.Getenv("TANDEM_PPROF")
	if addr == "" {
		return
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tandem: pprof:", err)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	runtime.SetMutexProfileFraction(10)
	runtime.SetBlockProfileRate(int(100 * time.Microsecond))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
}
