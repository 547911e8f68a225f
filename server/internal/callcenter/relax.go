package callcenter

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Relaxation widens, step by step as a call waits, who may take a queue's calls, like
// TaskRouter's workflow timeouts: at first only its operators of MinLevel and up (1, or 0:
// all of them, as without relaxation); from each step's After on, its operators of the step's
// MinLevel and up, and the operators of the step's AlsoQueues (at whatever level they serve
// those), and of every earlier step's AlsoQueues: steps only ever widen the pool.
//
// A call's wait counts from its ArrivedAt, its place in line: its arrival in the queue (a
// caller out of an IVR menu from his choice of the queue). A call moved by a queue exit or a
// transfer, and a callback, keep the ArrivedAt they had: the caller has waited that long, so
// the steps of the queue it is in now count from it too.
//
// The call stays its queue's call whoever takes it: an operator of an also-queue takes it
// under that queue's offer timeout, wrap-up, dispositions and miss rules, and it counts in
// that queue's figures.
type Relaxation struct {
	MinLevel int         `json:",omitempty"`
	Steps    []RelaxStep `json:",omitempty"`
}

// RelaxStep is one step of a Relaxation.
type RelaxStep struct {
	After      time.Duration // from the call's ArrivedAt; steps ascend
	MinLevel   int           `json:",omitempty"` // lower than the level before it; 0: unchanged
	AlsoQueues []QueueID     `json:",omitempty"` // their operators become eligible too
}

// RelaxPool is who may take a queue's calls from After on: its operators of MinLevel and up
// and the operators of Also.
type RelaxPool struct {
	Step     int // 0: the start; k: the k-th step (RelaxStep k-1)
	After    time.Duration
	MinLevel int
	Also     []QueueID
}

// The bounds of a relaxation.
const (
	MaxRelaxSteps = 10
	maxRelaxAfter = 24 * time.Hour
	maxRelaxAlso  = 20
)

// Active reports whether r narrows the pool at any time (without it, every operator of the
// queue is eligible from the start).
func (r Relaxation) Active() bool { return r.MinLevel > 1 || len(r.Steps) > 0 }

// Pools are the pools of r in force one after the other, the start first: each one's level
// and queues are those in force, earlier steps' queues included.
func (r Relaxation) Pools() []RelaxPool {
	pools := make([]RelaxPool, 0, 1+len(r.Steps))
	cur := RelaxPool{MinLevel: max(r.MinLevel, 1)}
	pools = append(pools, cur)
	for i, s := range r.Steps {
		cur = RelaxPool{Step: i + 1, After: s.After, MinLevel: cur.MinLevel, Also: slices.Clone(cur.Also)}
		if s.MinLevel > 0 {
			cur.MinLevel = s.MinLevel
		}
		for _, q := range s.AlsoQueues {
			if !slices.Contains(cur.Also, q) {
				cur.Also = append(cur.Also, q)
			}
		}
		pools = append(pools, cur)
	}
	return pools
}

// Describe says what pool p of queue rules r changed, for why-this-operator: "relaxed at 30s:
// level 2 and up", "relaxed at 1m0s: operators of sales too"; "" for the start.
func (r Relaxation) Describe(p RelaxPool) string {
	if p.Step == 0 {
		if p.MinLevel > 1 {
			return fmt.Sprintf("level %d and up", p.MinLevel)
		}
		return ""
	}
	s := r.Steps[p.Step-1]
	var what []string
	if s.MinLevel > 0 {
		what = append(what, fmt.Sprintf("level %d and up", s.MinLevel))
	}
	if len(s.AlsoQueues) > 0 {
		names := make([]string, len(s.AlsoQueues))
		for i, q := range s.AlsoQueues {
			names[i] = string(q)
		}
		what = append(what, "operators of "+strings.Join(names, ", ")+" too")
	}
	return fmt.Sprintf("relaxed at %s: %s", s.After.Round(time.Second), strings.Join(what, "; "))
}

// check refuses a relaxation that does not widen step by step, naming the field at fault;
// queue is the queue it belongs to (the engine checks that the also-queues exist).
func (r Relaxation) check(queue QueueID) (Relaxation, error) {
	if r.MinLevel < 0 || r.MinLevel > 5 {
		return r, Invalid("queue.min_level", "must be 1 to 5 (0: 1, every operator of the queue)")
	}
	if len(r.Steps) > MaxRelaxSteps {
		return r, Invalid("queue.relax", "at most %d steps", MaxRelaxSteps)
	}
	level := max(r.MinLevel, 1)
	var after time.Duration
	seen := map[QueueID]bool{}
	for i, s := range r.Steps {
		field := fmt.Sprintf("queue.relax[%d]", i)
		switch {
		case s.After <= 0 || s.After > maxRelaxAfter:
			return r, Invalid(field+".after_s", "must be 1 second to 24 hours")
		case s.After <= after:
			return r, Invalid(field+".after_s", "must be later than the step before (%s)", after.Round(time.Second))
		}
		after = s.After
		if s.MinLevel != 0 {
			switch {
			case level == 1:
				return r, Invalid(field+".min_level", "the level before it is 1 already: a step can only lower it (0 keeps it)")
			case s.MinLevel < 1 || s.MinLevel >= level:
				return r, Invalid(field+".min_level", "must be 1 to %d, lower than the level before it (%d); 0 keeps it", level-1, level)
			}
			level = s.MinLevel
		}
		if len(s.AlsoQueues) > maxRelaxAlso {
			return r, Invalid(field+".also_queue_ids", "at most %d queues", maxRelaxAlso)
		}
		for j, q := range s.AlsoQueues {
			qf := fmt.Sprintf("%s.also_queue_ids[%d]", field, j)
			switch {
			case !ValidSlug(string(q)):
				return r, Invalid(qf, "%q is not a queue id", q)
			case q == queue:
				return r, Invalid(qf, "the queue's own operators are eligible already: name another queue")
			case seen[q]:
				return r, Invalid(qf, "queue %q is added already", q)
			}
			seen[q] = true
		}
		if s.MinLevel == 0 && len(s.AlsoQueues) == 0 {
			return r, Invalid(field, "a step lowers the level or adds queues (or both)")
		}
	}
	return r, nil
}

// RelaxQueues are the queues q's relaxation adds, with the field naming each.
func (r Relaxation) RelaxQueues() []ExitTo {
	var out []ExitTo
	for i, s := range r.Steps {
		for j, q := range s.AlsoQueues {
			out = append(out, ExitTo{fmt.Sprintf("queue.relax[%d].also_queue_ids[%d]", i, j), q})
		}
	}
	return out
}
