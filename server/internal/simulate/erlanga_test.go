package simulate

import (
	"math"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/erlang"
)

// TestErlangAServiceLevelBySimulation checks the Erlang A service level (abandons counted
// against it) against the simulator, where the model is exact: exponential talk and patience,
// no ring or wrap-up.
func TestErlangAServiceLevelBySimulation(t *testing.T) {
	calls := 100_000
	if raceDetector || testing.Short() {
		calls = 40_000
	}
	cfg := Config{Operators: 11, CallsPerHour: 200, AHT: 180 * time.Second, Patience: 60 * time.Second,
		SLThreshold: 20 * time.Second, Calls: calls, Seed: 7, WarmUp: time.Hour}
	r, err := Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, sl, err := erlang.AServiceLevel(11, 200.0/3600, 1.0/180, 1.0/60, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	measured := r.ServiceLevel * float64(r.CallsAnswered) / float64(r.CallsOffered)
	if tol := 3*r.CI95.ServiceLevel + 0.005; math.Abs(measured-sl) > tol {
		t.Errorf("service level of all callers = %.6g, want %.6g ± %.2g", measured, sl, tol)
	}
	t.Logf("simulated %.4f ± %.4f, Erlang A %.4f", measured, r.CI95.ServiceLevel, sl)
}
