package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
)

// SimResult is phase 5: `tandem simulate` run as a user runs it.
type SimResult struct {
	Calls          int     `json:"calls"`
	WallSeconds    float64 `json:"wall_seconds"`
	CallsPerS      float64 `json:"sim_calls_per_s"`
	NoStoreCallsPS float64 `json:"sim_calls_per_s_without_store"`
	Transactions   int     `json:"store_transactions"`
}

// runSim runs `tandem simulate` (20 operators at 90% occupancy, the README's example) for
// cfg.SimCalls calls, with its SQLite store and without, and reports calls per wall second.
func runSim(ctx context.Context, cfg Config) (SimResult, error) {
	res := SimResult{Calls: cfg.SimCalls}
	run := func(store string) (float64, int, float64, error) {
		cmd := exec.CommandContext(ctx, cfg.Exe, "simulate", "--operators", "20", "--calls-per-hour", "360", "--aht", "3m",
			"--calls", strconv.Itoa(cfg.SimCalls), "--seed", "1", "--store", store, "--json")
		cmd.Env = append(os.Environ(), cfg.ChildEnv...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			return 0, 0, 0, fmt.Errorf("tandem simulate: %v: %s", err, errb.String())
		}
		var r struct {
			Offered int     `json:"calls_offered"`
			Wall    float64 `json:"wall_seconds"`
			Tx      int     `json:"store_transactions"`
		}
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			return 0, 0, 0, fmt.Errorf("tandem simulate --json: %w", err)
		}
		if r.Wall <= 0 {
			return 0, 0, 0, fmt.Errorf("tandem simulate: no wall time")
		}
		return float64(r.Offered) / r.Wall, r.Tx, r.Wall, nil
	}
	var err error
	if res.CallsPerS, res.Transactions, res.WallSeconds, err = run("sqlite"); err != nil {
		return res, err
	}
	res.NoStoreCallsPS, _, _, err = run("none")
	return res, err
}
