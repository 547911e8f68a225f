package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/routing"
)

// EngineResult is phase 4: the routing engine alone on a big center.
type EngineResult struct {
	Operators  int     `json:"operators"`
	Queues     int     `json:"queues"`
	Waiting    int     `json:"calls_waiting"`
	Decisions  int     `json:"decisions"`
	P50        float64 `json:"decision_p50_us"`
	P99        float64 `json:"decision_p99_us"`
	SetupSecs  float64 `json:"setup_seconds"`
	PerOpP99NS float64 `json:"p99_ns_per_operator"`
	// RingAll: the same decisions in the same center with ring_all queues (five at once):
	// under load a freed operator is rung alone for the first call in line.
	RingAllP50 float64 `json:"ring_all_decision_p50_us"`
	RingAllP99 float64 `json:"ring_all_decision_p99_us"`
	// Arrivals: a call arrives while operators are free (FreeOperators of them, no line): the
	// intake's decision rings one of them (longest_idle) or five at once (ring_all); then
	// one answers and another operator's call ends, so as many stay free.
	FreeOperators      int     `json:"free_operators"`
	ArrivalP99         float64 `json:"arrival_decision_p99_us"`
	RingAllArrivalP99  float64 `json:"ring_all_arrival_decision_p99_us"`
	RingAllArrivalLegs float64 `json:"ring_all_arrival_legs"` // operators rung per arrival, on average
}

// freeAtArrivals is how many operators of the big center are free in the arrival cases.
const freeAtArrivals = 500

// bigCenter builds an engine with ops operators (each serving 3 of the queues, levels 1–5,
// present) in queues of strategy s (ring_all rings five at once), every one of them on a call
// but free of them, and waiting more calls in line (with free > 0: none).
func bigCenter(ops, queues, waiting, free int, s cc.Strategy) (*routing.Engine, []cc.OperatorID, time.Time, error) {
	n := 0
	e := routing.New(routing.Config{NewID: func(p string) string { n++; return fmt.Sprintf("%s_%09d", p, n) }})
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for q := range queues {
		rules := cc.DefaultRules()
		rules.OptIn = false
		if _, err := e.CreateQueue(now, cc.Queue{ID: cc.QueueID(fmt.Sprintf("q%02d", q)), Name: fmt.Sprintf("Q%d", q),
			DialedNumbers: []string{fmt.Sprintf("+1800556%04d", q)}, Strategy: s, RingAtOnce: 5,
			OfferTimeout: 20 * time.Second, IsDefault: q == 0, Priority: q % 3, Rules: rules}); err != nil {
			return nil, nil, now, err
		}
	}
	ids := make([]cc.OperatorID, ops)
	for i := range ops {
		ids[i] = cc.OperatorID(fmt.Sprintf("op_%05d", i))
		op := cc.Operator{ID: ids[i], Name: fmt.Sprintf("op%05d", i), Contact: cc.Contact{Kind: cc.ContactUser, Target: fmt.Sprintf("op%05d", i)}}
		for k := range 3 {
			op.Queues = append(op.Queues, cc.QueueSkill{Queue: cc.QueueID(fmt.Sprintf("q%02d", (i+k*7)%queues)), Level: 1 + (i+k)%5})
		}
		if _, err := e.CreateOperator(now, op); err != nil {
			return nil, nil, now, err
		}
		if _, err := e.Connect(now, ids[i]); err != nil {
			return nil, nil, now, err
		}
	}
	calls := 0
	intake := func() (cc.Changes, error) {
		calls++
		_, ch, err := e.Intake(now, cc.Intake{SessionID: fmt.Sprint(calls), AccessURL: "http://127.0.0.1:1/s",
			CallerNumber: fmt.Sprintf("+1555%07d", calls), DialedNumber: fmt.Sprintf("+1800556%04d", calls%queues)})
		return ch, err
	}
	// Every operator (but the free) takes a call: ready, offered, answered.
	for _, id := range ids {
		now = now.Add(time.Millisecond)
		if _, err := e.GoReady(now, id); err != nil {
			return nil, nil, now, err
		}
	}
	taken := ops + waiting
	if free > 0 {
		taken = ops - free
	}
	for range taken {
		now = now.Add(time.Millisecond)
		ch, err := intake()
		if err != nil {
			return nil, nil, now, err
		}
		if _, err := answerFirst(e, now, ch); err != nil {
			return nil, nil, now, err
		}
	}
	return e, ids, now, nil
}

// answerFirst answers the first leg dialed for each call in ch (a ring's others are
// cancelled), and returns how many dials ch carried.
func answerFirst(e *routing.Engine, now time.Time, ch cc.Changes) (int, error) {
	dials := 0
	var answered []cc.CallID // a step dials a handful of calls at most
	for _, cmd := range ch.Commands {
		if cmd.Type != cc.CommandDial {
			continue
		}
		dials++
		if slices.Contains(answered, cmd.Call) {
			continue
		}
		answered = append(answered, cmd.Call)
		if _, err := e.Report(now, cmd.Call, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: cmd.Offer, RingTime: time.Second}); err != nil {
			return dials, err
		}
	}
	return dials, nil
}

// runEngine times routing decisions in a big center: a random operator's call ends, he goes
// ready and the engine offers him the first call in line he serves (the decision), he
// answers, and a new call arrives so the line stays as long. A decision's time is the step
// that made it plus NextDeadline, which the switchboard asks after every step. The same runs
// for half as long with ring_all queues; then arrivals with operators free are timed, for
// longest_idle and ring_all (five rung at once), half as long each.
func runEngine(ctx context.Context, cfg Config) (EngineResult, error) {
	res := EngineResult{Operators: cfg.BigOperators, Queues: cfg.BigQueues, Waiting: cfg.BigWaiting}
	t0 := time.Now()
	e, ids, now, err := bigCenter(cfg.BigOperators, cfg.BigQueues, cfg.BigWaiting, 0, cc.StrategyLongestIdle)
	if err != nil {
		return res, err
	}
	res.SetupSecs = time.Since(t0).Seconds()
	lat, err := timeFreedOperators(ctx, e, ids, now, cfg.BigOperators+cfg.BigWaiting, cfg.BigQueues, cfg.Duration)
	if err != nil {
		return res, err
	}
	res.Decisions = lat.count()
	p := lat.percentiles(0.5, 0.99)
	res.P50, res.P99 = us(p[0]), us(p[1])
	res.PerOpP99NS = float64(p[1]) / float64(max(cfg.BigOperators, 1))
	if res.Decisions == 0 {
		return res, fmt.Errorf("engine: no decision made in %s", cfg.Duration)
	}

	if e, ids, now, err = bigCenter(cfg.BigOperators, cfg.BigQueues, cfg.BigWaiting, 0, cc.StrategyRingAll); err != nil {
		return res, err
	}
	if lat, err = timeFreedOperators(ctx, e, ids, now, cfg.BigOperators+cfg.BigWaiting, cfg.BigQueues, cfg.Duration/2); err != nil {
		return res, err
	}
	p = lat.percentiles(0.5, 0.99)
	res.RingAllP50, res.RingAllP99 = us(p[0]), us(p[1])

	res.FreeOperators = min(freeAtArrivals, cfg.BigOperators/2)
	for _, s := range []cc.Strategy{cc.StrategyLongestIdle, cc.StrategyRingAll} {
		if e, ids, now, err = bigCenter(cfg.BigOperators, cfg.BigQueues, 0, res.FreeOperators, s); err != nil {
			return res, err
		}
		lat, legs, err := timeArrivals(ctx, e, ids, now, cfg.BigOperators, cfg.BigQueues, cfg.Duration/2)
		if err != nil {
			return res, err
		}
		p99 := us(lat.percentiles(0.99)[0])
		if s == cc.StrategyRingAll {
			res.RingAllArrivalP99, res.RingAllArrivalLegs = p99, legs
		} else {
			res.ArrivalP99 = p99
		}
	}
	return res, nil
}

// timeFreedOperators times, for dur, the decisions taken as an operator's call ends: the
// first call in line he serves is offered to him, he answers, and a new call comes in.
func timeFreedOperators(ctx context.Context, e *routing.Engine, ids []cc.OperatorID, now time.Time, calls, queues int, dur time.Duration) (*latencies, error) {
	rng := rand.New(rand.NewPCG(7, 7))
	lat := &latencies{}
	end := time.Now().Add(dur)
	for time.Now().Before(end) && ctx.Err() == nil {
		id := ids[rng.IntN(len(ids))]
		v, err := e.View(id)
		if err != nil || v.Status.State != cc.OperatorOnCall {
			continue
		}
		now = now.Add(time.Millisecond)
		t := time.Now()
		ch, err := e.Report(now, v.Status.Call, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller, TalkTime: time.Minute})
		e.NextDeadline()
		d := time.Since(t)
		if err != nil {
			return lat, err
		}
		dials, err := answerFirst(e, now, ch)
		if err != nil {
			return lat, err
		}
		if dials > 0 {
			lat.add(d)
		}
		calls++
		if _, _, err := e.Intake(now, cc.Intake{SessionID: fmt.Sprint(calls), AccessURL: "http://127.0.0.1:1/s",
			CallerNumber: fmt.Sprintf("+1555%07d", calls), DialedNumber: fmt.Sprintf("+1800556%04d", calls%queues)}); err != nil {
			return lat, err
		}
	}
	return lat, nil
}

// timeArrivals times, for dur, the decisions taken as a call arrives while operators are
// free: the intake rings one or several of them; the first answers, and a random operator's
// call ends so as many stay free. It returns the latencies and the operators rung per
// arrival, on average.
func timeArrivals(ctx context.Context, e *routing.Engine, ids []cc.OperatorID, now time.Time, calls, queues int, dur time.Duration) (*latencies, float64, error) {
	rng := rand.New(rand.NewPCG(9, 9))
	lat := &latencies{}
	rung := 0
	end := time.Now().Add(dur)
	for time.Now().Before(end) && ctx.Err() == nil {
		now = now.Add(time.Millisecond)
		calls++
		t := time.Now()
		_, ch, err := e.Intake(now, cc.Intake{SessionID: fmt.Sprint(calls), AccessURL: "http://127.0.0.1:1/s",
			CallerNumber: fmt.Sprintf("+1555%07d", calls), DialedNumber: fmt.Sprintf("+1800556%04d", calls%queues)})
		e.NextDeadline()
		d := time.Since(t)
		if err != nil {
			return lat, 0, err
		}
		dials, err := answerFirst(e, now, ch)
		if err != nil {
			return lat, 0, err
		}
		if dials > 0 {
			lat.add(d)
			rung += dials
		}
		for {
			v, err := e.View(ids[rng.IntN(len(ids))])
			if err != nil {
				return lat, 0, err
			}
			if v.Status.State != cc.OperatorOnCall {
				continue
			}
			ch, err := e.Report(now, v.Status.Call, cc.CloudEvent{Kind: cc.CloudCallEnded, HungUpBy: cc.HangupCaller, TalkTime: time.Minute})
			if err != nil {
				return lat, 0, err
			}
			if _, err := answerFirst(e, now, ch); err != nil { // a call that waited for his queue
				return lat, 0, err
			}
			break
		}
	}
	if lat.count() == 0 {
		return lat, 0, fmt.Errorf("engine: no arrival was offered in %s", dur)
	}
	return lat, float64(rung) / float64(lat.count()), nil
}
