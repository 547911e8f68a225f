package erlang

import (
	"math"
	"testing"
	"time"
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.6g, want %.6g ± %.2g", what, got, want, tol)
	}
}

// TestErlangCTextbook checks the Erlang C formula against values worked by hand or printed.
func TestErlangCTextbook(t *testing.T) {
	tests := []struct {
		name           string
		c              int
		lambda, mu     float64
		within         time.Duration
		pWait, asa, sl float64
		tol            float64
	}{
		// M/M/1: P(wait) = ρ, mean wait ρ/(μ−λ), P(W ≤ t) = 1 − ρe^{−(μ−λ)t}.
		{name: "M/M/1 ρ=0.5", c: 1, lambda: 0.5, mu: 1, within: time.Second, pWait: 0.5, asa: 1, sl: 1 - 0.5*math.Exp(-0.5), tol: 1e-12},
		// M/M/2: P(wait) = 2ρ²/(1+ρ); ρ = 0.5 gives 1/3, mean wait 1/3 / (2μ−λ).
		{name: "M/M/2 ρ=0.5", c: 2, lambda: 1, mu: 1, within: 0, pWait: 1.0 / 3, asa: 1.0 / 3, sl: 1 - 1.0/3, tol: 1e-12},
		// Call Centre Helper, "Erlang C Formula – Made Simple": 100 calls in 30 minutes, AHT
		// 180 s (10 erlangs), 11 agents: P(wait) 68.21% and ASA = 0.6821 × 180 / (11 − 10) =
		// 122.8 s; answered within 20 s: 1 − 0.6821·e^{−(11−10)·20/180} = 38.96%.
		{name: "Call Centre Helper, 11 agents", c: 11, lambda: 100.0 / 1800, mu: 1.0 / 180, within: 20 * time.Second, pWait: 0.6821, asa: 122.8, sl: 0.3896, tol: 1e-4},
		// Three erlangs on five servers, the value printed in Erlang C tables: 0.2362.
		{name: "table: 3 erlangs, 5 servers", c: 5, lambda: 3, mu: 1, within: 0, pWait: 0.2362, asa: 0.2362 / 2, sl: 1 - 0.2362, tol: 1e-4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := C(tc.c, tc.lambda, tc.mu)
			if err != nil {
				t.Fatal(err)
			}
			near(t, "P(wait)", p.PWait, tc.pWait, tc.tol)
			near(t, "ASA", p.ASA, tc.asa, 2*math.Max(tc.tol, tc.asa*tc.tol))
			near(t, "service level", p.ServiceLevel(tc.within), tc.sl, tc.tol)
		})
	}
}

// TestErlangCAgainstTheSum checks the recursion against the textbook sum of A^k/k! where the
// sum is still accurate.
func TestErlangCAgainstTheSum(t *testing.T) {
	for _, c := range []int{1, 2, 5, 10, 30, 60} {
		for _, rho := range []float64{0.1, 0.5, 0.85, 0.95, 0.99} {
			a := rho * float64(c)
			term, below := 1.0, 0.0
			for k := 0; k < c; k++ {
				below += term
				term *= a / float64(k+1)
			}
			top := term * float64(c) / (float64(c) - a) // A^c/c! · c/(c−A)
			want := top / (below + top)
			p, err := C(c, a/180, 1.0/180)
			if err != nil {
				t.Fatal(err)
			}
			near(t, "P(wait)", p.PWait, want, 1e-9)
		}
	}
}

func TestErlangCRefusesAnUnstableQueue(t *testing.T) {
	for _, tc := range []struct {
		c          int
		lambda, mu float64
	}{{10, 10, 1}, {10, 11, 1}, {0, 1, 1}, {1, 0, 1}, {1, 1, 0}, {1, math.NaN(), 1}} {
		if _, err := C(tc.c, tc.lambda, tc.mu); err == nil {
			t.Errorf("C(%d, %v, %v) gave no error", tc.c, tc.lambda, tc.mu)
		}
	}
}

// TestErlangA checks the limits Erlang A must meet.
func TestErlangA(t *testing.T) {
	t.Run("patience equal to the handle time is an M/M/∞ queue", func(t *testing.T) {
		// With θ = μ every caller in the system leaves at rate μ whether served or not, so
		// the number in the system is Poisson(A): P(wait) = P(N ≥ c) and, as abandonment is θ
		// times the mean line, P(abandon) = E[(N−c)⁺]/A.
		for _, tc := range []struct {
			c int
			a float64
		}{{1, 0.5}, {10, 8}, {10, 12}, {50, 45}} {
			mu := 1.0 / 180
			p, err := A(tc.c, tc.a*mu, mu, mu)
			if err != nil {
				t.Fatal(err)
			}
			pn, wait, excess := math.Exp(-tc.a), 0.0, 0.0
			for n := 0; n < 1000; n++ {
				if n >= tc.c {
					wait += pn
					excess += float64(n-tc.c) * pn
				}
				pn *= tc.a / float64(n+1)
			}
			near(t, "P(wait)", p.PWait, wait, 1e-9)
			near(t, "P(abandon)", p.PAbandon, excess/tc.a, 1e-9)
		}
	})
	t.Run("infinite patience is Erlang C", func(t *testing.T) {
		mu := 1.0 / 180
		for _, rho := range []float64{0.5, 0.85, 0.95} {
			c, err := C(10, 10*rho*mu, mu)
			if err != nil {
				t.Fatal(err)
			}
			a, err := A(10, 10*rho*mu, mu, 1e-12)
			if err != nil {
				t.Fatal(err)
			}
			near(t, "P(wait)", a.PWait, c.PWait, 1e-6)
			near(t, "P(wait | served)", a.PWaitServed, c.PWait, 1e-6)
			near(t, "ASA", a.ASA, c.ASA, c.ASA*1e-5)
			near(t, "P(abandon)", a.PAbandon, 0, 1e-6)
		}
	})
	t.Run("the two ways to count abandonment agree", func(t *testing.T) {
		// θ·E[Q]/λ (PAbandon) against the share of arrivals who are not served, which the
		// function sums from the other side: 1 − P(abandon) = P(served), and served callers
		// either did not wait (P(no wait)) or waited and were served.
		mu := 1.0 / 180
		for _, tc := range []struct{ c, rho, patience float64 }{{10, 0.9, 60}, {10, 1.3, 300}, {3, 0.5, 30}} {
			p, err := A(int(tc.c), tc.c*tc.rho*mu, mu, 1/tc.patience)
			if err != nil {
				t.Fatal(err)
			}
			served := 1 - p.PAbandon
			// P(served and waited) = P(wait | served) · P(served) must leave P(no wait).
			near(t, "P(served, no wait)", served-p.PWaitServed*served, 1-p.PWait, 1e-9)
		}
	})
}
