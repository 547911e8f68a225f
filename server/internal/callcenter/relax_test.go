package callcenter

import (
	"errors"
	"testing"
	"time"
)

func TestRelaxationPoolsWidenStepByStep(t *testing.T) {
	r := Relaxation{MinLevel: 4, Steps: []RelaxStep{
		{After: 30 * time.Second, MinLevel: 2},
		{After: time.Minute, AlsoQueues: []QueueID{"sales"}},
		{After: 2 * time.Minute, MinLevel: 1, AlsoQueues: []QueueID{"billing"}},
	}}
	pools := r.Pools()
	if len(pools) != 4 {
		t.Fatalf("pools = %d, want 4", len(pools))
	}
	want := []struct {
		level int
		also  int
		text  string
	}{
		{4, 0, "level 4 and up"},
		{2, 0, "relaxed at 30s: level 2 and up"},
		{2, 1, "relaxed at 1m0s: operators of sales too"},
		{1, 2, "relaxed at 2m0s: level 1 and up; operators of billing too"},
	}
	for i, w := range want {
		p := pools[i]
		if p.Step != i || p.MinLevel != w.level || len(p.Also) != w.also || r.Describe(p) != w.text {
			t.Errorf("pool %d = %+v %q, want level %d, %d queues, %q", i, p, r.Describe(p), w.level, w.also, w.text)
		}
	}
	if (Relaxation{}).Active() || (Relaxation{MinLevel: 1}).Active() || !r.Active() {
		t.Error("Active: only a level above 1 or steps narrow the pool")
	}
	if got := (Relaxation{}).Pools(); len(got) != 1 || got[0].MinLevel != 1 {
		t.Errorf("no relaxation: %+v, want one pool of level 1", got)
	}
}

func TestRelaxationCheckNamesTheField(t *testing.T) {
	s := func(after int, level int, also ...QueueID) RelaxStep {
		return RelaxStep{After: time.Duration(after) * time.Second, MinLevel: level, AlsoQueues: also}
	}
	many := make([]RelaxStep, MaxRelaxSteps+1)
	for i := range many {
		many[i] = s(i+1, 0, QueueID("q"+string(rune('a'+i))))
	}
	for _, tc := range []struct {
		field string
		r     Relaxation
	}{
		{"queue.min_level", Relaxation{MinLevel: 6}},
		{"queue.min_level", Relaxation{MinLevel: -1}},
		{"queue.relax", Relaxation{Steps: many}},
		{"queue.relax[0].after_s", Relaxation{MinLevel: 3, Steps: []RelaxStep{s(0, 2)}}},
		{"queue.relax[1].after_s", Relaxation{MinLevel: 3, Steps: []RelaxStep{s(30, 2), s(30, 1)}}},
		{"queue.relax[1].min_level", Relaxation{MinLevel: 3, Steps: []RelaxStep{s(30, 2), s(60, 2)}}},
		{"queue.relax[0].min_level", Relaxation{Steps: []RelaxStep{s(30, 1)}}},
		{"queue.relax[0].also_queue_ids[0]", Relaxation{Steps: []RelaxStep{s(30, 0, "support")}}},
		{"queue.relax[1].also_queue_ids[0]", Relaxation{Steps: []RelaxStep{s(30, 0, "sales"), s(60, 0, "sales")}}},
		{"queue.relax[0].also_queue_ids[0]", Relaxation{Steps: []RelaxStep{s(30, 0, "Not A Queue")}}},
		{"queue.relax[0]", Relaxation{MinLevel: 3, Steps: []RelaxStep{s(30, 0)}}},
	} {
		q := Queue{ID: "support", Rules: DefaultRules()}
		q.Rules.Relax = tc.r
		_, err := q.Check()
		var ce *Error
		if !errors.As(err, &ce) || ce.Code != CodeInvalid || ce.Field != tc.field {
			t.Errorf("%+v: got %v, want invalid %s", tc.r, err, tc.field)
		}
	}
	q := Queue{ID: "support", Rules: DefaultRules()}
	q.Rules.Relax = Relaxation{MinLevel: 3, Steps: []RelaxStep{s(30, 2), s(60, 0, "sales"), s(90, 1, "billing")}}
	if _, err := q.Check(); err != nil {
		t.Errorf("a good relaxation: %v", err)
	}
}
