package simulate

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/sqlite"
)

const aht = 3 * time.Minute

// load is a configuration of c operators at occupancy rho, engine only.
func load(c int, rho float64, calls int, seed uint64) Config {
	return Config{
		Operators:    c,
		CallsPerHour: rho * float64(c) * float64(time.Hour/aht),
		AHT:          aht,
		Calls:        calls,
		Seed:         seed,
		SLThreshold:  20 * time.Second,
		// Two hours is ≥ 40 mean handle times: the empty start is long forgotten (the
		// relaxation time of M/M/10 at 95% is about 150/μ·(1/10)… ≈ 16 handle times).
		WarmUp: 2 * time.Hour,
	}
}

func run(t *testing.T, cfg Config) Result {
	t.Helper()
	r, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// agrees checks a simulated figure against theory. The tolerance is three standard errors of
// the simulated figure (1.5 × its 95% batch-means half-width, which is ≈ 2 standard errors),
// plus a small allowance for what batch means cannot see (the warm-up's remaining bias, the
// variance estimate's own error with 19 degrees of freedom). For a correct engine a figure
// falls outside with probability under 1%; the seed is fixed, so the test is repeatable.
func agrees(t *testing.T, what string, sim, ci, want, floor float64) {
	t.Helper()
	tol := 1.5*ci + floor
	if math.Abs(sim-want) > tol {
		t.Errorf("%s: simulated %.4g ± %.2g (95%%), theory %.4g: off by %.2g, more than %.2g", what, sim, ci, want, math.Abs(sim-want), tol)
	} else {
		t.Logf("%s: simulated %.4g ± %.2g (95%%), theory %.4g", what, sim, ci, want)
	}
}

// TestMatchesErlangC runs the M/M/c queue (exponential handle times, callers who never hang
// up, no ring time, no wrap-up) through the real engine at three loads and compares p_wait,
// ASA and the service level with Erlang C.
//
// Run lengths: near 95% a queue forgets slowly, so the error of a mean falls like
// 1/√(calls/1500) (about 1500 calls per relaxation time whatever the number of operators);
// the lengths below keep the 95% half-width of p_wait within a few points. Under -race the
// engine is about five times slower, so the runs are shorter and the (measured) intervals wider;
// maxCI keeps them narrow enough that the comparison still means something.
func TestMatchesErlangC(t *testing.T) {
	tests := []struct {
		name        string
		rho         float64
		calls, race int
		maxCI       float64 // the widest acceptable 95% half-width of p_wait
	}{
		{name: "light, 50%", rho: 0.50, calls: 30_000, race: 12_000, maxCI: 0.02},
		{name: "busy, 85%", rho: 0.85, calls: 60_000, race: 25_000, maxCI: 0.07},
		{name: "heavy, 95%", rho: 0.95, calls: 120_000, race: 30_000, maxCI: 0.09},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n := tc.calls
			if raceDetector {
				n = tc.race
			}
			cfg := load(10, tc.rho, n, 1)
			r := run(t, cfg)
			p := r.ErlangC
			if p == nil || !p.Exact {
				t.Fatalf("no exact Erlang C prediction: %+v", p)
			}
			if r.CallsAbandoned != 0 || r.CallsAnswered != r.CallsOffered {
				t.Fatalf("answered %d of %d, abandoned %d: nobody should hang up", r.CallsAnswered, r.CallsOffered, r.CallsAbandoned)
			}
			if r.CI95.PWait > tc.maxCI || r.CI95.PWait == 0 {
				t.Fatalf("p_wait known only to ± %.3g: the run is too short to compare", r.CI95.PWait)
			}
			agrees(t, "p_wait", r.PWait, r.CI95.PWait, p.PWait, 0.005)
			agrees(t, "asa_seconds", r.ASA, r.CI95.ASA, p.ASA, 0.02*p.ASA)
			agrees(t, "service_level", r.ServiceLevel, r.CI95.ServiceLevel, p.ServiceLevel, 0.005)
			// Occupancy is the load itself: its error is that of the arrival count and of the
			// mean handle time, each about 1/√calls relative; 4/√calls covers both at > 3σ.
			agrees(t, "occupancy", r.Occupancy, 0, p.Occupancy, 4/math.Sqrt(float64(r.CallsOffered))*p.Occupancy)
			agrees(t, "aht_seconds", r.AHT, 0, aht.Seconds(), 4/math.Sqrt(float64(r.CallsAnswered))*aht.Seconds())
		})
	}
}

// TestAbandonmentMatchesErlangA gives callers exponential patience, with operators short of
// the load (Erlang C has no answer there), and compares with Erlang A. Abandonment makes the
// queue forget fast, so shorter runs suffice.
func TestAbandonmentMatchesErlangA(t *testing.T) {
	tests := []struct {
		name        string
		rho         float64
		patience    time.Duration
		calls, race int
	}{
		{name: "95%, patience 1 min", rho: 0.95, patience: time.Minute, calls: 40_000, race: 15_000},
		{name: "overloaded 115%, patience 3 min", rho: 1.15, patience: 3 * time.Minute, calls: 40_000, race: 15_000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n := tc.calls
			if raceDetector {
				n = tc.race
			}
			cfg := load(10, tc.rho, n, 2)
			cfg.Patience = tc.patience
			r := run(t, cfg)
			p := r.ErlangA
			if p == nil || !p.Exact || r.ErlangC != nil {
				t.Fatalf("want an exact Erlang A prediction alone, got C %+v A %+v", r.ErlangC, p)
			}
			if r.CallsAnswered+r.CallsAbandoned != r.CallsOffered {
				t.Fatalf("answered %d + abandoned %d != offered %d", r.CallsAnswered, r.CallsAbandoned, r.CallsOffered)
			}
			agrees(t, "abandon_rate", r.AbandonRate, r.CI95.AbandonRate, p.AbandonRate, 0.005)
			agrees(t, "p_wait", r.PWait, r.CI95.PWait, p.PWait, 0.005)
			agrees(t, "asa_seconds", r.ASA, r.CI95.ASA, p.ASA, 0.02*p.ASA)
			// Occupancy follows the abandonment: a point of abandon rate is a point of load.
			agrees(t, "occupancy", r.Occupancy, 0, p.Occupancy, 1.5*r.CI95.AbandonRate+4/math.Sqrt(float64(r.CallsOffered)))
		})
	}
}

// TestSameSeedSameRun: a seed gives one run, and the store does not change what happens.
func TestSameSeedSameRun(t *testing.T) {
	cfg := load(8, 0.9, 3000, 42)
	cfg.WarmUp = 0
	cfg.Patience = 2 * time.Minute
	cfg.AnswerDelay = 4 * time.Second
	cfg.WrapUp = 15 * time.Second
	a, b := run(t, cfg), run(t, cfg)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("same seed, two results:\n%+v\n%+v", a, b)
	}
	cfg.Seed = 43
	if c := run(t, cfg); c.ASA == a.ASA && c.CallsAbandoned == a.CallsAbandoned {
		t.Fatalf("seeds 42 and 43 gave the same run: %+v", c)
	}
}

// TestStoreKeepsEveryStep runs with the real SQLite store, each step in its own transaction,
// in batches and the whole run in one, with ring time, wrap-up and impatient callers (so
// offers are taken back), and checks that the run is the one without a store, that the
// database agrees with it, and that the batches change no stored row: only when rows are
// written.
func TestStoreKeepsEveryStep(t *testing.T) {
	t.Parallel()
	cfg := load(6, 0.9, 200, 7) // short: SQLite under -race is slow
	cfg.WarmUp = 0
	cfg.Patience = time.Minute
	cfg.AnswerDelay = 5 * time.Second
	cfg.WrapUp = 20 * time.Second
	alone := run(t, cfg)
	if alone.Transactions != 0 {
		t.Fatalf("%d transactions without a store", alone.Transactions)
	}
	if alone.OffersCanceled == 0 || alone.CallsAbandoned == 0 {
		t.Fatalf("no offer was taken back (%d abandoned): the run does not exercise cancel", alone.CallsAbandoned)
	}
	var firstRows map[string][]string // the rows stored by the first batch size
	for _, batch := range []int{1, 50, 1 << 30} {
		t.Run(fmt.Sprintf("batch %d", batch), func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "simulate.db")
			db, err := sqlite.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			cfg := cfg
			cfg.Store, cfg.Batch = db, batch
			r := run(t, cfg)
			wantTx := r.Steps // every step changes something: intake, answer, end, tick
			if batch > 1 {
				wantTx = (r.Steps + batch - 1) / batch
			}
			rows := storedRows(t, path)
			if firstRows == nil {
				if len(rows["decisions"]) == 0 || len(rows["offers"]) != r.Offers || len(rows["calls"]) != r.CallsOffered {
					t.Fatalf("stored %d decisions, %d offers, %d calls; %d offers, %d calls simulated",
						len(rows["decisions"]), len(rows["offers"]), len(rows["calls"]), r.Offers, r.CallsOffered)
				}
				firstRows = rows
			} else {
				for table, want := range firstRows {
					if got := rows[table]; !slices.Equal(got, want) {
						t.Errorf("%s: %d rows stored in batches of %d, %d one step a transaction; first difference %s",
							table, len(got), batch, len(want), firstDifference(got, want))
					}
				}
			}
			if r.Transactions < wantTx || r.Transactions > r.Steps {
				t.Errorf("%d transactions for %d steps in batches of %d", r.Transactions, r.Steps, batch)
			}
			r.Transactions = 0
			if !reflect.DeepEqual(r, alone) {
				t.Fatalf("the store changed the run:\n%+v\n%+v", r, alone)
			}
			tallies, err := db.Tallies(ctx, cc.ScopeQueue, "sim", Epoch.Add(-time.Hour), Epoch.Add(1000*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			var s cc.Figures
			for _, tl := range tallies {
				s.Add(tl.Figures)
			}
			if int(s.CallsReceived) != r.CallsOffered || int(s.CallsAnswered) != r.CallsAnswered || int(s.CallsAbandoned) != r.CallsAbandoned {
				t.Errorf("stored received %d answered %d abandoned %d; simulated %d, %d, %d",
					s.CallsReceived, s.CallsAnswered, s.CallsAbandoned, r.CallsOffered, r.CallsAnswered, r.CallsAbandoned)
			}
			// Stored times are whole milliseconds.
			if asa, _ := s.ASA(); math.Abs(asa.Seconds()-r.ASA) > 0.002 {
				t.Errorf("stored average answer time %.3f s, simulated %.3f s", asa.Seconds(), r.ASA)
			}
			rt, err := db.LoadRuntime(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(rt.Calls) != 0 || len(rt.Offers) != 0 {
				t.Errorf("after the run the store holds %d calls and %d pending offers", len(rt.Calls), len(rt.Offers))
			}
			for _, st := range rt.Statuses {
				if st.State != cc.OperatorReady {
					t.Errorf("operator %s stored %s after the run", st.Operator, st.State)
				}
			}
		})
	}
}

// storedTables are the tables a simulation writes, but tallies: a batch adds up its time
// figures before they are rounded to whole milliseconds, so ready_ms and the like differ by a
// few milliseconds (the counts are checked above).
var storedTables = []string{"calls", "offers", "decisions", "call_events", "cloud_requests",
	"operator_status", "operator_states", "operator_scores", "call_parties", "queue_cursors"}

// storedRows reads every row of storedTables in the SQLite file at path, each row its
// columns' values as text, in the order of its columns; a table's rows sorted.
func storedRows(t *testing.T, path string) map[string][]string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string][]string{}
	for _, table := range storedTables {
		rows, err := db.Query(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for i, v := range vals {
				fmt.Fprintf(&b, "%s=%q,%v ", cols[i], v.String, v.Valid)
			}
			out[table] = append(out[table], b.String())
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		slices.Sort(out[table]) // call events have no key: compared as sets of rows
	}
	return out
}

// firstDifference is the first row where got and want differ.
func firstDifference(got, want []string) string {
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			return fmt.Sprintf("row %d:\n got %s\nwant %s", i, g, w)
		}
	}
	return "none"
}

// TestEveryStrategyServesTheSameLine: with identical operators, which free operator takes a
// call does not change when calls are answered, so every strategy that never leaves a
// ready operator idle while a call waits gives exactly the same waits (the run checks that
// invariant at every step too).
func TestEveryStrategyServesTheSameLine(t *testing.T) {
	t.Parallel()
	var first Result
	for i, s := range cc.Strategies {
		cfg := load(8, 0.9, 1000, 3)
		cfg.WarmUp = 0
		cfg.Strategy = s
		r := run(t, cfg)
		if i == 0 {
			first = r
			continue
		}
		if r.ASA != first.ASA || r.PWait != first.PWait || r.ServiceLevel != first.ServiceLevel || r.Occupancy != first.Occupancy {
			t.Errorf("%s: asa %.6g p_wait %.6g sl %.6g occupancy %.6g; %s: %.6g %.6g %.6g %.6g",
				s, r.ASA, r.PWait, r.ServiceLevel, r.Occupancy, cc.Strategies[0], first.ASA, first.PWait, first.ServiceLevel, first.Occupancy)
		}
	}
}

// TestRingAllCancelsLegsNobodyMisses rings three operators at once for each call, their phones
// answered after different delays, with impatient callers, on the real store: the first leg to
// answer wins and the others are cancelled; every call is accounted for, no operator has a
// miss (Run checks that the marks count exactly the failed and expired offers), and the store
// holds the cancelled legs, nothing pending.
func TestRingAllCancelsLegsNobodyMisses(t *testing.T) {
	t.Parallel()
	cfg := load(9, 0.7, 400, 11)
	cfg.WarmUp = 0
	cfg.Strategy, cfg.RingAtOnce = cc.StrategyRingAll, 3
	cfg.AnswerDelay, cfg.AnswerSpread = 2*time.Second, 8*time.Second
	cfg.Patience = 2 * time.Minute
	cfg.WrapUp = 10 * time.Second
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "simulate.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cfg.Store, cfg.Batch = db, 50
	r := run(t, cfg)
	if r.LegsCancelled == 0 || r.Offers <= r.CallsAnswered+r.CallsAbandoned {
		t.Fatalf("%d legs cancelled, %d dials for %d calls: no call rang several at once", r.LegsCancelled, r.Offers, r.CallsOffered)
	}
	if r.OffersMissed != 0 {
		t.Errorf("%d offers missed: the simulated operators always answer in time", r.OffersMissed)
	}
	if r.CallsAnswered+r.CallsAbandoned != r.CallsOffered || r.CallsAbandoned == 0 {
		t.Errorf("answered %d + abandoned %d of %d calls", r.CallsAnswered, r.CallsAbandoned, r.CallsOffered)
	}
	// Every dial ended: answered (one a call), cancelled for another's answer, or stopped as
	// its caller left.
	if r.OffersCanceled < r.LegsCancelled || r.Offers != r.CallsAnswered+r.OffersCanceled {
		t.Errorf("%d dials, %d answered, %d canceled (%d of them beaten legs)", r.Offers, r.CallsAnswered, r.OffersCanceled, r.LegsCancelled)
	}
	rt, err := db.LoadRuntime(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rt.Calls) != 0 || len(rt.Offers) != 0 {
		t.Errorf("after the run the store holds %d calls and %d pending offers", len(rt.Calls), len(rt.Offers))
	}
	for _, st := range rt.Statuses {
		if st.State != cc.OperatorReady || st.Marks.OffersMissed != 0 {
			t.Errorf("operator %s stored %s with %d misses after the run", st.Operator, st.State, st.Marks.OffersMissed)
		}
	}
}

// TestRingAndWrapUp: the answer delay counts in every wait but not as waiting, and wrap-up
// counts as busy time.
func TestRingAndWrapUp(t *testing.T) {
	cfg := load(10, 0.5, 5000, 5)
	cfg.AnswerDelay = 8 * time.Second
	cfg.WrapUp = 30 * time.Second
	r := run(t, cfg)
	p := r.ErlangC
	if p == nil || p.Exact {
		t.Fatalf("want an approximate Erlang C prediction, got %+v", p)
	}
	if r.ASA < 8 || r.MaxWait < 8 {
		t.Errorf("asa %.3g s, longest wait %.3g s: every answer takes the 8 s ring", r.ASA, r.MaxWait)
	}
	// Busy: talk + wrap-up, λ·(AHT + wrap-up)/c; ring time is not busy.
	agrees(t, "occupancy", r.Occupancy, 0, p.Occupancy, 4/math.Sqrt(float64(r.CallsOffered))*p.Occupancy)
	if p.Occupancy <= 0.5 || r.PWait <= 0 || r.PWait > p.PWait*1.5 {
		t.Errorf("occupancy predicted %.3g (load 0.5 + wrap-up), p_wait %.3g vs approx. %.3g", p.Occupancy, r.PWait, p.PWait)
	}
}

func TestLognormalKeepsTheMean(t *testing.T) {
	t.Parallel()
	n := 20_000
	if raceDetector {
		n = 8000
	}
	cfg := load(10, 0.8, n, 9)
	cfg.HandleDist, cfg.Sigma = Lognormal, 1
	r := run(t, cfg)
	// σ = 1: the coefficient of variation is √(e−1) ≈ 1.31, so the mean of n draws has a
	// relative standard error of 1.31/√n; allow four of them.
	agrees(t, "aht_seconds", r.AHT, 0, aht.Seconds(), 4*1.31/math.Sqrt(float64(r.CallsAnswered))*aht.Seconds())
	if r.ErlangC == nil || r.ErlangC.Exact {
		t.Errorf("lognormal handle times: the Erlang C prediction must be marked approximate")
	}
}

func TestRefusesBadConfig(t *testing.T) {
	good := load(2, 0.5, 10, 1)
	for name, change := range map[string]func(*Config){
		"no operators":       func(c *Config) { c.Operators = 0 },
		"no calls per hour":  func(c *Config) { c.CallsPerHour = 0 },
		"no aht":             func(c *Config) { c.AHT = 0 },
		"no length":          func(c *Config) { c.Calls, c.Duration = 0, 0 },
		"negative patience":  func(c *Config) { c.Patience = -time.Second },
		"unknown dist":       func(c *Config) { c.HandleDist = "uniform" },
		"unknown strategy":   func(c *Config) { c.Strategy = "fastest_finger" },
		"ring one at once":   func(c *Config) { c.Strategy, c.RingAtOnce = cc.StrategyRingAll, 1 },
		"negative spread":    func(c *Config) { c.AnswerSpread = -time.Second },
		"ring beyond offer":  func(c *Config) { c.AnswerDelay, c.OfferTimeout = time.Minute, 30*time.Second },
		"warm-up too long":   func(c *Config) { c.Calls, c.Duration, c.WarmUp = 0, time.Hour, time.Hour },
		"negative wrap-up":   func(c *Config) { c.WrapUp = -time.Second },
		"negative sl":        func(c *Config) { c.SLThreshold = -time.Second },
		"negative sigma":     func(c *Config) { c.Sigma = -1 },
		"negative calls":     func(c *Config) { c.Calls = -1 },
		"infinite arrivals":  func(c *Config) { c.CallsPerHour = math.Inf(1) },
		"negative answering": func(c *Config) { c.AnswerDelay = -time.Second },
	} {
		cfg := good
		change(&cfg)
		if _, err := Run(context.Background(), cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestHoursStopArrivals: without --calls, arrivals stop at the end of the hours given and the
// calls in progress then are followed to their end.
func TestHoursStopArrivals(t *testing.T) {
	cfg := load(5, 0.8, 0, 11)
	cfg.WarmUp = 0
	cfg.Duration = 4 * time.Hour
	r := run(t, cfg)
	if r.SimulatedSeconds != 4*3600 {
		t.Errorf("simulated %v s, want 4 h", r.SimulatedSeconds)
	}
	want := cfg.CallsPerHour * 4 // Poisson: standard deviation √want
	if math.Abs(float64(r.CallsOffered)-want) > 4*math.Sqrt(want) {
		t.Errorf("%d arrivals in 4 h at %g/h", r.CallsOffered, cfg.CallsPerHour)
	}
}

// TestSpareNumbersShortenWaits: with spare numbers after 60 s, no call waits much longer than
// that, some calls go to spares, and the waits are shorter than without them.
func TestSpareNumbersShortenWaits(t *testing.T) {
	base := Config{Operators: 10, CallsPerHour: 190, AHT: 3 * time.Minute, Calls: 3000, Seed: 3, SLThreshold: 20 * time.Second}
	without, err := Run(t.Context(), base)
	if err != nil {
		t.Fatal(err)
	}
	with := base
	with.Spares, with.OverflowAfter = 3, 60*time.Second
	r, err := Run(t.Context(), with)
	if err != nil {
		t.Fatal(err)
	}
	if r.CallsToSpares == 0 || r.CallsAnswered != r.CallsOffered {
		t.Fatalf("with spares: %d answered of %d, %d by spares", r.CallsAnswered, r.CallsOffered, r.CallsToSpares)
	}
	if r.ASA >= without.ASA || r.MaxWait >= without.MaxWait {
		t.Fatalf("spares did not shorten waits: ASA %.1f vs %.1f s, longest %.0f vs %.0f s", r.ASA, without.ASA, r.MaxWait, without.MaxWait)
	}
	t.Logf("ASA %.1f → %.1f s, longest wait %.0f → %.0f s, %d calls (%.1f%%) to spares", without.ASA, r.ASA, without.MaxWait, r.MaxWait, r.CallsToSpares, 100*float64(r.CallsToSpares)/float64(r.CallsAnswered))
}

// TestPersonalManagers: clients' calls mostly reach their manager; waiting longer for him
// reaches him more often.
func TestPersonalManagers(t *testing.T) {
	base := Config{Operators: 10, CallsPerHour: 160, AHT: 3 * time.Minute, Calls: 2000, Seed: 5, SLThreshold: 20 * time.Second, ClientShare: 0.5}
	short, long := base, base
	short.ManagerWait, long.ManagerWait = time.Second, 2*time.Minute
	rs, err := Run(t.Context(), short)
	if err != nil {
		t.Fatal(err)
	}
	rl, err := Run(t.Context(), long)
	if err != nil {
		t.Fatal(err)
	}
	if rs.ClientCalls < 800 || rl.ClientCalls != rs.ClientCalls {
		t.Fatalf("client calls: %d and %d of 2000", rs.ClientCalls, rl.ClientCalls)
	}
	if rl.ManagerReached <= rs.ManagerReached || rl.ManagerReached < rl.ClientCalls/2 {
		t.Fatalf("manager reached %d (wait 1 s) vs %d (wait 2 min) of %d", rs.ManagerReached, rl.ManagerReached, rl.ClientCalls)
	}
	t.Logf("manager reached: %d/%d waiting 1 s (ASA %.1f s), %d/%d waiting 2 min (ASA %.1f s)", rs.ManagerReached, rs.ClientCalls, rs.ASA, rl.ManagerReached, rl.ClientCalls, rl.ASA)
}

// TestCapsSendCallsToTheExit: under overload a cap of calls waiting and a longest wait send
// calls to the queue's exit (a message; the call ends) through the real engine: every call is
// answered or exited, no answered call waited past the longest wait, and a tighter cap exits
// more.
func TestCapsSendCallsToTheExit(t *testing.T) {
	base := load(5, 1.3, 3000, 7)
	base.WarmUp = 0
	capped := base
	capped.MaxWaiting, capped.LongestWait = 10, 2*time.Minute
	r := run(t, capped)
	if r.CallsExited == 0 || r.CallsAnswered+r.CallsExited != r.CallsOffered || r.CallsAbandoned != 0 {
		t.Fatalf("offered %d: answered %d, exited %d, abandoned %d", r.CallsOffered, r.CallsAnswered, r.CallsExited, r.CallsAbandoned)
	}
	if r.MaxWait > capped.LongestWait.Seconds() {
		t.Errorf("an answered call waited %.0f s, past the longest wait %s", r.MaxWait, capped.LongestWait)
	}
	tighter := capped
	tighter.MaxWaiting = 3
	if r2 := run(t, tighter); r2.CallsExited <= r.CallsExited || r2.ASA >= r.ASA {
		t.Errorf("a cap of 3: exited %d (ASA %.0f s); of 10: exited %d (ASA %.0f s)", r2.CallsExited, r2.ASA, r.CallsExited, r.ASA)
	}
	t.Logf("cap 10, longest wait 2m: %d of %d calls exited, ASA %.0f s", r.CallsExited, r.CallsOffered, r.ASA)
}

// TestCallbacksKeepThePlace: under overload a queue offers callbacks after a minute's wait and
// half the callers offered accept, through the real engine with the simulator playing the
// dialer. Every arrival is answered, abandoned, exited or became a callback, and every
// callback was connected or given up (some customers do not answer: their attempts are tried
// again, up to the queue's three); the store's tallies count the same callbacks.
func TestCallbacksKeepThePlace(t *testing.T) {
	t.Parallel()
	cfg := load(4, 1.1, 400, 11)
	cfg.WarmUp = 0
	cfg.Patience = 5 * time.Minute
	cfg.AnswerDelay = 3 * time.Second
	cfg.WrapUp = 10 * time.Second
	cfg.CallbackAfter, cfg.CallbackTakeUp, cfg.CallbackNoAnswer = time.Minute, 0.5, 0.4
	cfg.CallbackRetryAfter = 2 * time.Minute
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "simulate.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cfg.Store, cfg.Batch = db, 50
	r := run(t, cfg)
	t.Logf("offered %d: answered %d, abandoned %d, exited %d, callbacks %d (connected %d, given up %d, %d attempts failed); ASA %.0f s, occupancy %.2f",
		r.CallsOffered, r.CallsAnswered, r.CallsAbandoned, r.CallsExited, r.CallbacksRequested, r.CallbacksConnected, r.CallbacksGivenUp, r.CallbackAttemptsFailed, r.ASA, r.Occupancy)
	if r.CallsAnswered+r.CallsAbandoned+r.CallsExited+r.CallbacksRequested != r.CallsOffered {
		t.Errorf("offered %d ≠ answered %d + abandoned %d + exited %d + callbacks %d", r.CallsOffered, r.CallsAnswered, r.CallsAbandoned, r.CallsExited, r.CallbacksRequested)
	}
	if r.CallbacksConnected+r.CallbacksGivenUp != r.CallbacksRequested {
		t.Errorf("callbacks %d ≠ connected %d + given up %d", r.CallbacksRequested, r.CallbacksConnected, r.CallbacksGivenUp)
	}
	if r.CallbacksRequested == 0 || r.CallbacksConnected == 0 || r.CallbacksGivenUp == 0 || r.CallbackAttemptsFailed < 3*r.CallbacksGivenUp {
		t.Errorf("the run does not exercise callbacks: %+v", r)
	}
	tallies, err := db.Tallies(ctx, cc.ScopeQueue, "sim", Epoch.Add(-time.Hour), Epoch.Add(1000*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var s cc.Figures
	for _, tl := range tallies {
		s.Add(tl.Figures)
	}
	if int(s.CallbacksRequested) != r.CallbacksRequested || int(s.CallbacksConnected) != r.CallbacksConnected || int(s.CallbacksGivenUp) != r.CallbacksGivenUp || int(s.CallbackAttemptsFailed) != r.CallbackAttemptsFailed {
		t.Errorf("stored callbacks requested %d, connected %d, given up %d, attempts failed %d; simulated %d, %d, %d, %d",
			s.CallbacksRequested, s.CallbacksConnected, s.CallbacksGivenUp, s.CallbackAttemptsFailed, r.CallbacksRequested, r.CallbacksConnected, r.CallbacksGivenUp, r.CallbackAttemptsFailed)
	}
	// A caller who accepted a callback is not a received call: the callback serves him.
	if int(s.CallsReceived) != r.CallsOffered-r.CallbacksRequested || int(s.CallsAnswered) != r.CallsAnswered || int(s.CallsAbandoned) != r.CallsAbandoned {
		t.Errorf("stored received %d answered %d abandoned %d; simulated %d (less %d callbacks), %d, %d",
			s.CallsReceived, s.CallsAnswered, s.CallsAbandoned, r.CallsOffered, r.CallbacksRequested, r.CallsAnswered, r.CallsAbandoned)
	}
}

// TestCallbackOfferNobodyTakesChangesNothing: a queue that offers callbacks nobody accepts
// runs as one that offers none (same seed): the offers are made (Tick steps of their own) but
// every call's outcome is the same.
func TestCallbackOfferNobodyTakesChangesNothing(t *testing.T) {
	t.Parallel()
	cfg := load(5, 0.95, 1500, 3)
	cfg.WarmUp = 0
	cfg.Patience = 3 * time.Minute
	cfg.AnswerDelay = 2 * time.Second
	plain := run(t, cfg)
	cfg.CallbackAfter, cfg.CallbackNoAnswer = 30*time.Second, 0.5
	offered := run(t, cfg)
	if offered.Steps <= plain.Steps {
		t.Errorf("%d steps with callback offers, %d without: the offers were not made", offered.Steps, plain.Steps)
	}
	offered.Steps, plain.Steps = 0, 0
	if !reflect.DeepEqual(offered, plain) {
		t.Fatalf("offers nobody took changed the run:\n%+v\n%+v", offered, plain)
	}
}
