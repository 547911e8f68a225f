// Package erlang holds queueing theory for call centers: Erlang C (callers who wait for ever),
// Erlang A (callers with exponential patience), and the staffing question they answer: how many
// operators this traffic needs to meet a service level.
package erlang

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// CPrediction is what queueing theory says an M/M/c queue does: Poisson arrivals,
// exponential service, c servers, callers who never give up, first come first served.
type CPrediction struct {
	Servers int     `json:"servers"`
	Lambda  float64 `json:"lambda_per_second"` // arrival rate
	Mu      float64 `json:"mu_per_second"`     // service rate of one server
	Load    float64 `json:"offered_erlangs"`   // λ/μ
	// PWait is the probability that a caller waits at all (the Erlang C formula).
	PWait float64 `json:"p_wait"`
	// ASA is the mean wait in seconds over all callers: PWait / (cμ − λ).
	ASA float64 `json:"asa_seconds"`
}

// C returns the M/M/c prediction for c servers, arrival rate lambda and service rate mu
// (both per second). The queue must be stable: lambda < c·mu.
//
// P(wait) is computed from the Erlang B recursion B(0)=1, B(k)=A·B(k−1)/(k+A·B(k−1)) and
// C = c·B/(c − A(1−B)) with A = λ/μ, which stays accurate for hundreds of servers where the
// textbook sum of A^k/k! overflows (Cooper, Introduction to Queueing Theory, 2nd ed., §3.4–3.5).
func C(c int, lambda, mu float64) (CPrediction, error) {
	if err := checkRates(c, lambda, mu); err != nil {
		return CPrediction{}, err
	}
	a := lambda / mu
	if a >= float64(c) {
		return CPrediction{}, fmt.Errorf("erlang c: offered load %.3g erlangs needs more than %d servers (the queue grows without bound)", a, c)
	}
	b := erlangB(c, a)
	pw := float64(c) * b / (float64(c) - a*(1-b))
	return CPrediction{
		Servers: c, Lambda: lambda, Mu: mu, Load: a,
		PWait: pw,
		ASA:   pw / (float64(c)*mu - lambda),
	}, nil
}

// ServiceLevel is the share of callers answered within t: 1 − P(wait)·e^{−(cμ−λ)t}.
func (p CPrediction) ServiceLevel(t time.Duration) float64 {
	if t < 0 {
		return 0
	}
	return 1 - p.PWait*math.Exp(-(float64(p.Servers)*p.Mu-p.Lambda)*t.Seconds())
}

// erlangB is the blocking probability of c servers offered a erlangs, by the stable recursion.
func erlangB(c int, a float64) float64 {
	b := 1.0
	for k := 1; k <= c; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return b
}

// APrediction is what queueing theory says an M/M/c+M queue (Palm's model, "Erlang A")
// does: as Erlang C, but each waiting caller hangs up after an exponential patience with
// rate θ. It is stable at any load.
type APrediction struct {
	Servers int     `json:"servers"`
	Lambda  float64 `json:"lambda_per_second"`
	Mu      float64 `json:"mu_per_second"`
	Theta   float64 `json:"theta_per_second"` // 1 / mean patience
	// PWait is the probability that an arriving caller finds every server busy.
	PWait float64 `json:"p_wait"`
	// PAbandon is the probability that a caller hangs up before being served.
	PAbandon float64 `json:"p_abandon"`
	// PWaitServed is the share of served callers who waited (what the simulator calls p_wait).
	PWaitServed float64 `json:"p_wait_served"`
	// ASA is the mean wait in seconds of served callers.
	ASA float64 `json:"asa_seconds"`
	// MeanWait is the mean time in seconds all callers spend in line, served or not: E[Q]/λ.
	MeanWait float64 `json:"mean_wait_seconds"`
}

// A returns the M/M/c+M prediction for c servers, arrival rate lambda, service rate mu
// and patience rate theta (all per second, theta > 0).
//
// It is computed exactly from the model's birth–death chain rather than from the closed forms
// with incomplete gamma functions (Garnett, Mandelbaum & Reiman, "Designing a Call Center with
// Impatient Customers", M&SOM 4(3), 2002; Mandelbaum & Zeltyn, "The Palm/Erlang-A Queue, with
// Applications to Call Centers", 2007), which give the same numbers:
//
//   - states n = 0, 1, …; birth rate λ; death rate min(n,c)·μ + max(n−c,0)·θ;
//   - π_n for n ≤ c relative to π_c sum to 1/B(c, λ/μ) (Erlang B), and above c
//     π_{c+k} = π_c · Π_{j=1..k} λ/(cμ + jθ), summed until the terms vanish;
//   - an arrival sees the stationary state (PASTA); P(wait) = P(n ≥ c);
//   - a caller who finds k others in line is served with probability cμ/(cμ + (k+1)θ): in each
//     phase with j callers ahead the line moves at rate cμ + jθ and he leaves at rate θ (the
//     product telescopes); his expected wait, counted when served, is that probability times
//     Σ_{j=0..k} 1/(cμ + (j+1)θ);
//   - P(abandon) = θ·E[queue]/λ, which the test checks against the sum over arrivals.
func A(c int, lambda, mu, theta float64) (APrediction, error) {
	if err := checkRates(c, lambda, mu); err != nil {
		return APrediction{}, err
	}
	if !(theta > 0) || math.IsInf(theta, 0) {
		return APrediction{}, fmt.Errorf("erlang a: patience rate %v must be positive and finite", theta)
	}
	cmu := float64(c) * mu
	// Weights relative to π_c = 1. Below c they add up to 1/B, π_c included.
	below := 1 / erlangB(c, lambda/mu)
	var (
		total        = below
		wait         = 1.0 // Σ_{k≥0} π_{c+k}
		queue        = 0.0 // Σ k·π_{c+k}
		served       = below - 1
		servedWaited = 0.0 // Σ π_{c+k}·P(served | k)
		servedWait   = 0.0 // Σ π_{c+k}·E[wait; served | k]
		w            = 1.0 // π_{c+k}
		phaseSum     = 0.0 // Σ_{j=0..k} 1/(cμ+(j+1)θ)
	)
	for k := 0; ; k++ {
		phaseSum += 1 / (cmu + float64(k+1)*theta)
		ps := cmu / (cmu + float64(k+1)*theta)
		served += w * ps
		servedWaited += w * ps
		servedWait += w * ps * phaseSum
		if k > 0 {
			total += w
			wait += w
			queue += float64(k) * w
		}
		next := w * lambda / (cmu + float64(k+1)*theta)
		if next < 1e-17*total && next < w {
			break
		}
		if k > 10_000_000 {
			return APrediction{}, errors.New("erlang a: the queue's distribution does not converge")
		}
		w = next
	}
	p := APrediction{
		Servers: c, Lambda: lambda, Mu: mu, Theta: theta,
		PWait:    wait / total,
		PAbandon: theta * (queue / total) / lambda,
		MeanWait: (queue / total) / lambda,
	}
	if served > 0 {
		p.PWaitServed = servedWaited / served
		p.ASA = servedWait / served
	}
	return p, nil
}

func checkRates(c int, lambda, mu float64) error {
	switch {
	case c < 1:
		return fmt.Errorf("erlang: %d servers: need at least one", c)
	case !(lambda > 0) || math.IsInf(lambda, 0):
		return fmt.Errorf("erlang: arrival rate %v must be positive and finite", lambda)
	case !(mu > 0) || math.IsInf(mu, 0):
		return fmt.Errorf("erlang: service rate %v must be positive and finite", mu)
	}
	return nil
}
