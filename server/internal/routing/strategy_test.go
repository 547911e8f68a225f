package routing

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// op makes a free operator for ranking tests.
func op(id string, idle time.Duration, level int, m cc.Marks) *operator {
	return &operator{
		cfg: cc.Operator{ID: cc.OperatorID(id), Name: id, Queues: []cc.QueueSkill{{Queue: "q", Level: level}}},
		st:  cc.OperatorStatus{Operator: cc.OperatorID(id), State: cc.OperatorReady, IdleSince: t0.Add(-idle), Marks: m},
	}
}

func marks(calls int, talk time.Duration, score float64) cc.Marks {
	return cc.Marks{Day: day(t0), CallsToday: calls, TalkToday: talk, Score: score, AnswerRate: 1}
}

func TestStrategiesPickTheirOperator(t *testing.T) {
	pool := func() []*operator {
		return []*operator{
			op("ann", 1*time.Minute, 2, marks(5, 10*time.Minute, 90)),
			op("bob", 9*time.Minute, 1, marks(7, 3*time.Minute, 60)),
			op("cat", 4*time.Minute, 5, marks(2, 20*time.Minute, 95)),
		}
	}
	for _, tc := range []struct {
		strategy cc.Strategy
		want     string
	}{
		{cc.StrategyLongestIdle, "bob"},
		{cc.StrategyFewestCalls, "cat"},
		{cc.StrategyLeastTalk, "bob"},
		{cc.StrategyBestMarks, "cat"},
		{cc.StrategySkillLevel, "cat"},
		{"", "bob"}, // unset: longest idle
	} {
		p := pool()
		q := &cc.Queue{ID: "q", Strategy: tc.strategy}
		r := choose(p, q, t0, nil, &strategyState{})
		if got := p[r.best].cfg.Name; got != tc.want {
			t.Errorf("%s chose %s (%v), want %s", tc.strategy, got, r.values, tc.want)
		}
	}
}

// TestEveryStrategyRanks: a queue may name any of cc.Strategies (Queue.Check allows those), and
// each has its ranker here; no ranker is out of reach.
func TestEveryStrategyRanks(t *testing.T) {
	for _, s := range cc.Strategies {
		if rankers[s] == nil {
			t.Errorf("strategy %q has no ranker", s)
		}
	}
	if len(rankers) != len(cc.Strategies) {
		t.Errorf("%d rankers for %d strategies", len(rankers), len(cc.Strategies))
	}
}

func TestStrategyTiesGoToTheLongestIdle(t *testing.T) {
	p := []*operator{op("ann", time.Minute, 3, marks(1, 0, 80)), op("bob", 5*time.Minute, 3, marks(1, 0, 80))}
	for _, s := range []cc.Strategy{cc.StrategyFewestCalls, cc.StrategyBestMarks, cc.StrategySkillLevel, cc.StrategyLeastTalk} {
		best := choose(p, &cc.Queue{ID: "q", Strategy: s}, t0, nil, &strategyState{})
		if p[best.best].cfg.Name != "bob" {
			t.Errorf("%s tie went to %s", s, p[best.best].cfg.Name)
		}
	}
}

func TestTriedOperatorsGoLast(t *testing.T) {
	p := []*operator{op("ann", time.Minute, 3, marks(0, 0, 100)), op("bob", 5*time.Minute, 3, marks(0, 0, 100))}
	best := choose(p, &cc.Queue{ID: "q"}, t0, map[cc.OperatorID]bool{"bob": true}, &strategyState{})
	if p[best.best].cfg.Name != "ann" {
		t.Fatalf("chose %s, who already had the call", p[best.best].cfg.Name)
	}
}

func TestRoundRobinGoesRoundFromWhereItStopped(t *testing.T) {
	s := &strategyState{cursors: map[cc.QueueID]cc.OperatorID{}}
	q := &cc.Queue{ID: "q", Strategy: cc.StrategyRoundRobin}
	p := []*operator{op("cat", 0, 1, cc.Marks{}), op("ann", 0, 1, cc.Marks{}), op("bob", 0, 1, cc.Marks{})}
	var got []string
	for range 5 {
		best := choose(p, q, t0, nil, s)
		got = append(got, p[best.best].cfg.Name)
		s.cursors[q.ID] = p[best.best].cfg.ID
	}
	if want := "ann bob cat ann bob"; strings.Join(got, " ") != want {
		t.Fatalf("round robin = %s, want %s", strings.Join(got, " "), want)
	}
	// The one after the cursor left: the next in id order still comes next.
	s.cursors[q.ID] = "bob"
	p = []*operator{op("ann", 0, 1, cc.Marks{}), op("dan", 0, 1, cc.Marks{})}
	if best := choose(p, q, t0, nil, s); p[best.best].cfg.Name != "dan" {
		t.Fatalf("after bob (gone) chose %s, want dan", p[best.best].cfg.Name)
	}
}

func TestRandomIsSeededAndSpreads(t *testing.T) {
	p := []*operator{op("ann", 0, 1, cc.Marks{}), op("bob", 0, 1, cc.Marks{}), op("cat", 0, 1, cc.Marks{})}
	q := &cc.Queue{ID: "q", Strategy: cc.StrategyRandom}
	draw := func(seed uint64) []string {
		s := &strategyState{rand: rand.New(rand.NewPCG(seed, seed))}
		var got []string
		for range 300 {
			best := choose(p, q, t0, nil, s)
			got = append(got, p[best.best].cfg.Name)
		}
		return got
	}
	a, b := draw(7), draw(7)
	if strings.Join(a, " ") != strings.Join(b, " ") {
		t.Fatal("same seed, different draws")
	}
	counts := map[string]int{}
	for _, n := range a {
		counts[n]++
	}
	for _, n := range []string{"ann", "bob", "cat"} {
		if counts[n] < 60 { // expected 100 each; 60 is over 4 standard deviations below
			t.Fatalf("random chose %v", counts)
		}
	}
}

// TestEveryStrategyRanks: every strategy the domain names (and the API accepts) has a ranker.
