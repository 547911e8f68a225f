package routing

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// A ranker gives each free operator of pool a value for queue q, lower going first, in
// values (as long as pool); ties go to the longest idle. It returns how to put an operator's
// value in words: a decision record asks that only of the few operators it lists, so ranking
// a big pool allocates nothing per operator.
type ranker func(pool []*operator, q *cc.Queue, now time.Time, s *strategyState, values []float64) (text func(i int) string)

// strategyState is what strategies remember between decisions.
type strategyState struct {
	cursors map[cc.QueueID]cc.OperatorID // round robin: who got the queue's last offer
	rand    *rand.Rand
	values  []float64 // the last decision's values, reused (the engine is one goroutine)
	ids     []cc.OperatorID
}

var rankers = map[cc.Strategy]ranker{
	cc.StrategyLongestIdle: rankLongestIdle,
	cc.StrategyRoundRobin:  rankRoundRobin,
	cc.StrategyFewestCalls: rankFewestCalls,
	cc.StrategyLeastTalk:   rankLeastTalk,
	cc.StrategyBestMarks:   rankBestMarks,
	cc.StrategySkillLevel:  rankSkillLevel,
	cc.StrategyRandom:      rankRandom,
	cc.StrategyRingAll:     rankLongestIdle, // the ring: the first RingAtOnce of this order
}

func rankLongestIdle(pool []*operator, _ *cc.Queue, now time.Time, _ *strategyState, values []float64) func(int) string {
	for i, o := range pool {
		values[i] = -now.Sub(o.st.IdleSince).Seconds()
	}
	return func(i int) string { return "idle " + fmtDuration(now.Sub(pool[i].st.IdleSince)) }
}

func rankFewestCalls(pool []*operator, _ *cc.Queue, now time.Time, _ *strategyState, values []float64) func(int) string {
	for i, o := range pool {
		values[i] = float64(o.today(now).CallsToday)
	}
	return func(i int) string { return fmt.Sprintf("%d calls today", pool[i].today(now).CallsToday) }
}

func rankLeastTalk(pool []*operator, _ *cc.Queue, now time.Time, _ *strategyState, values []float64) func(int) string {
	for i, o := range pool {
		values[i] = o.today(now).TalkToday.Seconds()
	}
	return func(i int) string { return "talked " + fmtDuration(pool[i].today(now).TalkToday) + " today" }
}

func rankBestMarks(pool []*operator, _ *cc.Queue, _ time.Time, _ *strategyState, values []float64) func(int) string {
	for i, o := range pool {
		values[i] = -o.st.Marks.Score
	}
	return func(i int) string { return fmt.Sprintf("score %.0f", pool[i].st.Marks.Score) }
}

func rankSkillLevel(pool []*operator, q *cc.Queue, _ time.Time, _ *strategyState, values []float64) func(int) string {
	for i, o := range pool {
		values[i] = -float64(o.level(q.ID))
	}
	return func(i int) string { return fmt.Sprintf("level %d", pool[i].level(q.ID)) }
}

func rankRandom(pool []*operator, _ *cc.Queue, _ time.Time, s *strategyState, values []float64) func(int) string {
	for i := range pool {
		values[i] = s.rand.Float64()
	}
	return func(i int) string { return fmt.Sprintf("drew %.3f", values[i]) }
}

// rankRoundRobin goes round the queue's operators in id order, starting after the one who got
// the queue's last offer.
func rankRoundRobin(pool []*operator, q *cc.Queue, _ time.Time, s *strategyState, values []float64) func(int) string {
	ids := s.ids[:0]
	sorted := true
	for i, o := range pool {
		ids = append(ids, o.cfg.ID)
		if i > 0 && ids[i-1] > ids[i] {
			sorted = false
		}
	}
	if !sorted {
		slices.Sort(ids)
	}
	s.ids = ids
	last := s.cursors[q.ID]
	start, _ := slices.BinarySearch(ids, last)
	if start < len(ids) && ids[start] == last {
		start++
	}
	for i, o := range pool {
		at := i
		if !sorted {
			at, _ = slices.BinarySearch(ids, o.cfg.ID)
		}
		values[i] = float64((at - start + len(ids)) % len(ids))
	}
	return func(i int) string {
		return fmt.Sprintf("turn %d after %s", int(values[i])+1, cmp.Or(string(last), "the start"))
	}
}

// ranking is a strategy's verdict on a pool of free operators: each one's value (lower goes
// first), the index of the one it picks, and the value of any of them in words.
type ranking struct {
	values []float64
	best   int
	text   func(i int) string
}

// choose ranks the operators of pool by the queue's strategy and picks the first. Operators
// already offered this call go after the others; ties go to the longest idle, then the
// lowest id. The values are valid until the next choose with the same s.
func choose(pool []*operator, q *cc.Queue, now time.Time, tried map[cc.OperatorID]bool, s *strategyState) ranking {
	rk := rankers[q.Strategy]
	if rk == nil {
		rk = rankLongestIdle
	}
	s.values = slices.Grow(s.values[:0], len(pool))[:len(pool)]
	r := ranking{values: s.values}
	r.text = rk(pool, q, now, s, r.values)
	for i := 1; i < len(pool); i++ {
		if better(pool[i], r.values[i], pool[r.best], r.values[r.best], tried) {
			r.best = i
		}
	}
	return r
}

func better(a *operator, va float64, b *operator, vb float64, tried map[cc.OperatorID]bool) bool {
	if ta, tb := tried[a.cfg.ID], tried[b.cfg.ID]; ta != tb {
		return tb
	}
	if va != vb {
		return va < vb
	}
	if c := a.st.IdleSince.Compare(b.st.IdleSince); c != 0 {
		return c < 0
	}
	return a.cfg.ID < b.cfg.ID
}
