package analytics

import (
	"reflect"
	"slices"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// t0 is 10:00 UTC: the start of an interval.
var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

const (
	sec = time.Second
	min = time.Minute
)

// history builds call histories step by step, as the engine reports them, and folds each step.
type history struct {
	t      *testing.T
	r      *Recorder
	stored []cc.Tally
	events []cc.CallEvent
}

func newHistory(t *testing.T, queues ...cc.Queue) *history {
	h := &history{t: t, r: New()}
	h.r.Load(t0, queues, cc.Runtime{}, nil)
	return h
}

func (h *history) step(now time.Duration, ch cc.Changes) {
	h.r.Fold(at(now), &ch)
	h.r.Stored(ch.Tallies)
	h.stored = append(h.stored, ch.Tallies...)
	h.events = append(h.events, ch.Events...)
}

// sum adds up the stored tallies of one queue or operator, per interval start.
func (h *history) sum(scope cc.TallyScope, id string) map[time.Time]cc.Figures {
	out := map[time.Time]cc.Figures{}
	for _, t := range h.stored {
		if t.Scope == scope && t.ID == id {
			f := out[t.Start]
			f.Add(t.Figures)
			out[t.Start] = f
		}
	}
	return out
}

func (h *history) total(scope cc.TallyScope, id string) cc.Figures {
	var f cc.Figures
	for _, g := range h.sum(scope, id) {
		f.Add(g)
	}
	return f
}

func waiting(id cc.CallID, q cc.QueueID, arrived time.Duration) cc.Call {
	return cc.Call{ID: id, Queue: q, State: cc.CallWaiting, ArrivedAt: at(arrived)}
}

func offer(id cc.OfferID, c cc.CallID, op cc.OperatorID, offered time.Duration) cc.Offer {
	return cc.Offer{ID: id, Call: c, Operator: op, State: cc.OfferPending, OfferedAt: at(offered)}
}

func settled(of cc.Offer, s cc.OfferState, settled, ring time.Duration) cc.Offer {
	of.State, of.SettledAt, of.RingTime = s, at(settled), ring
	return of
}

func status(op cc.OperatorID, s cc.OperatorState, since time.Duration) cc.OperatorStatus {
	return cc.OperatorStatus{Operator: op, State: s, Since: at(since)}
}

// answerAndEnd plays one call answered by op after wait and talked for talk, the operator
// hanging up, then wrap-up for wrap.
func (h *history) answerAndEnd(id cc.CallID, q cc.QueueID, op cc.OperatorID, arrived, wait, talk, wrap time.Duration) {
	c := waiting(id, q, arrived)
	h.step(arrived, cc.Changes{Calls: []cc.Call{c}})
	of := offer(cc.OfferID("o-"+id), id, op, arrived)
	h.step(arrived, cc.Changes{Offers: []cc.Offer{of}, Statuses: []cc.OperatorStatus{status(op, cc.OperatorReserved, arrived)}})
	c.State, c.AnsweredAt, c.Operator, c.Offer = cc.CallConnected, at(arrived+wait), op, of.ID
	h.step(arrived+wait, cc.Changes{Calls: []cc.Call{c}, Offers: []cc.Offer{settled(of, cc.OfferAnswered, arrived+wait, wait)},
		Statuses: []cc.OperatorStatus{{Operator: op, State: cc.OperatorOnCall, Since: at(arrived + wait), Call: id}}})
	end := arrived + wait + talk
	c.State, c.EndedAt, c.HungUpBy, c.TalkTime = cc.CallEnded, at(end), cc.HangupOperator, talk
	h.step(end, cc.Changes{Calls: []cc.Call{c}, Statuses: []cc.OperatorStatus{{Operator: op, State: cc.OperatorWrapUp, Since: at(end), Call: id, WrapUpEndsAt: at(end + wrap)}}})
	h.step(end+wrap, cc.Changes{Statuses: []cc.OperatorStatus{status(op, cc.OperatorReady, end+wrap)}})
}

func (h *history) abandon(id cc.CallID, q cc.QueueID, arrived, after time.Duration) {
	c := waiting(id, q, arrived)
	h.step(arrived, cc.Changes{Calls: []cc.Call{c}})
	c.State, c.EndedAt, c.HungUpBy = cc.CallAbandoned, at(arrived+after), cc.HangupCaller
	h.step(arrived+after, cc.Changes{Calls: []cc.Call{c}})
}

func TestServiceLevelAbandonsAndHandleTime(t *testing.T) {
	h := newHistory(t, cc.Queue{ID: "sales"})
	h.step(0, cc.Changes{Statuses: []cc.OperatorStatus{status("ann", cc.OperatorReady, 0)}})
	h.answerAndEnd("c1", "sales", "ann", 0, 10*sec, 2*min, 30*sec)           // within 20 s
	h.answerAndEnd("c2", "sales", "ann", 3*min, 40*sec, time.Minute, 30*sec) // late
	h.abandon("c3", "sales", 6*min, 3*sec)                                   // short
	h.abandon("c4", "sales", 7*min, 15*sec)                                  // within the threshold
	h.abandon("c5", "sales", 8*min, 2*min)                                   // late

	f := h.total(cc.ScopeQueue, "sales")
	want := cc.Figures{CallsReceived: 5, CallsAnswered: 2, AnsweredWithin: 1, CallsAbandoned: 3, ShortAbandons: 1,
		AbandonedWithin: 1, HungUpByOperator: 2, OffersMade: 2, AnswerTimeTotal: 50 * sec, AnswerTimeMax: 40 * sec,
		TalkTime: 3 * min, WrapUpTime: time.Minute, RingTimeTotal: 50 * sec}
	want.Histogram[cc.HistogramBucket(10*sec)] = 1
	want.Histogram[cc.HistogramBucket(40*sec)] = 1
	if !f.Equal(want) {
		t.Fatalf("figures\n got %+v\nwant %+v", f, want)
	}
	for _, tc := range []struct {
		rule cc.AbandonedRule
		want float64
	}{
		{cc.AbandonsCountAgainst, 1.0 / 4},       // 1 within / (2 answered + 3 abandoned − 1 short)
		{cc.AbandonsIgnored, 1.0 / 2},            // 1 within / 2 answered
		{cc.AbandonsWithinThresholdMet, 2.0 / 4}, // (1 + 1 abandoned within) / 4
	} {
		if sl, ok := f.ServiceLevel(tc.rule); !ok || sl != tc.want {
			t.Errorf("SL %s = %v %v, want %v", tc.rule, sl, ok, tc.want)
		}
	}
	if asa, _ := f.ASA(); asa != 25*sec {
		t.Errorf("ASA = %v", asa)
	}
	if aht, _ := f.AHT(); aht != 2*min { // (3 min talk + 1 min wrap-up) / 2
		t.Errorf("AHT = %v", aht)
	}
	if r, _ := f.AbandonmentRate(); r != 3.0/5 {
		t.Errorf("abandonment = %v", r)
	}
	// Ann: two offers answered, her ring times, her talk, her time by state.
	ann := h.total(cc.ScopeOperator, "ann")
	if ann.OffersMade != 2 || ann.CallsAnswered != 2 || ann.RingTimeTotal != 50*sec || ann.TalkTime != 3*min || ann.WrapUp != time.Minute || ann.OnCall != 3*min {
		t.Errorf("ann = %+v", ann)
	}
	// 0–10 s ready, reserved 10 s, ... : on call 3 min + wrap-up 1 min over everything but away.
	if occ, _ := ann.Occupancy(); occ <= 0 || occ >= 1 {
		t.Errorf("occupancy = %v", occ)
	}
	if ann.Ready+ann.Reserved+ann.OnCall+ann.WrapUp != 5*min+10*sec {
		t.Errorf("ann logged %v in all, want 5m10s (from 0 to the end of c2's wrap-up)", ann.Ready+ann.Reserved+ann.OnCall+ann.WrapUp)
	}
}

func TestNothingToDivideIsNoRate(t *testing.T) {
	var f cc.Figures
	if _, ok := f.ServiceLevel(cc.AbandonsCountAgainst); ok {
		t.Error("a service level without calls")
	}
	if _, ok := f.ASA(); ok {
		t.Error("an ASA without answers")
	}
	if _, ok := f.Occupancy(); ok {
		t.Error("an occupancy without time at work")
	}
	// Only short abandons: nothing to measure either.
	f = cc.Figures{CallsReceived: 1, CallsAbandoned: 1, ShortAbandons: 1}
	if _, ok := f.ServiceLevel(cc.AbandonsCountAgainst); ok {
		t.Error("a service level over short abandons only")
	}
}

func TestCallsBelongToTheirIntervalOfArrival(t *testing.T) {
	h := newHistory(t, cc.Queue{ID: "sales"})
	// Arrives at 10:14:50, answered at 10:15:05, ends at 10:17.
	h.answerAndEnd("c1", "sales", "ann", 14*min+50*sec, 15*sec, 2*min-5*sec, 0)
	rows := h.sum(cc.ScopeQueue, "sales")
	if len(rows) != 1 || rows[at(0)].CallsAnswered != 1 || rows[at(0)].TalkTime != 2*min-5*sec {
		t.Fatalf("rows = %+v", rows)
	}
	// Her time on the call is split at 10:15: 0 s before it (she answered at 10:15:05) ... and
	// her reserved time (10:14:50–10:15:05) is split 10 s / 5 s.
	ann := h.sum(cc.ScopeOperator, "ann")
	if ann[at(0)].Reserved != 10*sec || ann[at(15*min)].Reserved != 5*sec {
		t.Errorf("reserved split %v / %v, want 10s / 5s", ann[at(0)].Reserved, ann[at(15*min)].Reserved)
	}
	// Her offer counts where it was made.
	if ann[at(0)].OffersMade != 1 || ann[at(0)].CallsAnswered != 1 || ann[at(15*min)].OffersMade != 0 {
		t.Errorf("offers by interval: %+v", ann)
	}
}

func TestStateTimeSplitsOverManyIntervals(t *testing.T) {
	h := newHistory(t)
	h.step(5*min, cc.Changes{Statuses: []cc.OperatorStatus{status("ann", cc.OperatorReady, 5*min)}})
	h.step(50*min, cc.Changes{Statuses: []cc.OperatorStatus{status("ann", cc.OperatorAway, 50*min)}})
	rows := h.sum(cc.ScopeOperator, "ann")
	want := map[time.Time]time.Duration{at(0): 10 * min, at(15 * min): 15 * min, at(30 * min): 15 * min, at(45 * min): 5 * min}
	for start, d := range want {
		if rows[start].Ready != d {
			t.Errorf("ready from %s = %v, want %v", start.Format("15:04"), rows[start].Ready, d)
		}
	}
	if len(rows) != len(want) {
		t.Errorf("%d rows, want %d", len(rows), len(want))
	}
	// The center's rows add up every operator's time: here only hers.
	h.step(55*min, cc.Changes{Statuses: []cc.OperatorStatus{status("bob", cc.OperatorReady, 55*min)}})
	h.step(58*min, cc.Changes{Statuses: []cc.OperatorStatus{status("bob", cc.OperatorOnCall, 58*min)}})
	center := h.sum(cc.ScopeCenter, "")
	if center[at(45*min)].Ready != 5*min+3*min || center[at(0)].Ready != 10*min || center[at(45*min)].Away != 0 {
		t.Errorf("center rows = %+v", center)
	}
}

func TestAbandonedDuringAnOfferIsNoMiss(t *testing.T) {
	h := newHistory(t, cc.Queue{ID: "sales"})
	c := waiting("c1", "sales", 0)
	h.step(0, cc.Changes{Calls: []cc.Call{c}})
	of := offer("o1", "c1", "ann", 5*sec)
	h.step(5*sec, cc.Changes{Offers: []cc.Offer{of}, Statuses: []cc.OperatorStatus{status("ann", cc.OperatorReserved, 5*sec)}})
	// The caller hangs up while Ann's phone rings: the offer is withdrawn in the same step.
	c.State, c.EndedAt, c.HungUpBy = cc.CallAbandoned, at(12*sec), cc.HangupCaller
	h.step(12*sec, cc.Changes{Calls: []cc.Call{c}, Offers: []cc.Offer{settled(of, cc.OfferWithdrawn, 12*sec, 0)},
		Statuses: []cc.OperatorStatus{status("ann", cc.OperatorReady, 12*sec)}})

	q := h.total(cc.ScopeQueue, "sales")
	if q.CallsAbandoned != 1 || q.AbandonedWithin != 1 || q.OffersMade != 1 || q.OffersMissed != 0 || q.CallsAnswered != 0 {
		t.Errorf("queue = %+v", q)
	}
	ann := h.total(cc.ScopeOperator, "ann")
	if ann.OffersMade != 1 || ann.OffersMissed != 0 || ann.Reserved != 7*sec {
		t.Errorf("ann = %+v", ann)
	}
	kinds := []cc.CallEventKind{}
	for _, e := range h.events {
		kinds = append(kinds, e.Kind)
	}
	want := []cc.CallEventKind{cc.EventArrived, cc.EventOffered, cc.EventOfferWithdrawn, cc.EventAbandoned}
	if !reflect.DeepEqual(kinds, want) {
		t.Errorf("timeline %v, want %v", kinds, want)
	}
}

// TestDeclinedOfferIsNoMiss: an offer the operator declined is on the call's timeline as
// offer_declined, and in nobody's missed offers.
func TestDeclinedOfferIsNoMiss(t *testing.T) {
	h := newHistory(t, cc.Queue{ID: "sales"})
	c := waiting("c1", "sales", 0)
	h.step(0, cc.Changes{Calls: []cc.Call{c}})
	of := offer("o1", "c1", "ann", 5*sec)
	h.step(5*sec, cc.Changes{Offers: []cc.Offer{of}, Statuses: []cc.OperatorStatus{status("ann", cc.OperatorReserved, 5*sec)}})
	h.step(8*sec, cc.Changes{Offers: []cc.Offer{settled(of, cc.OfferDeclined, 8*sec, 0)},
		Statuses: []cc.OperatorStatus{status("ann", cc.OperatorReady, 8*sec)}})

	if q := h.total(cc.ScopeQueue, "sales"); q.OffersMade != 1 || q.OffersMissed != 0 {
		t.Errorf("queue = %+v", q)
	}
	if ann := h.total(cc.ScopeOperator, "ann"); ann.OffersMade != 1 || ann.OffersMissed != 0 {
		t.Errorf("ann = %+v", ann)
	}
	var kinds []cc.CallEventKind
	for _, e := range h.events {
		kinds = append(kinds, e.Kind)
	}
	if want := []cc.CallEventKind{cc.EventArrived, cc.EventOffered, cc.EventOfferDeclined}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("timeline %v, want %v", kinds, want)
	}
}

// TestCancelledLegIsNoMiss: the legs of a ring_all call another operator answered first are on
// the call's timeline as offer_cancelled, and in nobody's missed offers.
func TestCancelledLegIsNoMiss(t *testing.T) {
	h := newHistory(t, cc.Queue{ID: "sales", Strategy: cc.StrategyRingAll})
	c := waiting("c1", "sales", 0)
	h.step(0, cc.Changes{Calls: []cc.Call{c}})
	ann, bob := offer("o1", "c1", "ann", 5*sec), offer("o2", "c1", "bob", 5*sec)
	c.Offer, c.Operator = "o1", "ann"
	h.step(5*sec, cc.Changes{Calls: []cc.Call{c}, Offers: []cc.Offer{ann, bob},
		Statuses: []cc.OperatorStatus{status("ann", cc.OperatorReserved, 5*sec), status("bob", cc.OperatorReserved, 5*sec)}})
	c.State, c.AnsweredAt, c.Offer, c.Operator = cc.CallConnected, at(8*sec), "o2", "bob"
	h.step(8*sec, cc.Changes{Calls: []cc.Call{c}, Offers: []cc.Offer{settled(ann, cc.OfferCancelled, 8*sec, 0), settled(bob, cc.OfferAnswered, 8*sec, 3*sec)},
		Statuses: []cc.OperatorStatus{status("ann", cc.OperatorReady, 8*sec), status("bob", cc.OperatorOnCall, 8*sec)}})

	if q := h.total(cc.ScopeQueue, "sales"); q.OffersMissed != 0 {
		t.Errorf("queue = %+v", q)
	}
	if a := h.total(cc.ScopeOperator, "ann"); a.OffersMissed != 0 || a.CallsAnswered != 0 {
		t.Errorf("ann = %+v", a)
	}
	if b := h.total(cc.ScopeOperator, "bob"); b.CallsAnswered != 1 {
		t.Errorf("bob = %+v", b)
	}
	var kinds []cc.CallEventKind
	for _, e := range h.events {
		kinds = append(kinds, e.Kind)
	}
	if !slices.Contains(kinds, cc.EventOfferCancelled) || slices.Contains(kinds, cc.EventOfferFailed) || slices.Contains(kinds, cc.EventOfferExpired) {
		t.Errorf("timeline %v, want ann's leg cancelled", kinds)
	}
}

func TestMissedOffersAndOverflowToASpare(t *testing.T) {
	h := newHistory(t, cc.Queue{ID: "sales"})
	c := waiting("c1", "sales", 0)
	h.step(0, cc.Changes{Calls: []cc.Call{c}})
	o1 := offer("o1", "c1", "ann", 0)
	h.step(0, cc.Changes{Offers: []cc.Offer{o1}})
	o1 = settled(o1, cc.OfferFailed, 20*sec, 20*sec)
	o1.FailureCode, o1.Reason = 486, "busy"
	h.step(20*sec, cc.Changes{Offers: []cc.Offer{o1}})
	// Nobody else: after a minute it overflows to a spare number, which answers.
	c.Spare = "s1"
	sp := cc.Offer{ID: "o2", Call: "c1", Spare: "s1", State: cc.OfferPending, OfferedAt: at(time.Minute)}
	h.step(time.Minute, cc.Changes{Calls: []cc.Call{c}, Offers: []cc.Offer{sp}})
	c.State, c.AnsweredAt, c.Offer = cc.CallConnected, at(70*sec), "o2"
	h.step(70*sec, cc.Changes{Calls: []cc.Call{c}, Offers: []cc.Offer{settled(sp, cc.OfferAnswered, 70*sec, 10*sec)}})
	c.State, c.EndedAt, c.HungUpBy, c.TalkTime = cc.CallEnded, at(3*min), cc.HangupCaller, 110*sec
	h.step(3*min, cc.Changes{Calls: []cc.Call{c}})

	q := h.total(cc.ScopeQueue, "sales")
	if q.CallsOverflowed != 1 || q.AnsweredBySpare != 1 || q.CallsAnswered != 1 || q.AnsweredWithin != 0 ||
		q.OffersMade != 2 || q.OffersMissed != 1 || q.HungUpByCaller != 1 || q.AnswerTimeTotal != 70*sec {
		t.Errorf("queue = %+v", q)
	}
	ann := h.total(cc.ScopeOperator, "ann")
	if ann.OffersMade != 1 || ann.OffersMissed != 1 || ann.CallsAnswered != 0 {
		t.Errorf("ann = %+v", ann)
	}
	var failed cc.CallEvent
	for _, e := range h.events {
		if e.Kind == cc.EventOfferFailed {
			failed = e
		}
	}
	if failed.Code != 486 || failed.Text != "busy" || failed.Operator != "ann" {
		t.Errorf("failure event = %+v", failed)
	}
}

func TestManagerReach(t *testing.T) {
	h := newHistory(t, cc.Queue{ID: "sales"})
	// c1's caller has Ann as manager and reaches her; c2's caller has Ann too but Bob answers.
	for _, tc := range []struct {
		id cc.CallID
		op cc.OperatorID
	}{{"c1", "ann"}, {"c2", "bob"}} {
		c := waiting(tc.id, "sales", 0)
		c.Manager, c.ManagerUntil = "ann", at(30*sec)
		h.step(0, cc.Changes{Calls: []cc.Call{c}})
		c.State, c.AnsweredAt, c.Operator = cc.CallConnected, at(5*sec), tc.op
		h.step(5*sec, cc.Changes{Calls: []cc.Call{c}})
		c.State, c.EndedAt = cc.CallEnded, at(time.Minute)
		h.step(time.Minute, cc.Changes{Calls: []cc.Call{c}})
	}
	h.answerAndEnd("c3", "sales", "bob", 2*min, sec, sec, 0) // no manager: not counted
	q := h.total(cc.ScopeQueue, "sales")
	if r, ok := q.ManagerReach(); !ok || q.ManagerCalls != 2 || r != 0.5 {
		t.Errorf("manager calls %d reached %d (%v)", q.ManagerCalls, q.ManagerReached, r)
	}
}

// A restart in the middle of calls: the recorder loaded from the stored state counts exactly
// what one that never stopped counts.
func TestRestartCountsTheSame(t *testing.T) {
	play := func(restartAfter int) (map[time.Time]cc.Figures, map[time.Time]cc.Figures) {
		h := newHistory(t, cc.Queue{ID: "sales"})
		c := waiting("c1", "sales", 0)
		of := offer("o1", "c1", "ann", 2*sec)
		steps := []struct {
			at time.Duration
			ch cc.Changes
		}{
			{0, cc.Changes{Calls: []cc.Call{c}, Statuses: []cc.OperatorStatus{status("ann", cc.OperatorReady, 0)}}},
			{2 * sec, cc.Changes{Offers: []cc.Offer{of}, Statuses: []cc.OperatorStatus{status("ann", cc.OperatorReserved, 2*sec)}}},
		}
		connected := c
		connected.State, connected.AnsweredAt, connected.Operator, connected.Offer = cc.CallConnected, at(8*sec), "ann", "o1"
		ended := connected
		ended.State, ended.EndedAt, ended.TalkTime, ended.HungUpBy = cc.CallEnded, at(16*min), 16*min-8*sec, cc.HangupCaller
		steps = append(steps,
			struct {
				at time.Duration
				ch cc.Changes
			}{8 * sec, cc.Changes{Calls: []cc.Call{connected}, Offers: []cc.Offer{settled(of, cc.OfferAnswered, 8*sec, 6*sec)},
				Statuses: []cc.OperatorStatus{{Operator: "ann", State: cc.OperatorOnCall, Since: at(8 * sec), Call: "c1"}}}},
			struct {
				at time.Duration
				ch cc.Changes
			}{16 * min, cc.Changes{Calls: []cc.Call{ended}, Statuses: []cc.OperatorStatus{{Operator: "ann", State: cc.OperatorWrapUp, Since: at(16 * min), Call: "c1", WrapUpEndsAt: at(17 * min)}}}},
			struct {
				at time.Duration
				ch cc.Changes
			}{17 * min, cc.Changes{Statuses: []cc.OperatorStatus{status("ann", cc.OperatorReady, 17*min)}}},
		)
		// What a store holds after each step, to restart from.
		calls := map[cc.CallID]cc.Call{}
		offers := map[cc.OfferID]cc.Offer{}
		statuses := map[cc.OperatorID]cc.OperatorStatus{}
		for i, st := range steps {
			if i == restartAfter {
				var rt cc.Runtime
				for _, c := range calls {
					if !c.State.Finished() {
						rt.Calls = append(rt.Calls, c)
					}
				}
				for _, o := range offers {
					if o.State == cc.OfferPending {
						rt.Offers = append(rt.Offers, o)
					}
				}
				for _, s := range statuses {
					rt.Statuses = append(rt.Statuses, s)
					if c, ok := calls[s.Call]; ok && s.State == cc.OperatorWrapUp {
						rt.WrappedUp = append(rt.WrappedUp, c)
					}
				}
				h.r = New()
				h.r.Load(at(st.at), []cc.Queue{{ID: "sales"}}, rt, h.stored)
			}
			h.step(st.at, st.ch)
			for _, c := range st.ch.Calls {
				calls[c.ID] = c
			}
			for _, o := range st.ch.Offers {
				offers[o.ID] = o
			}
			for _, s := range st.ch.Statuses {
				statuses[s.Operator] = s
			}
		}
		return h.sum(cc.ScopeQueue, "sales"), h.sum(cc.ScopeOperator, "ann")
	}
	wantQ, wantOp := play(-1)
	if wantQ[at(0)].CallsAnswered != 1 || wantQ[at(0)].WrapUpTime != time.Minute || wantOp[at(0)].OnCall != 15*min-8*sec {
		t.Fatalf("uninterrupted: %+v %+v", wantQ, wantOp)
	}
	for restart := 1; restart <= 4; restart++ {
		q, op := play(restart)
		if !reflect.DeepEqual(q, wantQ) || !reflect.DeepEqual(op, wantOp) {
			t.Errorf("restart before step %d:\nqueue %+v\n want %+v\nann %+v\n want %+v", restart, q, wantQ, op, wantOp)
		}
	}
}

func TestTodayStartsOverAtMidnight(t *testing.T) {
	h := newHistory(t, cc.Queue{ID: "sales"})
	h.abandon("c1", "sales", 0, time.Minute)
	if got := h.r.Today(at(2*min), cc.ScopeQueue, "sales"); got.CallsAbandoned != 1 {
		t.Fatalf("today = %+v", got)
	}
	tomorrow := 14 * time.Hour // 00:00 the next day
	if got := h.r.Today(at(tomorrow), cc.ScopeQueue, "sales"); !got.IsZero() {
		t.Errorf("tomorrow starts with %+v", got)
	}
	h.abandon("c2", "sales", tomorrow+time.Minute, time.Minute)
	if got := h.r.Today(at(tomorrow+3*min), cc.ScopeQueue, "sales"); got.CallsAbandoned != 1 {
		t.Errorf("the new day = %+v", got)
	}
	if got := h.r.SinceStart()["sales"]; got.CallsAbandoned != 2 {
		t.Errorf("since start = %+v", got)
	}
}

func TestTimelineOfAnAnnouncedCallAndTheOptIn(t *testing.T) {
	h := newHistory(t, cc.Queue{ID: "sales"})
	c := waiting("c1", "sales", 0)
	c.Client = "+4930123456"
	h.step(0, cc.Changes{Calls: []cc.Call{c}})
	h.step(30*sec, cc.Changes{Commands: []cc.Command{{Type: cc.CommandSay, Call: "c1", Text: "You are number 1 in line."}}})
	c.State, c.AnsweredAt, c.Operator = cc.CallConnected, at(40*sec), "ann"
	h.step(40*sec, cc.Changes{Calls: []cc.Call{c}})
	c.State, c.EndedAt, c.HungUpBy = cc.CallEnded, at(2*min), cc.HangupOperator
	h.step(2*min, cc.Changes{Calls: []cc.Call{c}, Next: &cc.Command{Type: cc.CommandAsk, Call: "c1", Text: "Always Ann?"}})
	h.step(2*min+5*sec, cc.Changes{Clients: []cc.Client{{Number: c.Client, Manager: "ann", How: cc.AssignedByVoice, AssignedAt: at(2*min + 5*sec)}}})
	var kinds []cc.CallEventKind
	for _, e := range h.events {
		kinds = append(kinds, e.Kind)
	}
	want := []cc.CallEventKind{cc.EventArrived, cc.EventAnnounced, cc.EventEnded, cc.EventAsked, cc.EventManagerAccepted}
	if !reflect.DeepEqual(kinds, want) {
		t.Errorf("timeline %v, want %v", kinds, want)
	}
}

// TestPartiesAreOnTheTimeline: every party leg's dialing, joining and leaving, a failed one,
// and a monitor's switch of mode are on the call's timeline once, naming the leg.
func TestPartiesAreOnTheTimeline(t *testing.T) {
	h := newHistory(t, cc.Queue{ID: "sales"})
	c := waiting("c1", "sales", 0)
	h.step(0, cc.Changes{Calls: []cc.Call{c}})
	c.State = cc.CallConnected
	guest := cc.Party{ID: "p1", Call: "c1", Mode: cc.PartyConference, State: cc.PartyDialing, InvitedAt: at(10 * sec)}
	c.Parties = []cc.Party{guest}
	h.step(10*sec, cc.Changes{Calls: []cc.Call{c}})
	h.step(11*sec, cc.Changes{Calls: []cc.Call{c}}) // nothing new
	guest.State, guest.JoinedAt = cc.PartyJoined, at(12*sec)
	mon := cc.Party{ID: "p2", Call: "c1", Mode: cc.PartyListen, State: cc.PartyDialing, Monitor: true, InvitedAt: at(12 * sec)}
	c.Parties = []cc.Party{guest, mon}
	h.step(12*sec, cc.Changes{Calls: []cc.Call{c}})
	mon.State, mon.JoinedAt = cc.PartyJoined, at(13*sec)
	c.Parties = []cc.Party{guest, mon}
	h.step(13*sec, cc.Changes{Calls: []cc.Call{c}})
	mon.Mode = cc.PartyBarge
	c.Parties = []cc.Party{guest, mon}
	h.step(14*sec, cc.Changes{Calls: []cc.Call{c}})
	guest.State, guest.LeftAt, guest.Reason = cc.PartyLeft, at(15*sec), "hung up"
	mon.State, mon.LeftAt, mon.Reason = cc.PartyLeft, at(15*sec), "the call ended"
	c.Parties = []cc.Party{guest, mon}
	c.State, c.EndedAt = cc.CallEnded, at(15*sec)
	h.step(15*sec, cc.Changes{Calls: []cc.Call{c}})

	var got []string
	for _, e := range h.events {
		if e.Party != "" {
			got = append(got, string(e.Party)+" "+string(e.Kind)+" "+e.Text)
		}
	}
	want := []string{"p1 party_dialed conference", "p1 party_joined conference", "p2 party_dialed listen",
		"p2 party_joined listen", "p2 monitor_mode barge", "p1 party_left hung up", "p2 party_left the call ended"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("timeline\n got %q\nwant %q", got, want)
	}
}

// TestWarmTransferCreditsEachOperatorHisLeg: ann answers, consults bob while the caller holds,
// and hands the caller over; each is credited his own leg's talk (ann from her answer to her
// leaving, bob from his answer to the end), and the queue still counts one call answered at
// ann's answer.
func TestWarmTransferCreditsEachOperatorHisLeg(t *testing.T) {
	h := newHistory(t, cc.Queue{ID: "sales"})
	h.step(0, cc.Changes{Statuses: []cc.OperatorStatus{status("ann", cc.OperatorReady, 0), status("bob", cc.OperatorReady, 0)}})
	c := waiting("c1", "sales", 0)
	h.step(0, cc.Changes{Calls: []cc.Call{c}})
	first := offer("o1", "c1", "ann", 0)
	h.step(0, cc.Changes{Offers: []cc.Offer{first}, Statuses: []cc.OperatorStatus{status("ann", cc.OperatorReserved, 0)}})
	c.State, c.AnsweredAt, c.Operator, c.Offer = cc.CallConnected, at(10*sec), "ann", first.ID
	h.step(10*sec, cc.Changes{Calls: []cc.Call{c}, Offers: []cc.Offer{settled(first, cc.OfferAnswered, 10*sec, 10*sec)},
		Statuses: []cc.OperatorStatus{{Operator: "ann", State: cc.OperatorOnCall, Since: at(10 * sec), Call: "c1"}}})

	leg := offer("o2", "c1", "bob", 70*sec)
	c.Transfer = cc.Transfer{From: "ann", Mode: cc.TransferWarm, Target: cc.TransferTarget{Operator: "bob"}, State: cc.TransferDialing, Offer: leg.ID, Operator: "bob", StartedAt: at(70 * sec)}
	h.step(70*sec, cc.Changes{Calls: []cc.Call{c}, Offers: []cc.Offer{leg}, Statuses: []cc.OperatorStatus{status("bob", cc.OperatorReserved, 70*sec)}})
	c.Transfer.State = cc.TransferConsulting
	h.step(75*sec, cc.Changes{Calls: []cc.Call{c}, Offers: []cc.Offer{settled(leg, cc.OfferAnswered, 75*sec, 5*sec)},
		Statuses: []cc.OperatorStatus{{Operator: "bob", State: cc.OperatorOnCall, Since: at(75 * sec), Call: "c1"}}})
	c.Transfer.State, c.Operator, c.Offer = cc.TransferCompleted, "bob", leg.ID
	h.step(90*sec, cc.Changes{Calls: []cc.Call{c}, Statuses: []cc.OperatorStatus{{Operator: "ann", State: cc.OperatorWrapUp, Since: at(90 * sec), Call: "c1", WrapUpEndsAt: at(120 * sec)}}})
	c.State, c.EndedAt, c.HungUpBy, c.TalkTime = cc.CallEnded, at(150*sec), cc.HangupCaller, 140*sec
	h.step(150*sec, cc.Changes{Calls: []cc.Call{c}, Statuses: []cc.OperatorStatus{{Operator: "bob", State: cc.OperatorWrapUp, Since: at(150 * sec), Call: "c1", WrapUpEndsAt: at(180 * sec)}}})

	if ann := h.total(cc.ScopeOperator, "ann"); ann.TalkTime != 80*sec || ann.CallsAnswered != 1 {
		t.Errorf("ann: talk %v, answered %d; want 1m20s (her leg), 1", ann.TalkTime, ann.CallsAnswered)
	}
	if bob := h.total(cc.ScopeOperator, "bob"); bob.TalkTime != 75*sec || bob.CallsAnswered != 1 {
		t.Errorf("bob: talk %v, answered %d; want 1m15s (his leg), 1", bob.TalkTime, bob.CallsAnswered)
	}
	q := h.total(cc.ScopeQueue, "sales")
	if q.CallsReceived != 1 || q.CallsAnswered != 1 || q.AnsweredWithin != 1 || q.AnswerTimeTotal != 10*sec || q.TalkTime != 140*sec {
		t.Errorf("queue: %+v; want one call answered in 10 s, talked 2m20s", q)
	}
}

// TestOperatorPartyLegsCountAsOffers: an operator brought into a call (AddToCall) is counted as
// his marks count him: each leg an offer made, a join an answer (ring time to it) with his time
// on the call as talk, a leg that was his miss a missed offer, one that failed through no fault
// of his none. The queue's figures do not count party legs; a restart does not count them again.
func TestOperatorPartyLegsCountAsOffers(t *testing.T) {
	h := newHistory(t, cc.Queue{ID: "sales"})
	c := waiting("c1", "sales", 0)
	h.step(0, cc.Changes{Calls: []cc.Call{c}})
	c.State, c.Operator, c.AnsweredAt = cc.CallConnected, "ann", at(5*sec)
	leg := func(id cc.PartyID, invited time.Duration) cc.Party {
		return cc.Party{ID: id, Call: "c1", Mode: cc.PartyConference, State: cc.PartyDialing, Operator: "bob", InvitedAt: at(invited)}
	}
	joined := leg("p1", 10*sec)
	c.Parties = []cc.Party{joined}
	h.step(10*sec, cc.Changes{Calls: []cc.Call{c}})
	joined.State, joined.JoinedAt = cc.PartyJoined, at(13*sec)
	c.Parties = []cc.Party{joined}
	h.step(13*sec, cc.Changes{Calls: []cc.Call{c}})
	joined.State, joined.LeftAt = cc.PartyLeft, at(73*sec)
	missed, failed := leg("p2", 80*sec), leg("p3", 90*sec)
	c.Parties = []cc.Party{joined, missed, failed}
	h.step(90*sec, cc.Changes{Calls: []cc.Call{c}})

	// A restart: the recorder loads the call with its parties, and counts nothing twice.
	rt := cc.Runtime{Calls: []cc.Call{c}}
	h.r.Load(at(95*sec), []cc.Queue{{ID: "sales"}}, rt, h.stored)
	missed.State, missed.LeftAt, missed.Rang, missed.Missed = cc.PartyFailed, at(105*sec), true, true
	failed.State, failed.LeftAt = cc.PartyFailed, at(106*sec)
	c.Parties = []cc.Party{joined, missed, failed}
	h.step(106*sec, cc.Changes{Calls: []cc.Call{c}})

	bob := h.total(cc.ScopeOperator, "bob")
	if bob.OffersMade != 3 || bob.CallsAnswered != 1 || bob.RingTimeTotal != 3*sec || bob.TalkTime != time.Minute || bob.OffersMissed != 1 {
		t.Errorf("bob: %+v; want 3 offers, 1 answered in 3 s, 1 min talk, 1 missed", bob)
	}
	if q := h.total(cc.ScopeQueue, "sales"); q.OffersMade != 0 || q.OffersMissed != 0 {
		t.Errorf("queue counts party legs: %+v", q)
	}
}

func TestHoldTimeCountsForTheQueueAndTheOperator(t *testing.T) {
	h := newHistory(t, cc.Queue{ID: "sales"})
	h.step(0, cc.Changes{Statuses: []cc.OperatorStatus{status("ann", cc.OperatorReady, 0)}})
	c := waiting("c1", "sales", 0)
	h.step(0, cc.Changes{Calls: []cc.Call{c}})
	of := offer("o-c1", "c1", "ann", 0)
	h.step(0, cc.Changes{Offers: []cc.Offer{of}, Statuses: []cc.OperatorStatus{status("ann", cc.OperatorReserved, 0)}})
	c.State, c.AnsweredAt, c.Operator, c.Offer = cc.CallConnected, at(5*sec), "ann", of.ID
	h.step(5*sec, cc.Changes{Calls: []cc.Call{c}, Offers: []cc.Offer{settled(of, cc.OfferAnswered, 5*sec, 5*sec)},
		Statuses: []cc.OperatorStatus{{Operator: "ann", State: cc.OperatorOnCall, Since: at(5 * sec), Call: "c1"}}})
	c.State, c.EndedAt, c.HungUpBy, c.TalkTime, c.HoldTime = cc.CallEnded, at(3*min), cc.HangupCaller, 3*min-5*sec, 40*sec
	h.step(3*min, cc.Changes{Calls: []cc.Call{c}, Statuses: []cc.OperatorStatus{{Operator: "ann", State: cc.OperatorWrapUp, Since: at(3 * min), Call: "c1", WrapUpEndsAt: at(4 * min)}}})
	if q := h.total(cc.ScopeQueue, "sales"); q.HoldTime != 40*sec || q.TalkTime != 3*min-5*sec {
		t.Errorf("sales: hold %v, talk %v; want 40s within 2m55s", q.HoldTime, q.TalkTime)
	}
	if ann := h.total(cc.ScopeOperator, "ann"); ann.HoldTime != 40*sec {
		t.Errorf("ann: hold %v, want 40s", ann.HoldTime)
	}
}

// Callbacks in the history: a caller who accepts one is no received call, its attempts are
// counted as connected or failed (the last failed one given up), the operator's talk on a
// callback is his, and a voicemail left after its call ended is counted once, nothing else.
func TestCallbacksAndVoicemailsInTheHistory(t *testing.T) {
	h := newHistory(t, cc.Queue{ID: "q"})
	// c1 waits and accepts a callback after a minute.
	c1 := waiting("c1", "q", 0)
	h.step(0, cc.Changes{Calls: []cc.Call{c1}})
	c1.State, c1.EndedAt, c1.HungUpBy = cc.CallEnded, at(min), cc.HangupSystem
	c1.Exit = cc.CallExit{Kind: cc.ExitCallback, Cause: cc.ExitCallbackOffer, Queue: "q", Target: "+15550001111", Answered: true, At: at(min)}
	cb := cc.Call{ID: "cb1", Queue: "q", State: cc.CallWaiting, ArrivedAt: at(0), Callback: cc.Callback{Of: "c1", Number: "+15550001111", Attempt: 1}}
	h.step(min, cc.Changes{Calls: []cc.Call{c1, cb}})
	// The first attempt: anna answers, the customer does not; given up at once (one attempt).
	of := offer("o1", "cb1", "anna", 2*min)
	h.step(2*min, cc.Changes{Offers: []cc.Offer{of}, Statuses: []cc.OperatorStatus{status("anna", cc.OperatorReserved, 2*min)}})
	cb.State, cb.Operator, cb.Offer, cb.AnsweredAt = cc.CallConnected, "anna", "o1", at(2*min+5*sec)
	h.step(2*min+5*sec, cc.Changes{Calls: []cc.Call{cb}, Offers: []cc.Offer{settled(of, cc.OfferAnswered, 2*min+5*sec, 5*sec)},
		Statuses: []cc.OperatorStatus{{Operator: "anna", State: cc.OperatorOnCall, Since: at(2*min + 5*sec), Call: "cb1"}}})
	failed := cb
	failed.State, failed.EndedAt, failed.HungUpBy = cc.CallEnded, at(3*min), cc.HangupSystem
	failed.Callback.Result, failed.Callback.GaveUp = cc.CallbackNoAnswer, true
	h.step(3*min, cc.Changes{Calls: []cc.Call{failed}, Statuses: []cc.OperatorStatus{status("anna", cc.OperatorReady, 3*min)}})
	// Another callback, connected: a minute's talk.
	cb2 := cc.Call{ID: "cb2", Queue: "q", State: cc.CallWaiting, ArrivedAt: at(30 * sec), Callback: cc.Callback{Of: "c9", Number: "+15550002222", Attempt: 2}}
	h.step(4*min, cc.Changes{Calls: []cc.Call{cb2}})
	cb2.State, cb2.Operator, cb2.AnsweredAt, cb2.Callback.Result = cc.CallConnected, "anna", at(4*min), cc.CallbackConnected
	h.step(4*min, cc.Changes{Calls: []cc.Call{cb2}})
	cb2.State, cb2.EndedAt, cb2.HungUpBy, cb2.TalkTime = cc.CallEnded, at(5*min), cc.HangupCaller, min
	h.step(5*min, cc.Changes{Calls: []cc.Call{cb2}})
	// c3 goes to voicemail as it arrives (its line full), and leaves a message later.
	c3 := waiting("c3", "q", 6*min)
	c3.State, c3.EndedAt, c3.HungUpBy = cc.CallEnded, at(6*min), cc.HangupSystem
	c3.Exit = cc.CallExit{Kind: cc.ExitVoicemail, Cause: cc.ExitMaxWaiting, Queue: "q", At: at(6 * min)}
	h.step(6*min, cc.Changes{Calls: []cc.Call{c3}})
	c3.VoicemailURL, c3.VoicemailLength = "https://records.example.com/vm.mp3", 20*sec
	h.step(7*min, cc.Changes{Calls: []cc.Call{c3}})

	f := h.total(cc.ScopeQueue, "q")
	if f.CallbacksRequested != 1 || f.CallbacksConnected != 1 || f.CallbackAttemptsFailed != 1 || f.CallbacksGivenUp != 1 || f.Voicemails != 1 {
		t.Errorf("callbacks: requested %d connected %d failed %d given up %d voicemails %d", f.CallbacksRequested, f.CallbacksConnected, f.CallbackAttemptsFailed, f.CallbacksGivenUp, f.Voicemails)
	}
	if f.ExitsVoicemail != 1 || f.ExitsMaxWaiting != 1 || f.CallsReceived != 1 || f.CallsAnswered != 0 || f.CallsAbandoned != 0 {
		t.Errorf("received %d answered %d abandoned %d (only c3's cap exit is received), voicemail exits %d", f.CallsReceived, f.CallsAnswered, f.CallsAbandoned, f.ExitsVoicemail)
	}
	if op := h.total(cc.ScopeOperator, "anna"); op.TalkTime != min {
		t.Errorf("anna's talk %s, want the connected callback's minute", op.TalkTime)
	}
}

// TestExitsInTheFigures: calls that leave by an exit are counted in the queue they left, by
// why and by kind, on their timeline; a closed-hours call ended by its exit is not received
// (outside the service level and the abandonment), a cap exit counts as not answered in time,
// and a call a queue exit moved is received where it ends.
func TestExitsInTheFigures(t *testing.T) {
	h := newHistory(t, cc.Queue{ID: "sales"}, cc.Queue{ID: "backup"})
	h.step(0, cc.Changes{Statuses: []cc.OperatorStatus{status("ann", cc.OperatorReady, 0)}})
	h.answerAndEnd("c1", "sales", "ann", 0, 10*sec, time.Minute, 0) // answered in time

	// Closed at its arrival: first seen ended, with the exit.
	closed := cc.Call{ID: "c2", Queue: "sales", State: cc.CallEnded, ArrivedAt: at(2 * min), EndedAt: at(2 * min), HungUpBy: cc.HangupSystem,
		Exit: cc.CallExit{Kind: cc.ExitMessage, Cause: cc.ExitClosed, Queue: "sales", Why: "closed: New Year", At: at(2 * min)}}
	h.step(2*min, cc.Changes{Calls: []cc.Call{closed}})
	// Past the longest wait: a number exit ends it.
	c3 := waiting("c3", "sales", 3*min)
	h.step(3*min, cc.Changes{Calls: []cc.Call{c3}})
	c3.State, c3.EndedAt, c3.HungUpBy = cc.CallEnded, at(8*min), cc.HangupSystem
	c3.Exit = cc.CallExit{Kind: cc.ExitNumber, Cause: cc.ExitLongestWait, Queue: "sales", Why: "longest wait: waited 5m0s (longest wait 5m0s)", Target: "+14155550100", At: at(8 * min)}
	h.step(8*min, cc.Changes{Calls: []cc.Call{c3}})
	// A full line moves c4 to backup at its arrival, where it is abandoned.
	c4 := waiting("c4", "backup", 9*min)
	c4.Exit = cc.CallExit{Kind: cc.ExitQueue, Cause: cc.ExitMaxWaiting, Queue: "sales", Why: "most calls waiting: 1 calls waiting (cap 1)", Target: "backup", At: at(9 * min)}
	h.step(9*min, cc.Changes{Calls: []cc.Call{c4}})
	c4.State, c4.EndedAt, c4.HungUpBy = cc.CallAbandoned, at(10*min), cc.HangupCaller
	h.step(10*min, cc.Changes{Calls: []cc.Call{c4}})

	sales, backup := h.total(cc.ScopeQueue, "sales"), h.total(cc.ScopeQueue, "backup")
	if sales.CallsReceived != 2 || sales.ExitsClosed != 1 || sales.ExitsLongestWait != 1 || sales.ExitsMaxWaiting != 1 ||
		sales.ExitsMessage != 1 || sales.ExitsNumber != 1 || sales.ExitsQueue != 1 || sales.CallsAbandoned != 0 {
		t.Fatalf("sales: %+v", sales)
	}
	if backup.CallsReceived != 1 || backup.CallsAbandoned != 1 || backup.ExitsQueue != 0 {
		t.Fatalf("backup: %+v", backup)
	}
	// One answered in time, two cap exits: a third; the closed call is in neither side.
	if sl, ok := sales.ServiceLevel(cc.AbandonsCountAgainst); !ok || sl != 1.0/3 {
		t.Errorf("service level %v %v, want 1/3", sl, ok)
	}
	if sl, _ := sales.ServiceLevel(cc.AbandonsIgnored); sl != 1.0/3 {
		t.Errorf("service level (abandons ignored) %v, want 1/3", sl)
	}
	if ab, _ := sales.AbandonmentRate(); ab != 0 {
		t.Errorf("abandonment %v", ab)
	}
	var exited []cc.CallEvent
	for _, e := range h.events {
		if e.Kind == cc.EventExited {
			exited = append(exited, e)
		}
		if e.Kind == cc.EventArrived && e.Call == "c4" && e.QueueAfter != "sales" {
			t.Errorf("c4 arrived in %s, want sales (the queue it left)", e.QueueAfter)
		}
		if e.Kind == cc.EventRequeued && e.Call == "c4" {
			t.Errorf("c4's queue exit is also a requeue: %+v", e)
		}
	}
	if len(exited) != 3 || exited[0].Text != "message: closed: New Year" || exited[1].Text != "number: longest wait: waited 5m0s (longest wait 5m0s) → +14155550100" || exited[2].QueueAfter != "backup" {
		t.Errorf("exited events: %+v", exited)
	}
}
