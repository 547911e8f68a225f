package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
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
	// Relax is the same center and load in the same run with every queue under a skills
	// relaxation (relaxCenter) and calls of every age in line: its decisions' p99 beside the
	// plain case's.
	Relax *EngineCase `json:"relax,omitempty"`
}

// EngineCase is one more case of phase 4: its decisions and their latency.
type EngineCase struct {
	Decisions int     `json:"decisions"`
	P50       float64 `json:"decision_p50_us"`
	P99       float64 `json:"decision_p99_us"`
	SetupSecs float64 `json:"setup_seconds"`
}

// relaxCenter is the relaxation of every queue of the relaxation case: level 4 and up at
// first, level 2 after 30 s, the operators of the next queue too after 60 s, everyone after
// 2 min.
func relaxCenter(q, queues int) cc.Relaxation {
	return cc.Relaxation{MinLevel: 4, Steps: []cc.RelaxStep{
		{After: 30 * time.Second, MinLevel: 2},
		{After: time.Minute, AlsoQueues: []cc.QueueID{cc.QueueID(fmt.Sprintf("q%02d", (q+1)%queues))}},
		{After: 2 * time.Minute, MinLevel: 1},
	}}
}

// bigCenter builds an engine with ops operators (each serving 3 of the queues, levels 1–5,
// present), every one of them on a call, and waiting more calls in line. With relax, every
// queue has relaxCenter's relaxation and the calls arrived up to 3 min ago (arrivals), so
// the line holds calls at each of its steps.
func bigCenter(ops, queues, waiting int, relax bool) (*routing.Engine, []cc.OperatorID, time.Time, error) {
	n := 0
	e := routing.New(routing.Config{NewID: func(p string) string { n++; return fmt.Sprintf("%s_%09d", p, n) }})
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for q := range queues {
		rules := cc.DefaultRules()
		rules.OptIn = false
		if _, err := e.CreateQueue(now, cc.Queue{ID: cc.QueueID(fmt.Sprintf("q%02d", q)), Name: fmt.Sprintf("Q%d", q),
			DialedNumbers: []string{fmt.Sprintf("+1800556%04d", q)}, Strategy: cc.StrategyLongestIdle,
			OfferTimeout: 20 * time.Second, IsDefault: q == 0, Priority: q % 3, Rules: rules}); err != nil {
			return nil, nil, now, err
		}
	}
	for q := range queues { // once they all exist: a relaxation names the next queue
		if !relax {
			break
		}
		queue, _ := e.Queue(cc.QueueID(fmt.Sprintf("q%02d", q)))
		queue.Rules.Relax = relaxCenter(q, queues)
		if _, err := e.UpdateQueue(now, queue); err != nil {
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
	arrivals := rand.New(rand.NewPCG(3, 3))
	intake := func() (cc.Changes, error) {
		calls++
		_, ch, err := e.Intake(now, bigIntake(calls, queues, now, relax, arrivals))
		return ch, err
	}
	// Every operator takes a call: ready, offered, answered.
	for _, id := range ids {
		now = now.Add(time.Millisecond)
		if _, err := e.GoReady(now, id); err != nil {
			return nil, nil, now, err
		}
	}
	answer := func(ch cc.Changes) error {
		for _, cmd := range ch.Commands {
			if cmd.Type == cc.CommandDial {
				if _, err := e.Report(now, cmd.Call, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: cmd.Offer, RingTime: time.Second}); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for range ops + waiting {
		now = now.Add(time.Millisecond)
		ch, err := intake()
		if err != nil {
			return nil, nil, now, err
		}
		if err := answer(ch); err != nil {
			return nil, nil, now, err
		}
	}
	return e, ids, now, nil
}

// bigIntake is call n of the big center, into queue n mod queues; under relax, it arrived
// up to 3 min before now.
func bigIntake(n, queues int, now time.Time, relax bool, arrivals *rand.Rand) cc.Intake {
	in := cc.Intake{SessionID: fmt.Sprint(n), AccessURL: "http://127.0.0.1:1/s",
		CallerNumber: fmt.Sprintf("+1555%07d", n), DialedNumber: fmt.Sprintf("+1800556%04d", n%queues)}
	if relax {
		in.ArrivedAt = now.Add(-time.Duration(arrivals.Int64N(int64(3 * time.Minute))))
	}
	return in
}

// runEngine times routing decisions in a big center: a random operator's call ends, he goes
// ready and the engine offers him the first call in line he serves (the decision), he
// answers, and a new call arrives so the line stays as long. A decision's time is the step
// that made it plus NextDeadline, which the switchboard asks after every step.
func runEngine(ctx context.Context, cfg Config) (EngineResult, error) {
	res := EngineResult{Operators: cfg.BigOperators, Queues: cfg.BigQueues, Waiting: cfg.BigWaiting}
	plain, err := timeDecisions(ctx, cfg, false)
	res.Decisions, res.P50, res.P99, res.SetupSecs = plain.Decisions, plain.P50, plain.P99, plain.SetupSecs
	res.PerOpP99NS = 1000 * plain.P99 / float64(max(cfg.BigOperators, 1))
	if err != nil || ctx.Err() != nil {
		return res, err
	}
	relaxed, err := timeDecisions(ctx, cfg, true)
	res.Relax = &relaxed
	return res, err
}

// timeDecisions is runEngine's measure of one case: the plain center, or with relax every
// queue under a skills relaxation.
func timeDecisions(ctx context.Context, cfg Config, relax bool) (EngineCase, error) {
	var res EngineCase
	t0 := time.Now()
	e, ids, now, err := bigCenter(cfg.BigOperators, cfg.BigQueues, cfg.BigWaiting, relax)
	if err != nil {
		return res, err
	}
	res.SetupSecs = time.Since(t0).Seconds()
	arrivals := rand.New(rand.NewPCG(5, 5))
	rng := rand.New(rand.NewPCG(7, 7))
	lat := &latencies{}
	calls := cfg.BigOperators + cfg.BigWaiting
	end := time.Now().Add(cfg.Duration)
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
			return res, err
		}
		offered := false
		for _, cmd := range ch.Commands {
			if cmd.Type == cc.CommandDial {
				offered = true
				if _, err := e.Report(now, cmd.Call, cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: cmd.Offer, RingTime: time.Second}); err != nil {
					return res, err
				}
			}
		}
		if offered {
			lat.add(d)
		}
		calls++
		if _, _, err := e.Intake(now, bigIntake(calls, cfg.BigQueues, now, relax, arrivals)); err != nil {
			return res, err
		}
	}
	res.Decisions = lat.count()
	p := lat.percentiles(0.5, 0.99)
	res.P50, res.P99 = us(p[0]), us(p[1])
	if res.Decisions == 0 {
		return res, fmt.Errorf("engine: no decision made in %s (relax %v)", cfg.Duration, relax)
	}
	return res, nil
}
