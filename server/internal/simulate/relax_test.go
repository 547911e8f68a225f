package simulate

import (
	"strings"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// TestRelaxationHoldsCallsUntilItsStep: ten operators, half of them level 1. With the queue
// taking level 3 only for the first 30 s of a call's wait, then everyone, calls wait longer
// than with everyone from the start; the calls answered at the step waited at least its 30 s,
// and the report counts the calls answered at each step.
func TestRelaxationHoldsCallsUntilItsStep(t *testing.T) {
	base := load(10, 0.7, 3000, 11)
	base.Levels = []int{3, 1}
	open := run(t, base)
	if open.AnsweredByRelaxStep != nil {
		t.Fatalf("without a relaxation: answered by step %v", open.AnsweredByRelaxStep)
	}
	strict := base
	strict.Relax = cc.Relaxation{MinLevel: 3, Steps: []cc.RelaxStep{{After: 30 * time.Second, MinLevel: 1}}}
	r := run(t, strict)
	by := r.AnsweredByRelaxStep
	if len(by) != 2 || by[0]+by[1] != r.CallsAnswered || by[0] == 0 || by[1] == 0 {
		t.Fatalf("answered by step %v of %d answered: want both steps, adding up", by, r.CallsAnswered)
	}
	if r.ASA <= open.ASA || r.PWait <= open.PWait {
		t.Errorf("ASA %.1fs, P(wait) %.3f with level 3 first; %.1fs, %.3f with everyone: the strict start should wait longer", r.ASA, r.PWait, open.ASA, open.PWait)
	}
	t.Logf("answered by step %v; ASA %.1fs vs %.1fs", by, r.ASA, open.ASA)

	// Each call answered at the step waited past it: the engine's decisions, not an estimate.
	if err := strict.normalise(); err != nil {
		t.Fatal(err)
	}
	s := newSim(t.Context(), strict)
	if err := s.run(); err != nil {
		t.Fatal(err)
	}
	for i, o := range s.outcome {
		if o.answered && o.relaxStep == 1 && o.wait < 30*time.Second {
			t.Fatalf("call %d answered at the 30 s step after %v", i, o.wait)
		}
		if o.answered && o.relaxStep == 0 && o.wait >= 30*time.Second+strict.AnswerDelay+time.Second {
			t.Fatalf("call %d waited %v and was answered under the start's level", i, o.wait)
		}
	}
}

func TestRelaxationRefusesOtherQueues(t *testing.T) {
	cfg := load(2, 0.5, 10, 1)
	cfg.Relax = cc.Relaxation{Steps: []cc.RelaxStep{{After: time.Second, AlsoQueues: []cc.QueueID{"sales"}}}}
	if err := cfg.normalise(); err == nil || !strings.Contains(err.Error(), "relax") {
		t.Fatalf("err = %v", err)
	}
	cfg = load(2, 0.5, 10, 1)
	cfg.Levels = []int{6}
	if err := cfg.normalise(); err == nil || !strings.Contains(err.Error(), "levels") {
		t.Fatalf("err = %v", err)
	}
}
