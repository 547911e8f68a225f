package erlang

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// StaffingInput is a staffing question: this traffic, this target, how many operators?
type StaffingInput struct {
	CallsPerHour float64
	AHT          time.Duration // average handle time: talk + wrap-up
	// Target is the share of calls (0 < Target < 1) to answer within Threshold.
	Target    float64
	Threshold time.Duration
	// Patience is the callers' mean patience; when positive, Erlang A figures are given too.
	Patience time.Duration
	// ExtraRows is how many rows past the operators needed to report (0: DefaultExtraRows).
	ExtraRows int
}

// DefaultExtraRows is how many rows past the operators needed Staffing reports by default.
const DefaultExtraRows = 3

// Limits of a staffing question, so an answer stays quick and small.
const (
	MaxStaffingErlangs   = 5000
	MaxStaffingExtraRows = 200
)

// StaffingRow is one number of operators and what it gives.
type StaffingRow struct {
	Operators int
	// Erlang C (callers never give up).
	PWait        float64
	ServiceLevel float64
	ASA          float64 // seconds, over all callers
	Occupancy    float64 // offered load / operators
	// Erlang A, when the input has a patience.
	ErlangA *StaffingRowA
}

// StaffingRowA are Erlang A's figures for a row. ServiceLevel counts abandoned callers
// against it (the default rule): answered within the threshold over all callers.
type StaffingRowA struct {
	AbandonRate  float64
	ServiceLevel float64
}

// StaffingPlan answers a StaffingInput.
type StaffingPlan struct {
	Traffic float64 // offered load in erlangs: calls per hour × AHT / 3600
	// Needed is the fewest operators more than Traffic whose Erlang C service level reaches
	// the target.
	Needed int
	// NeededErlangA is the fewest operators whose Erlang A service level reaches the target
	// (0 without a patience).
	NeededErlangA int
	// Rows run from ⌊Traffic⌋+1, the fewest operators that keep the line from growing without
	// bound, to Needed + ExtraRows.
	Rows []StaffingRow
}

// Staffing answers in with Erlang C and, when in has a patience, Erlang A. The errors name
// the input at fault, as "calls_per_hour: ...".
func Staffing(in StaffingInput) (StaffingPlan, error) {
	switch {
	case !(in.CallsPerHour > 0) || math.IsInf(in.CallsPerHour, 0):
		return StaffingPlan{}, errors.New("calls_per_hour: must be positive")
	case in.AHT <= 0:
		return StaffingPlan{}, errors.New("aht: must be positive")
	case !(in.Target > 0 && in.Target < 1):
		return StaffingPlan{}, errors.New("target: must be between 0 and 1, both excluded")
	case in.Threshold <= 0:
		return StaffingPlan{}, errors.New("threshold: must be positive")
	case in.Patience < 0:
		return StaffingPlan{}, errors.New("patience: must not be negative")
	case in.ExtraRows < 0 || in.ExtraRows > MaxStaffingExtraRows:
		return StaffingPlan{}, fmt.Errorf("extra_rows: must be 0 to %d", MaxStaffingExtraRows)
	}
	extra := in.ExtraRows
	if extra == 0 {
		extra = DefaultExtraRows
	}
	// The load from the product, not λ/μ, so that 200 calls of 180 s are 10 erlangs exactly.
	a := in.CallsPerHour * in.AHT.Seconds() / 3600
	lambda := in.CallsPerHour / 3600
	mu := 1 / in.AHT.Seconds()
	if a > MaxStaffingErlangs {
		return StaffingPlan{}, fmt.Errorf("calls_per_hour: %.0f calls an hour of %s make %.0f erlangs, more than the %d this answers for", in.CallsPerHour, in.AHT, a, MaxStaffingErlangs)
	}
	plan := StaffingPlan{Traffic: a}
	first := int(math.Floor(a)) + 1

	// Erlang C: the service level rises with every operator past the load, and reaches any
	// target below 1 (P(wait) falls faster than geometrically).
	for c := first; ; c++ {
		p, err := C(c, lambda, mu)
		if err != nil {
			return StaffingPlan{}, err
		}
		if p.ServiceLevel(in.Threshold) >= in.Target {
			plan.Needed = c
			break
		}
		if c > first+maxSearch {
			return StaffingPlan{}, errors.New("target: not reachable")
		}
	}

	var theta float64
	if in.Patience > 0 {
		theta = 1 / in.Patience.Seconds()
		n, err := neededErlangA(lambda, mu, theta, in.Threshold, in.Target, plan.Needed)
		if err != nil {
			return StaffingPlan{}, err
		}
		plan.NeededErlangA = n
	}

	for c := first; c <= plan.Needed+extra; c++ {
		p, err := C(c, lambda, mu)
		if err != nil {
			return StaffingPlan{}, err
		}
		row := StaffingRow{Operators: c, PWait: p.PWait, ServiceLevel: p.ServiceLevel(in.Threshold), ASA: p.ASA, Occupancy: a / float64(c)}
		if theta > 0 {
			pa, sl, err := AServiceLevel(c, lambda, mu, theta, in.Threshold)
			if err != nil {
				return StaffingPlan{}, err
			}
			row.ErlangA = &StaffingRowA{AbandonRate: pa.PAbandon, ServiceLevel: sl}
		}
		plan.Rows = append(plan.Rows, row)
	}
	return plan, nil
}

// maxSearch bounds the searches for a number of operators past the load; targets below 1 are
// met long before (tens of operators for thousands of erlangs).
const maxSearch = 100_000

// neededErlangA is the fewest operators whose Erlang A service level reaches target. The
// service level rises with the operators (more servers empty the line faster), so a binary
// search does, between 1 and an upper bound found by doubling from hint.
func neededErlangA(lambda, mu, theta float64, threshold time.Duration, target float64, hint int) (int, error) {
	meets := func(c int) (bool, error) {
		_, sl, err := AServiceLevel(c, lambda, mu, theta, threshold)
		return sl >= target, err
	}
	hi := max(hint, 1)
	for {
		ok, err := meets(hi)
		if err != nil {
			return 0, err
		}
		if ok {
			break
		}
		if hi > maxSearch {
			return 0, errors.New("target: not reachable")
		}
		hi *= 2
	}
	lo := 0 // lo fails (or is no operator at all), hi meets the target
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		ok, err := meets(mid)
		if err != nil {
			return 0, err
		}
		if ok {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, nil
}

// AServiceLevel returns Erlang A's prediction for c servers and the share of all
// callers answered within t (abandons count against it).
//
// A caller who finds every server busy and k others in line waits through k+1 phases: with j
// callers ahead of him the line moves at rate cμ + jθ, and he leaves at rate θ, so each phase
// lasts an exponential time of rate r_j = cμ + (j+1)θ whatever ends it. He is served with
// probability cμ/(cμ + (k+1)θ) (see A), and given that, his wait is the sum S_k of the
// phases, independent exponentials of rates cμ+θ, cμ+2θ, …, cμ+(k+1)θ. That sum is the
// (k+1)-th smallest of k+1+cμ/θ independent exponentials of rate θ (Rényi's representation),
// extended to a fractional count: with p = 1 − e^{−θt} and b = cμ/θ + 1,
//
//	P(S_k ≤ t) = I_p(k+1, b) = 1 − Σ_{j=0..k} NB(j),  NB(j) = Γ(b+j)/(Γ(b) j!) · (1−p)^b p^j,
//
// the negative binomial's tail (its Laplace transform, E[(1−U)^{s/θ}] for U ~ Beta(k+1, b),
// is Π (cμ+iθ)/(cμ+iθ+s)). The terms are summed in logarithms, so long thresholds do not
// underflow.
func AServiceLevel(c int, lambda, mu, theta float64, t time.Duration) (APrediction, float64, error) {
	pa, err := A(c, lambda, mu, theta)
	if err != nil {
		return APrediction{}, 0, err
	}
	cmu := float64(c) * mu
	// The stationary distribution again, relative to π_c = 1 (as in A).
	below := 1 / erlangB(c, lambda/mu)
	total := below
	immediate := below - 1 // arrivals that find a free server
	var within float64     // Σ_k π_{c+k} · P(served | k) · P(S_k ≤ t)

	secs := t.Seconds()
	logP := math.Log(-math.Expm1(-theta * secs)) // log p
	b := cmu/theta + 1
	logNB := -(cmu + theta) * secs // log NB(0) = b·log(1−p)
	cdf := 0.0                     // Σ_{j≤k} NB(j)
	w := 1.0                       // π_{c+k}
	for k := 0; ; k++ {
		cdf += math.Exp(logNB)
		inTime := max(0, 1-cdf)
		within += w * cmu / (cmu + float64(k+1)*theta) * inTime
		if k > 0 {
			total += w
		}
		logNB += logP + math.Log((b+float64(k))/float64(k+1))
		next := w * lambda / (cmu + float64(k+1)*theta)
		if next < 1e-17*total && next < w {
			break
		}
		if k > 10_000_000 {
			return APrediction{}, 0, errors.New("erlang a: the queue's distribution does not converge")
		}
		w = next
	}
	return pa, (immediate + within) / total, nil
}
