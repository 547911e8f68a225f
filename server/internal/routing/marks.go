package routing

import (
	"fmt"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// This file keeps the operators' marks: how they answer, what they miss, and the bans that
// follow repeated misses.

// day numbers UTC days from 1970-01-01: cheap enough to ask on every ranking.
func day(now time.Time) int64 { return now.Unix() / 86400 }

// today returns the operator's marks with the "today" figures of today (zero on a new day).
func (o *operator) today(now time.Time) cc.Marks {
	m := o.st.Marks
	if m.Day != day(now) {
		m.Day, m.CallsToday, m.TalkToday, m.Bans, m.DeclinesToday = day(now), 0, 0, 0, 0
	}
	return m
}

// level is the operator's skill level in queue q (0 when he does not serve it).
func (o *operator) level(q cc.QueueID) int {
	for _, s := range o.cfg.Queues {
		if s.Queue == q {
			return s.Level
		}
	}
	return 0
}

func ewma(avg, x float64) float64 { return (1-cc.MarkWeight)*avg + cc.MarkWeight*x }

// markAnswered records an answered offer.
func (e *Engine) markAnswered(now time.Time, o *operator, ring time.Duration) {
	m := o.today(now)
	m.AnswerRate = ewma(m.AnswerRate, 1)
	m.RingTime = time.Duration(ewma(float64(m.RingTime), float64(ring)))
	m.ConsecutiveMisses = 0
	m.ConsecutiveDeclines = 0
	m.Unreached = 0
	m.Score = m.ComputeScore().Points
	o.st.Marks = m
	e.touchStatus(o)
}

// markCallDone records a finished call.
func (e *Engine) markCallDone(now time.Time, o *operator, talk time.Duration) {
	m := o.today(now)
	m.CallsHandled++
	m.TalkTime += talk
	m.CallsToday++
	m.TalkToday += talk
	o.st.Marks = m
	e.touchStatus(o)
}

// unmarkCallDone takes back the call counted handled when operator o let go of it for a
// transfer the scenario did not carry out: he is on it again, and its end counts it once. His
// talk until then stays counted; the end adds the talk after it.
func (e *Engine) unmarkCallDone(now time.Time, o *operator) {
	m := o.today(now)
	m.CallsHandled = max(m.CallsHandled-1, 0)
	m.CallsToday = max(m.CallsToday-1, 0)
	o.st.Marks = m
	e.touchStatus(o)
}

// markMissed records a missed offer of queue q — one that reached his phone (see
// cc.PhoneReached) — and applies q's rules: a ban after too many
// misses within the window, away after too many in a row, else ready again at his old place.
func (e *Engine) markMissed(now time.Time, o *operator, q *cc.Queue, why string) {
	rules := cc.QueueRules{}
	if q != nil {
		rules = q.Rules
	}
	m := o.today(now)
	m.AnswerRate = ewma(m.AnswerRate, 0)
	m.OffersMissed++
	m.ConsecutiveMisses++
	m.Unreached = 0 // it reached his phone
	kept := m.RecentMisses[:0:0]
	for _, t := range m.RecentMisses {
		if rules.BanWindow <= 0 || now.Sub(t) < rules.BanWindow {
			kept = append(kept, t)
		}
	}
	m.RecentMisses = append(kept, now)
	m.Score = m.ComputeScore().Points
	o.st.Marks = m

	idle := o.st.IdleSince
	switch {
	case rules.BanAfterMisses > 0 && len(m.RecentMisses) >= rules.BanAfterMisses && len(rules.BanSteps) > 0:
		step := rules.BanSteps[min(m.Bans, len(rules.BanSteps)-1)]
		e.setState(now, o, cc.OperatorBanned, fmt.Sprintf("banned for %s: %d missed calls within %s (last: %s)", fmtDuration(step), len(m.RecentMisses), fmtDuration(rules.BanWindow), why))
		o.st.BannedUntil = now.Add(step)
		o.st.Marks.Bans++
		o.st.Marks.RecentMisses = nil
	case m.ConsecutiveMisses >= max(rules.AwayAfterMisses, 1):
		e.setState(now, o, cc.OperatorAway, why)
	default:
		e.setState(now, o, cc.OperatorReady, "")
		o.st.IdleSince = idle
	}
}

// LiftBan ends an operator's ban early; he is away until he presses Ready.
func (e *Engine) LiftBan(now time.Time, id cc.OperatorID) (cc.Changes, error) {
	o, err := e.operatorOr404(id)
	if err != nil {
		return e.fail(err)
	}
	if o.st.State != cc.OperatorBanned {
		return e.fail(cc.Errorf(cc.CodeFailedPrecondition, "operator %s is %s, not banned", o.cfg.Name, o.st.State))
	}
	e.setState(now, o, cc.OperatorAway, "ban lifted by a supervisor: press Ready")
	return e.finish(now), nil
}
