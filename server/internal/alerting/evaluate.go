// Package alerting raises and clears the queues' alerts (callcenter.AlertThresholds) from the
// live floor the wallboard shows: the Evaluator decides, on the time it is given; the Watch
// runs it on the clock, stores what it decided and tells the wallboards and the webhook.
package alerting

import (
	"cmp"
	"slices"
	"time"

	"github.com/tandemcc/tandem/server/internal/analytics"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// key is one alert's identity: at most one is open per key.
type key struct {
	Queue    cc.QueueID
	Kind     cc.AlertKind
	Operator cc.OperatorID
}

func keyOf(a cc.Alert) key { return key{a.Queue, a.Kind, a.Operator} }

// reading is one figure against its threshold. A figure over a window this evaluator has not
// seen whole (it started, or the day did, less than a window ago) is not judged: it may raise
// an alert when crossed, but an open one is not cleared on it — after a restart, an alert on the
// last quarter-hour's service level is not cleared because the quarter-hour since is empty.
type reading struct {
	key
	value, threshold float64
	crossed          bool
	unjudged         bool
}

// sample is a queue's figures of today at one time: the window's figures are the difference
// between now's and the last sample before the window began.
type sample struct {
	at    time.Time
	today cc.Figures
}

// Evaluator turns successive floors into alerts raised and cleared. It keeps, per alert, since
// when its threshold is crossed (or back), so an alert is raised only after the queue's hold
// and cleared only after as long back: a figure wavering around its threshold does not flap.
type Evaluator struct {
	since   map[key]time.Time
	samples map[cc.QueueID][]sample
}

// NewEvaluator returns an evaluator that has seen nothing yet.
func NewEvaluator() *Evaluator {
	return &Evaluator{since: map[key]time.Time{}, samples: map[cc.QueueID][]sample{}}
}

// Step reads the floor at now against the open alerts (which it does not change) and returns
// the alerts to raise (without ids) and the open ones to clear (with ClearedAt set).
func (e *Evaluator) Step(now time.Time, floor analytics.Floor, open []cc.Alert) (raise, clear []cc.Alert) {
	readings := map[key]reading{}
	holds := map[cc.QueueID]time.Duration{}
	for _, q := range floor.Queues {
		t := q.Queue.Rules.Alerts.OrDefaults()
		holds[q.ID] = t.Hold
		for _, r := range e.readQueue(now, q, t, floor.Operators) {
			readings[r.key] = r
		}
	}
	isOpen := map[key]bool{}
	for _, a := range open {
		k := keyOf(a)
		isOpen[k] = true
		if r, ok := readings[k]; ok && (r.crossed || r.unjudged) {
			delete(e.since, k) // still crossed, or not known to be back: not on its way back
			continue
		}
		back, ok := e.since[k]
		if !ok {
			e.since[k], back = now, now
		}
		if now.Sub(back) >= holds[a.Queue] { // a queue gone has no hold: cleared at once
			delete(e.since, k)
			a.ClearedAt = now
			clear = append(clear, a)
		}
	}
	for k, r := range readings {
		if isOpen[k] {
			continue
		}
		if !r.crossed {
			delete(e.since, k)
			continue
		}
		crossed, ok := e.since[k]
		if !ok {
			e.since[k], crossed = now, now
		}
		if now.Sub(crossed) >= holds[k.Queue] {
			delete(e.since, k)
			raise = append(raise, cc.Alert{Queue: k.Queue, Kind: k.Kind, Operator: k.Operator,
				Value: r.value, Threshold: r.threshold, RaisedAt: now})
		}
	}
	// Crossings that stopped being read (a threshold turned off, an operator who left) start
	// afresh when they come back.
	for k := range e.since {
		if _, ok := readings[k]; !ok && !isOpen[k] {
			delete(e.since, k)
		}
	}
	// In a stable order, whatever the maps': the order of a queue's kinds above.
	slices.SortFunc(raise, func(a, b cc.Alert) int {
		return cmp.Or(cmp.Compare(a.Queue, b.Queue), cmp.Compare(kindOrder[a.Kind], kindOrder[b.Kind]), cmp.Compare(a.Operator, b.Operator))
	})
	return raise, clear
}

var kindOrder = map[cc.AlertKind]int{cc.AlertWaiting: 0, cc.AlertLongestWait: 1, cc.AlertMissesInRow: 2, cc.AlertServiceLevel: 3, cc.AlertAbandonment: 4}

func (e *Evaluator) readQueue(now time.Time, q analytics.QueueNow, t cc.AlertThresholds, ops []analytics.OperatorNow) []reading {
	var out []reading
	add := func(kind cc.AlertKind, op cc.OperatorID, value, threshold float64, crossed bool) {
		out = append(out, reading{key: key{q.ID, kind, op}, value: value, threshold: threshold, crossed: crossed})
	}
	if t.WaitingOver > 0 {
		n := len(q.Waiting)
		add(cc.AlertWaiting, "", float64(n), float64(t.WaitingOver), n > t.WaitingOver)
	}
	if t.LongestWaitOver > 0 {
		var longest time.Duration
		for _, w := range q.Waiting {
			longest = max(longest, now.Sub(w.Call.ArrivedAt))
		}
		add(cc.AlertLongestWait, "", longest.Seconds(), t.LongestWaitOver.Seconds(), longest > t.LongestWaitOver)
	}
	if t.MissesInRow > 0 {
		for _, o := range ops {
			if !o.Operator.Serves(q.ID) {
				continue
			}
			n := o.Status.Marks.ConsecutiveMisses
			add(cc.AlertMissesInRow, o.Operator.ID, float64(n), float64(t.MissesInRow), n >= t.MissesInRow)
		}
	}
	if t.ServiceLevelUnder > 0 || t.AbandonmentOver > 0 {
		w, whole := e.window(now, q.ID, q.Today, t.Window)
		if t.ServiceLevelUnder > 0 {
			sl, ok := w.ServiceLevel(q.ServiceLevel.Abandoned)
			counted := w.CallsAnswered + w.CallsAbandoned - w.ShortAbandons
			add(cc.AlertServiceLevel, "", percent(sl), float64(t.ServiceLevelUnder),
				ok && counted >= cc.AlertMinCalls && percent(sl) < float64(t.ServiceLevelUnder))
			out[len(out)-1].unjudged = !whole
		}
		if t.AbandonmentOver > 0 {
			ab, ok := w.AbandonmentRate()
			add(cc.AlertAbandonment, "", percent(ab), float64(t.AbandonmentOver),
				ok && w.CallsReceived >= cc.AlertMinCalls && percent(ab) > float64(t.AbandonmentOver))
			out[len(out)-1].unjudged = !whole
		}
	}
	return out
}

func percent(share float64) float64 { return float64(int64(share*1000+0.5)) / 10 }

// window returns the queue's figures counted over the window up to now, as far back as this
// evaluator has seen them, and whether it has seen the whole window; it keeps today's sample.
func (e *Evaluator) window(now time.Time, id cc.QueueID, today cc.Figures, window time.Duration) (cc.Figures, bool) {
	s := e.samples[id]
	if len(s) > 0 && today.CallsReceived < s[len(s)-1].today.CallsReceived {
		s = nil // a new day: today's figures started again
	}
	s = append(s, sample{now, today})
	// Keep one sample from before the window began: the base to count from.
	start := now.Add(-window)
	drop := 0
	for drop+1 < len(s) && !s[drop+1].at.After(start) {
		drop++
	}
	s = s[drop:]
	e.samples[id] = s
	return since(today, s[0].today), !s[0].at.After(start)
}

// since returns the counts of f made after base.
func since(f, base cc.Figures) cc.Figures {
	return cc.Figures{
		CallsReceived:   f.CallsReceived - base.CallsReceived,
		CallsAnswered:   f.CallsAnswered - base.CallsAnswered,
		AnsweredWithin:  f.AnsweredWithin - base.AnsweredWithin,
		CallsAbandoned:  f.CallsAbandoned - base.CallsAbandoned,
		ShortAbandons:   f.ShortAbandons - base.ShortAbandons,
		AbandonedWithin: f.AbandonedWithin - base.AbandonedWithin,
	}
}
