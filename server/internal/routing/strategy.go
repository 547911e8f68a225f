package routing

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// rank is what a strategy says of one free operator for one queue: lower goes first.
type rank struct {
	value float64
	text  string
}

// ranker ranks the free operators of pool for queue q; ties go to the longest idle.
type ranker func(pool []*operator, q *cc.Queue, now time.Time, s *strategyState) []rank

// strategyState is what strategies remember between decisions.
type strategyState struct {
	cursors map[cc.QueueID]cc.OperatorID // round robin: who got the queue's last offer
	rand    *rand.Rand
}

var rankers = map[cc.Strategy]ranker{
	cc.StrategyLongestIdle: rankLongestIdle,
	cc.StrategyRoundRobin:  rankRoundRobin,
	cc.StrategyFewestCalls: rankFewestCalls,
	cc.StrategyLeastTalk:   rankLeastTalk,
	cc.StrategyBestMarks:   rankBestMarks,
	cc.StrategySkillLevel:  rankSkillLevel,
	cc.StrategyRandom:      rankRandom,
}

// KnownStrategy reports whether s names a strategy.
func KnownStrategy(s cc.Strategy) bool { _, ok := rankers[s]; return ok }

func each(pool []*operator, f func(o *operator) rank) []rank {
	out := make([]rank, len(pool))
	for i, o := range pool {
		out[i] = f(o)
	}
	return out
}

func rankLongestIdle(pool []*operator, _ *cc.Queue, now time.Time, _ *strategyState) []rank {
	return each(pool, func(o *operator) rank {
		idle := now.Sub(o.st.IdleSince)
		return rank{-idle.Seconds(), "idle " + fmtDuration(idle)}
	})
}

func rankFewestCalls(pool []*operator, _ *cc.Queue, now time.Time, _ *strategyState) []rank {
	return each(pool, func(o *operator) rank {
		n := o.today(now).CallsToday
		return rank{float64(n), fmt.Sprintf("%d calls today", n)}
	})
}

func rankLeastTalk(pool []*operator, _ *cc.Queue, now time.Time, _ *strategyState) []rank {
	return each(pool, func(o *operator) rank {
		t := o.today(now).TalkToday
		return rank{t.Seconds(), "talked " + fmtDuration(t) + " today"}
	})
}

func rankBestMarks(pool []*operator, _ *cc.Queue, _ time.Time, _ *strategyState) []rank {
	return each(pool, func(o *operator) rank {
		return rank{-o.st.Marks.Score, fmt.Sprintf("score %.0f", o.st.Marks.Score)}
	})
}

func rankSkillLevel(pool []*operator, q *cc.Queue, _ time.Time, _ *strategyState) []rank {
	return each(pool, func(o *operator) rank {
		l := o.level(q.ID)
		return rank{-float64(l), fmt.Sprintf("level %d", l)}
	})
}

func rankRandom(pool []*operator, _ *cc.Queue, _ time.Time, s *strategyState) []rank {
	return each(pool, func(*operator) rank {
		v := s.rand.Float64()
		return rank{v, fmt.Sprintf("drew %.3f", v)}
	})
}

// rankRoundRobin goes round the queue's operators in id order, starting after the one who got
// the queue's last offer.
func rankRoundRobin(pool []*operator, q *cc.Queue, _ time.Time, s *strategyState) []rank {
	ids := make([]cc.OperatorID, len(pool))
	for i, o := range pool {
		ids[i] = o.cfg.ID
	}
	slices.Sort(ids)
	last := s.cursors[q.ID]
	start, _ := slices.BinarySearch(ids, last)
	if start < len(ids) && ids[start] == last {
		start++
	}
	return each(pool, func(o *operator) rank {
		i, _ := slices.BinarySearch(ids, o.cfg.ID)
		turn := (i - start + len(ids)) % len(ids)
		return rank{float64(turn), fmt.Sprintf("turn %d after %s", turn+1, cmp.Or(string(last), "the start"))}
	})
}

// choose returns the index in pool of the operator the queue's strategy picks, and every
// operator's rank. Operators already offered this call go after the others; ties go to the
// longest idle, then the lowest id.
func choose(pool []*operator, q *cc.Queue, now time.Time, tried map[cc.OperatorID]bool, s *strategyState) (int, []rank) {
	rk := rankers[q.Strategy]
	if rk == nil {
		rk = rankLongestIdle
	}
	ranks := rk(pool, q, now, s)
	best := 0
	for i := 1; i < len(pool); i++ {
		if better(pool[i], ranks[i], pool[best], ranks[best], tried) {
			best = i
		}
	}
	return best, ranks
}

func better(a *operator, ra rank, b *operator, rb rank, tried map[cc.OperatorID]bool) bool {
	if ta, tb := tried[a.cfg.ID], tried[b.cfg.ID]; ta != tb {
		return tb
	}
	if ra.value != rb.value {
		return ra.value < rb.value
	}
	if c := a.st.IdleSince.Compare(b.st.IdleSince); c != 0 {
		return c < 0
	}
	return a.cfg.ID < b.cfg.ID
}
