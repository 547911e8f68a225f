package routing

import (
	"cmp"
	"container/heap"
	"fmt"
	"math/bits"
	"slices"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// assign offers waiting calls to free operators until one of the two runs out. Calls go in line
// order: higher queue priority first, then the longest waiting. Each call goes to the operator
// its queue's strategy picks among the free operators who serve the queue.
func (e *Engine) assign(now time.Time) {
	defer e.overflow(now)
	if e.free.len() == 0 {
		return
	}
	// Operators offered a call in this pass leave the free set at once (reserved, they are not
	// eligible any more); the set is checked again for every touched operator as the step ends.
	free := &e.free
	// The queues one of the free serves: with a few free, only their lines are looked at.
	var served map[cc.QueueID]bool
	if free.len() <= 16 { // many free: they likely serve every queue anyway
		served = map[cc.QueueID]bool{}
		for _, o := range free.all() {
			for _, s := range o.cfg.Queues {
				served[s.Queue] = true
			}
			if len(served) == len(e.queues) {
				break
			}
		}
	}
	// First, callers whose personal manager is free get him, whatever their place in line.
	var managed []*call
	for _, c := range e.managed {
		if c.Offer == "" && !c.declined[c.Manager] && free.has(e.operators[c.Manager]) && (served == nil || served[c.Queue] || len(e.clients) > 0) {
			managed = append(managed, c)
		}
	}
	slices.SortFunc(managed, e.before)
	for _, c := range managed {
		if m := e.operators[c.Manager]; free.has(m) {
			if q := e.queues[c.Queue]; q != nil {
				pool := []*operator{m}
				e.rx = relaxState{} // his own: whatever the relaxation
				e.offer(now, q, c, pool, choose(pool, q, now, c.tried, &e.strat))
				free.remove(m)
			}
		}
	}
	// Then the line in order: the queues' lines, each in order already, merged by a heap of
	// their heads — only the first calls are looked at, whatever the length of the lines.
	line := lineHeap{items: e.heads[:0]}
	for q, calls := range e.lines {
		if len(calls) > 0 && (served == nil || served[q] || e.relaxServed(q, served)) {
			it := lineItem{calls: calls}
			if queue := e.queues[q]; queue != nil {
				it.priority = queue.Priority
			}
			line.items = append(line.items, it)
		}
	}
	heap.Init(&line)
	e.serveLine(now, free, &line)
	clear(line.items[:cap(line.items)]) // the buffer keeps no lines alive
	e.heads = line.items[:0]
}

// serveLine offers the calls of line in order to the free operators who serve their queues,
// until either runs out.
func (e *Engine) serveLine(now time.Time, free *opSet, line *lineHeap) {
	for line.Len() > 0 && free.len() > 0 {
		c := line.first()
		q := e.queues[c.Queue]
		if q == nil {
			heap.Pop(line) // the rest of its line neither
			continue
		}
		if c.Offer != "" || e.waitsForManager(now, c) {
			line.advance()
			continue
		}
		// The pool is in id order (map order must not decide); byQueue is.
		pool := e.pool[:0]
		// Either look each of the queue's operators up among the free (in id order already),
		// or go through the free and sort those who serve it: whichever costs less. Under a
		// relaxation, those of its step (relaxedPool).
		e.rx = relaxState{}
		relax := e.relaxedAt(q.ID, c, now)
		if relax != nil {
			pool = e.relaxedPool(pool, free, q.ID, relax)
		} else if serving := e.byQueue[q.ID]; len(serving) < free.len()*(1+bits.Len(uint(free.len()))) {
			for _, o := range serving {
				if free.has(o) {
					pool = append(pool, o)
				}
			}
		} else {
			for _, o := range free.all() {
				if o.cfg.Serves(q.ID) {
					pool = append(pool, o)
				}
			}
			slices.SortFunc(pool, byID)
		}
		e.pool = pool // reused by the next call: nothing keeps it
		if len(pool) == 0 && !e.widest(q.ID, relax) {
			// None of the free is in the pool of its step; a call of a lower priority further
			// on may have waited longer, and be at a wider step.
			line.skipPriority()
			continue
		}
		if len(pool) == 0 {
			// None of the free serves the queue, and the free only get fewer in a pass: the
			// rest of its line is left for another step.
			heap.Pop(line)
			continue
		}
		if pool = c.withoutDecliners(pool); len(pool) == 0 {
			line.advance() // the free who serve the queue said no to this call, not to the next
			continue
		}
		line.advance()
		r := choose(pool, q, now, c.tried, &e.strat)
		if rings(q, c) {
			for _, o := range e.offerRing(now, q, c, pool, r) {
				free.remove(o)
			}
			continue
		}
		e.offer(now, q, c, pool, r)
		free.remove(pool[r.best])
	}
}

// waitsForManager reports whether a call is still held for the caller's personal manager.
func (e *Engine) waitsForManager(now time.Time, c *call) bool {
	return c.Manager != "" && !c.declined[c.Manager] && now.Before(c.ManagerUntil)
}

// eligible says why an operator cannot take an offer now, or "" if he can.
func eligible(o *operator) string {
	switch {
	case o.cfg.Disabled:
		return "disabled"
	case o.st.State != cc.OperatorReady:
		return string(o.st.State)
	case !o.present():
		return "no live app"
	}
	return ""
}

// line returns the waiting calls without an offer, in the order they are served.
func (e *Engine) line() []*call {
	var line []*call
	for _, calls := range e.lines {
		for _, c := range calls {
			if c.Offer == "" { // offered in this pass: filed again as the step ends
				line = append(line, c)
			}
		}
	}
	slices.SortFunc(line, e.before)
	return line
}

// lineItem is a queue's line in a lineHeap, from its first call not taken yet, with the
// queue's priority looked up once.
type lineItem struct {
	calls    []*call
	priority int
}

// lineHeap merges lines of queues in the order Engine.before puts calls.
type lineHeap struct {
	items []lineItem
}

// first is the first call of the merged lines; advance moves past it.
func (h *lineHeap) first() *call { return h.items[0].calls[0] }

func (h *lineHeap) advance() {
	it := &h.items[0]
	if it.calls = it.calls[1:]; len(it.calls) == 0 {
		heap.Pop(h)
	} else {
		heap.Fix(h, 0)
	}
}

func (h *lineHeap) Len() int { return len(h.items) }
func (h *lineHeap) Less(i, j int) bool {
	a, b := &h.items[i], &h.items[j]
	if a.priority != b.priority {
		return a.priority > b.priority
	}
	return callOrder(a.calls[0], b.calls[0]) < 0
}
func (h *lineHeap) Swap(i, j int) { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *lineHeap) Push(x any)    { h.items = append(h.items, x.(lineItem)) }
func (h *lineHeap) Pop() any {
	it := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return it
}

// before orders calls: higher queue priority, then higher call priority, then earlier
// arrival, then id (ids grow with time).
func (e *Engine) before(a, b *call) int {
	pa, pb := 0, 0
	if q := e.queues[a.Queue]; q != nil {
		pa = q.Priority
	}
	if q := e.queues[b.Queue]; q != nil {
		pb = q.Priority
	}
	if pa != pb {
		return cmp.Compare(pb, pa)
	}
	return callOrder(a, b)
}

// callOrder orders calls of queues of the same priority: higher call priority, then earlier
// arrival, then id.
func callOrder(a, b *call) int {
	if a.Priority != b.Priority {
		return cmp.Compare(b.Priority, a.Priority)
	}
	if c := a.ArrivedAt.Compare(b.ArrivedAt); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// offer reserves the operator of pool r picks for call c under a new lease and tells the cloud
// to dial him.
func (e *Engine) offer(now time.Time, q *cc.Queue, c *call, pool []*operator, r ranking) {
	o := pool[r.best]
	of := e.newOffer(now, q, c)
	of.Operator = o.cfg.ID
	e.decision(e.explain(now, q, c, of, pool, r, nil))
	if q.Strategy == cc.StrategyRoundRobin {
		e.setCursor(q.ID, o.cfg.ID)
	}
	c.Offer, c.Operator = of.ID, o.cfg.ID
	c.markTried(o.cfg.ID)
	if c.Callback.Virtual() {
		e.newAttemptSession(c, of)
	}
	e.touchCall(c)
	e.setState(now, o, cc.OperatorReserved, "")
	o.st.Offer = of.ID
	e.dial(c, of, o.cfg.Contact, q.OfferTimeout)
}

// newOffer opens a lease on call c, for the caller to fill in whom it is for.
func (e *Engine) newOffer(now time.Time, q *cc.Queue, c *call) *cc.Offer {
	of := &cc.Offer{
		ID:        cc.OfferID(e.cfg.NewID("offer")),
		Call:      c.ID,
		State:     cc.OfferPending,
		OfferedAt: now,
		ExpiresAt: now.Add(q.OfferTimeout + e.cfg.OfferSlack),
	}
	e.offers[of.ID] = of
	if e.offersDueOK && (e.offersDue.IsZero() || of.ExpiresAt.Before(e.offersDue)) {
		e.offersDue = of.ExpiresAt
	}
	e.touchOffer(of)
	return of
}

// setCursor remembers where a round (of operators or spares) stopped.
func (e *Engine) setCursor(key cc.QueueID, id cc.OperatorID) {
	e.strat.cursors[key] = id
	if e.out.Cursors == nil {
		e.out.Cursors = map[cc.QueueID]cc.OperatorID{}
	}
	e.out.Cursors[key] = id
}

// ranked fills top with the indexes of the best operators of pool as r ranks them (tried
// ones after the others), best first, leaving out index skip (-1: none), and returns the part
// it filled: an insertion into a short sorted array, each operator compared with the last of
// it, so a big pool costs one comparison per operator.
func ranked(pool []*operator, r ranking, tried map[cc.OperatorID]bool, skip int, top []int) []int {
	if len(top) == 0 {
		return top
	}
	n := 0
	for i, o := range pool {
		if i == skip {
			continue
		}
		if n == len(top) && !better(o, r.values[i], pool[top[n-1]], r.values[top[n-1]], tried) {
			continue
		}
		j := min(n, len(top)-1)
		for j > 0 && better(o, r.values[i], pool[top[j-1]], r.values[top[j-1]], tried) {
			top[j] = top[j-1]
			j--
		}
		top[j] = i
		n = min(n+1, len(top))
	}
	return top[:n]
}

// explain builds the decision record, bounded whatever the size of the queue: the chosen
// operator, the next best of the free ones in rank order, and the queue's other operators as
// counts by reason with a few named examples. Only the listed operators cost an allocation
// (their value in words); the others are counted in place. ring is the ring the chosen one
// is rung in (ring_all); nil for an offer to him alone.
func (e *Engine) explain(now time.Time, q *cc.Queue, c *call, of *cc.Offer, pool []*operator, r ranking, ring *ringing) cc.Decision {
	chosen := pool[r.best]
	// The next best of the pool after the chosen one, best first.
	var buf [cc.DecisionRanked]int
	top := ring.ranked(pool, r, c.tried, buf[:])
	n := len(top)
	today := day(now)
	candidate := func(o *operator) cc.Candidate {
		m := &o.st.Marks
		calls := m.CallsToday
		if m.Day != today {
			calls = 0
		}
		return cc.Candidate{Operator: o.cfg.ID, State: o.st.State, Level: o.level(q.ID), Score: m.Score, CallsToday: calls}
	}
	cands := make([]cc.Candidate, 0, 1+n+cc.DecisionExamples)
	for k := -1; k < n; k++ {
		i := r.best
		if k >= 0 {
			i = top[k]
		}
		o := pool[i]
		cand := candidate(o)
		cand.Eligible = true
		cand.Idle = now.Sub(o.st.IdleSince)
		cand.Value, cand.ValueString = r.values[i], ring.text(r, i)
		if c.tried[o.cfg.ID] && o != chosen {
			cand.ExcludedBecause = "already offered this call"
		}
		cands = append(cands, cand)
	}
	left := ring.leftOut(e, q, c, chosen, pool)
	for _, x := range left.examples[:left.n] {
		cand := candidate(x.o)
		cand.ExcludedBecause = x.why
		if x.eligible {
			cand.Eligible = true
			cand.Idle = now.Sub(x.o.st.IdleSince)
		}
		cands = append(cands, cand)
	}
	strategy := q.Strategy
	if strategy == "" {
		strategy = cc.StrategyLongestIdle
	}
	var rule string
	if ring != nil {
		rule = ringRule(chosen, ring.ops, strategy, cands[0].ValueString, len(pool))
	} else {
		rule = fmt.Sprintf("%s ranks first by %s (%s) of %d free", chosen.cfg.Name, strategy, cands[0].ValueString, len(pool))
	}
	switch {
	case c.Manager == chosen.cfg.ID:
		rule = chosen.cfg.Name + " is the caller's personal manager"
	case c.Manager != "":
		rule += fmt.Sprintf("; personal manager %s was busy for %s", c.Manager, fmtDuration(now.Sub(c.ArrivedAt)))
	case c.managerNote != "":
		rule += "; " + c.managerNote
	}
	var relax *cc.RelaxPool
	var relaxText string
	if p := e.rx.pool; p != nil {
		relax = &cc.RelaxPool{Step: p.Step, After: p.After, MinLevel: p.MinLevel, Also: slices.Clone(p.Also)}
		if relaxText = q.Rules.Relax.Describe(*p); relaxText != "" {
			rule += "; " + relaxText
		}
	}
	if by := c.Transfer.From; by != "" {
		if o := e.operators[by]; o != nil {
			by = cc.OperatorID(o.cfg.Name)
		}
		rule += "; transferred by " + string(by)
	}
	return cc.Decision{
		Call:             c.ID,
		Offer:            of.ID,
		DecidedAt:        now,
		Strategy:         strategy,
		Operator:         chosen.cfg.ID,
		Rule:             rule,
		Candidates:       cands,
		EligibleCount:    len(pool),
		ExcludedCount:    left.excluded,
		ExcludedByReason: left.byReason,
		Relax:            relax,
		RelaxText:        relaxText,
	}
}

// leftOut is the decision record's account of the queue's operators outside the pool: how
// many, how many for each reason, and the first few of them in id order as examples (at most
// two of each reason).
type leftOut struct {
	excluded int
	byReason map[string]int
	examples [cc.DecisionExamples]example
	n        int
}

type example struct {
	o        *operator
	why      string
	eligible bool // free, but not in the pool
}

// leftOutReason is why an operator who could take an offer was not in the pool of call c.
func leftOutReason(c *call, chosen *operator) (string, bool) {
	if c.Manager == chosen.cfg.ID {
		return "the caller's personal manager is free and takes his calls first", true
	}
	if len(c.declined) > 0 { // the free left out are counted together: say both
		return "declined this call, or taken by an earlier call in line", false
	}
	return "taken by an earlier call in line", false
}

// leftOut counts the operators of queue q outside the pool by reason from the queue's
// roster, which marks them by reason in id order: the counts are the marks less the pool's
// members, and the examples the first marked — the first two of each reason, and of those the
// first ones in id order, as a walk of the whole queue would meet them. Only the operators
// who could take an offer include members of the pool; they are skipped, in id order too.
func (e *Engine) leftOut(q *cc.Queue, c *call, chosen *operator, pool []*operator) leftOut {
	inQueue := 0 // the pool's members who serve q: the manager's pool of one may not
	for _, o := range pool {
		if o.why != "" {
			return e.leftOutWalk(q, c, chosen, pool) // not expected: the pool is of the free
		}
		if o.serves(q.ID) {
			inQueue++
		}
	}
	var out leftOut
	r := e.staff[q.ID]
	if r == nil {
		return out
	}
	ops := e.byQueue[q.ID]
	var heads [2 * 16]example // two of each reason: there are fewer than ten, and five levels
	ex := heads[:0]
	// Under a relaxation, the free of q below its step's level are not in the pool either: by
	// level, as serveLine counted them.
	rx := &e.rx
	var belowFound [len(rx.below)]int
	for l, n := range rx.below {
		if n > 0 {
			if out.byReason == nil {
				out.byReason = make(map[string]int, len(r.byWhy)+1)
			}
			out.byReason[belowWhy(l, rx.pool)] = n
			out.excluded += n
		}
	}
	belowDone := func() bool {
		for l, n := range rx.below {
			if belowFound[l] < min(n, 2) {
				return false
			}
		}
		return true
	}
	for why, set := range r.byWhy {
		n := set.n
		label, eligibleToo := why, false
		if why == "" {
			n -= inQueue + rx.belowTotal()
			label, eligibleToo = leftOutReason(c, chosen)
		}
		if n <= 0 && (why != "" || belowDone()) {
			continue
		}
		if n > 0 {
			if out.byReason == nil {
				out.byReason = make(map[string]int, len(r.byWhy))
			}
			out.byReason[label] = n
			out.excluded += n
		}
		found, p := 0, 0
	words:
		for i, w := range set.words {
			for w != 0 {
				b := bits.TrailingZeros64(w)
				w &^= 1 << b
				o := ops[i*64+b]
				if why == "" { // skip the pool's members: both are in id order
					for p < len(pool) && pool[p].cfg.ID < o.cfg.ID {
						p++
					}
					if p < len(pool) && pool[p] == o {
						continue
					}
					if rx.pool != nil {
						if l := o.level(q.ID); l < rx.pool.MinLevel {
							if belowFound[l] < 2 {
								ex = append(ex, example{o: o, why: belowWhy(l, rx.pool)})
								belowFound[l]++
							}
							if found >= min(n, 2) && belowDone() {
								break words
							}
							continue
						}
					}
				}
				if found < 2 {
					ex = append(ex, example{o: o, why: label, eligible: eligibleToo})
					found++
				}
				if found >= min(n, 2) && (why != "" || belowDone()) {
					break words
				}
			}
		}
	}
	slices.SortFunc(ex, func(a, b example) int { return cmp.Compare(a.o.cfg.ID, b.o.cfg.ID) })
	out.n = copy(out.examples[:], ex)
	return out
}

// serves reports whether o serves queue q.
func (o *operator) serves(q cc.QueueID) bool {
	for _, s := range o.cfg.Queues {
		if s.Queue == q {
			return true
		}
	}
	return false
}

// leftOutWalk is leftOut by a walk of the whole queue, asking each operator why.
func (e *Engine) leftOutWalk(q *cc.Queue, c *call, chosen *operator, pool []*operator) leftOut {
	// Counted in a short list (there are a handful of reasons, most of them the same few
	// strings) rather than a map: no hashing of a string per operator.
	type count struct {
		why string
		n   int
	}
	var counts [8]count
	reasons := counts[:0]
	var out leftOut
	p := 0
	for _, o := range e.byQueue[q.ID] { // in id order, as the pool
		for p < len(pool) && pool[p].cfg.ID < o.cfg.ID {
			p++
		}
		if p < len(pool) && pool[p] == o {
			continue
		}
		eligibleToo := false
		why := eligible(o)
		switch {
		case why != "":
		case e.rx.pool != nil && o.level(q.ID) < e.rx.pool.MinLevel:
			why = belowWhy(o.level(q.ID), e.rx.pool)
		default:
			why, eligibleToo = leftOutReason(c, chosen)
		}
		out.excluded++
		r := 0
		for r < len(reasons) && reasons[r].why != why {
			r++
		}
		if r == len(reasons) {
			reasons = append(reasons, count{why: why})
		}
		reasons[r].n++
		if out.n < len(out.examples) && reasons[r].n <= 2 {
			out.examples[out.n] = example{o: o, why: why, eligible: eligibleToo}
			out.n++
		}
	}
	if len(reasons) > 0 {
		out.byReason = make(map[string]int, len(reasons))
		for _, r := range reasons {
			out.byReason[r.why] = r.n
		}
	}
	return out
}
