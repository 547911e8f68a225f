package routing

import (
	"cmp"
	"container/heap"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// This file is skills relaxation (cc.Relaxation): a queue's calls go at first only to its
// operators of a minimum level, and as a call waits, step by step, to lower levels and to the
// operators of other queues. The step in force for a call is worked out from its ArrivedAt
// whenever it is looked at, so nothing about it is stored and a restart keeps it right; the
// engine wakes up at each step of a waiting call (callDeadline) to offer it to those the step
// brings in.

// indexRelax caches queue q's pools of its relaxation, in e.relaxed while it has one.
func (e *Engine) indexRelax(q *cc.Queue) {
	if _, had := e.relaxed[q.ID]; had || q.Rules.Relax.Active() {
		e.callsDueOK = false // its waiting calls' steps changed: NextDeadline recomputes
	}
	if q.Rules.Relax.Active() {
		e.relaxed[q.ID] = q.Rules.Relax.Pools()
	} else {
		delete(e.relaxed, q.ID)
	}
}

// relaxedAt is the pool of queue q's relaxation in force for call c at now; nil when q has
// none (every operator of q is eligible).
func (e *Engine) relaxedAt(q cc.QueueID, c *call, now time.Time) *cc.RelaxPool {
	pools := e.relaxed[q]
	if pools == nil {
		return nil
	}
	wait := now.Sub(c.ArrivedAt)
	k := 0
	for k+1 < len(pools) && pools[k+1].After <= wait {
		k++
	}
	return &pools[k]
}

// relaxDue considers, with soon, the moments call c reaches the steps of its queue's
// relaxation: each may bring in a free operator.
func (e *Engine) relaxDue(c *call, soon func(time.Time)) {
	for _, p := range e.relaxed[c.Queue] {
		if p.Step > 0 {
			soon(c.ArrivedAt.Add(p.After))
		}
	}
}

// widest reports whether p is the last pool of queue q's relaxation: no later call in line
// can have a wider one.
func (e *Engine) widest(q cc.QueueID, p *cc.RelaxPool) bool {
	return p == nil || p.Step == len(e.relaxed[q])-1
}

// admits reports whether operator o is in pool p of queue q: he serves q at p's level or
// above, or serves one of p's other queues.
func admits(o *operator, q cc.QueueID, p *cc.RelaxPool) bool {
	for _, s := range o.cfg.Queues {
		if s.Queue == q && s.Level >= p.MinLevel || slices.Contains(p.Also, s.Queue) {
			return true
		}
	}
	return false
}

// relaxState is what serveLine learnt, building a call's pool under a relaxation, for the
// decision record: the pool in force and how many of the queue's free operators it left out
// for their level, by level.
type relaxState struct {
	pool  *cc.RelaxPool
	below [6]int
}

func (r *relaxState) belowTotal() int {
	n := 0
	for _, b := range r.below {
		n += b
	}
	return n
}

// belowWhy is why an operator of level l is outside pool p.
func belowWhy(l int, p *cc.RelaxPool) string {
	return fmt.Sprintf("level %d below %d", l, p.MinLevel)
}

// relaxedPool gathers into pool the free operators pool p of queue q admits, in id order, and
// counts in e.rx the free operators of q it leaves out for their level: either from the lists
// of who serves q and p's other queues, or from the free, whichever costs less.
func (e *Engine) relaxedPool(pool []*operator, free *opSet, q cc.QueueID, p *cc.RelaxPool) []*operator {
	e.rx = relaxState{pool: p}
	lists := len(e.byQueue[q])
	for _, x := range p.Also {
		lists += len(e.byQueue[x])
	}
	if n := free.len(); lists >= n*(1+bits.Len(uint(n))) {
		for _, o := range free.all() {
			switch {
			case admits(o, q, p):
				pool = append(pool, o)
			case o.serves(q):
				e.rx.below[o.level(q)]++
			}
		}
		slices.SortFunc(pool, byID)
		return pool
	}
	for _, o := range e.byQueue[q] {
		if !free.has(o) {
			continue
		}
		if l := o.level(q); l >= p.MinLevel || admits(o, q, p) {
			pool = append(pool, o)
		} else {
			e.rx.below[l]++
		}
	}
	mine := len(pool)
	for i, x := range p.Also {
		for _, o := range e.byQueue[x] {
			if free.has(o) && o.level(q) < p.MinLevel && !servesAny(o, p.Also[:i]) {
				pool = append(pool, o)
			}
		}
	}
	if len(pool) > mine {
		// Those of q in the pool already were taken from its list; the others are new.
		slices.SortFunc(pool, byID)
		pool = slices.Compact(pool)
	}
	return pool
}

// servesAny reports whether o serves one of qs.
func servesAny(o *operator, qs []cc.QueueID) bool {
	for _, s := range o.cfg.Queues {
		if slices.Contains(qs, s.Queue) {
			return true
		}
	}
	return false
}

func byID(a, b *operator) int { return cmp.Compare(a.cfg.ID, b.cfg.ID) }

// skipPriority moves the first line of h past its calls of its first call's priority: they
// arrived no earlier, so their pools are no wider than its own.
func (h *lineHeap) skipPriority() {
	it := &h.items[0]
	p := it.calls[0].Priority
	i := sort.Search(len(it.calls), func(i int) bool { return it.calls[i].Priority < p })
	if it.calls = it.calls[i:]; len(it.calls) == 0 {
		heap.Pop(h)
	} else {
		heap.Fix(h, 0)
	}
}

// relaxServed reports whether one of served is a queue whose operators queue q's relaxation
// brings in at some step.
func (e *Engine) relaxServed(q cc.QueueID, served map[cc.QueueID]bool) bool {
	pools := e.relaxed[q]
	if len(pools) == 0 {
		return false
	}
	for _, x := range pools[len(pools)-1].Also {
		if served[x] {
			return true
		}
	}
	return false
}
