package simulate

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// recordedFigures tallies the recorded calls (sl with its defaults).
func recordedFigures(calls []cc.RecordedCall, sl cc.ServiceLevel) cc.Figures {
	var f cc.Figures
	for _, c := range calls {
		switch {
		case c.Callback.Virtual():
			if c.Callback.Result == cc.CallbackConnected {
				f.CallbacksConnected++
			} else if c.State.Finished() {
				f.CallbackAttemptsFailed++
			}
			if c.Callback.GaveUp {
				f.CallbacksGivenUp++
			}
			continue
		case c.CalledBack:
			f.CallbacksRequested++ // not a received call: its callback serves it
			continue
		}
		f.CallsReceived++
		switch {
		case !c.AnsweredAt.IsZero():
			f.CallsAnswered++
			wait := max(c.AnsweredAt.Sub(c.ArrivedAt), 0)
			f.AnswerTimeTotal += wait
			f.AnswerTimeMax = max(f.AnswerTimeMax, wait)
			f.Histogram[cc.HistogramBucket(wait)]++
			f.TalkTime += c.TalkTime
			if wait <= sl.Threshold {
				f.AnsweredWithin++
			}
		case c.State == cc.CallAbandoned:
			f.CallsAbandoned++
			wait := max(c.EndedAt.Sub(c.ArrivedAt), 0)
			if wait < sl.ShortAbandon {
				f.ShortAbandons++
			} else if wait <= sl.Threshold {
				f.AbandonedWithin++
			}
		case c.State == cc.CallLost:
			f.CallsLost++
		}
	}
	return f
}

// scripted is one arrival of a replay: when (since the start), how long it talks once
// answered, and how long its caller waits before hanging up (0: for ever).
type scripted struct {
	at, talk, patience time.Duration
	callback           bool // accepts a call back when offered one
}

// Replay runs the recorded arrivals of cfg through the routing engine with cfg.Operators
// identical operators, all ready from the start. Each call talks as long as it did (calls
// never answered talk the day's mean), and each caller hangs up after an exponential patience
// whose mean is the day's total wait over its abandons: the maximum-likelihood estimate of an
// exponential patience from waits cut short by answers. When nobody abandoned, nobody does.
func Replay(ctx context.Context, cfg cc.Replay) (cc.ReplayResult, error) {
	switch {
	case cfg.Operators < 1:
		return cc.ReplayResult{}, errors.New("operators: need at least one")
	case !cfg.From.Before(cfg.To):
		return cc.ReplayResult{}, errors.New("range: from must be before to")
	case cfg.WrapUp < 0, cfg.OfferTimeout < 0:
		return cc.ReplayResult{}, errors.New("wrap-up and offer timeout must not be negative")
	}
	sl := cfg.ServiceLevel.OrDefaults()
	// The arrivals are replayed; the callback attempts of the day are not (the replay makes
	// its own), but tell how often a customer called back does not answer.
	calls := make([]cc.RecordedCall, 0, len(cfg.Calls))
	var recorded []cc.RecordedCall
	attempts, unanswered := 0, 0
	for _, c := range cfg.Calls {
		if c.ArrivedAt.Before(cfg.From) || !c.ArrivedAt.Before(cfg.To) {
			continue
		}
		recorded = append(recorded, c)
		switch {
		case !c.Callback.Virtual():
			calls = append(calls, c)
		case c.Callback.Result == cc.CallbackConnected:
			attempts++
		case c.Callback.Result != "" && c.Callback.Result != cc.CallbackCancelled && c.Callback.Result != cc.CallbackNotStarted:
			attempts++
			unanswered++
		}
	}
	slices.SortStableFunc(calls, func(a, b cc.RecordedCall) int { return a.ArrivedAt.Compare(b.ArrivedAt) })
	res := cc.ReplayResult{Calls: len(calls), Recorded: recordedFigures(recorded, sl)}
	if len(calls) == 0 {
		return res, nil
	}

	// What the recording says: talk times, and the waits and abandons for the patience.
	var talkSum, waitSum time.Duration
	var talked, abandoned int
	talks := make([]time.Duration, len(calls))
	for i, c := range calls {
		switch {
		case !c.AnsweredAt.IsZero():
			waitSum += max(c.AnsweredAt.Sub(c.ArrivedAt), 0)
			talk := c.TalkTime
			if talk <= 0 && c.EndedAt.After(c.AnsweredAt) {
				talk = c.EndedAt.Sub(c.AnsweredAt)
			}
			if talk > 0 {
				talks[i] = talk
				talkSum += talk
				talked++
			}
		case !c.EndedAt.IsZero(): // abandoned, lost or ended unanswered: waited until then
			waitSum += max(c.EndedAt.Sub(c.ArrivedAt), 0)
		}
		if c.State == cc.CallAbandoned {
			abandoned++
		}
	}
	if talked == 0 {
		return res, cc.Errorf(cc.CodeFailedPrecondition, "no call of the %d recorded was answered: there are no talk times to replay", len(calls))
	}
	res.MeanTalk = talkSum / time.Duration(talked)
	if abandoned > 0 {
		res.MeanPatience = max(waitSum/time.Duration(abandoned), time.Millisecond)
	}

	patience := rand.New(rand.NewPCG(cfg.Seed, 3))
	script := make([]scripted, len(calls))
	for i, c := range calls {
		a := scripted{at: c.ArrivedAt.Sub(cfg.From), talk: talks[i], callback: c.CalledBack}
		if a.talk <= 0 {
			a.talk = res.MeanTalk
		}
		if res.MeanPatience > 0 {
			a.patience = seconds(patience.ExpFloat64() * res.MeanPatience.Seconds())
		}
		script[i] = a
	}

	window := cfg.To.Sub(cfg.From)
	sc := Config{
		Operators:    cfg.Operators,
		CallsPerHour: float64(len(calls)) / window.Hours(),
		AHT:          res.MeanTalk,
		Calls:        len(calls),
		Seed:         cfg.Seed,
		SLThreshold:  sl.Threshold,
		Patience:     res.MeanPatience,
		WrapUp:       cfg.WrapUp,
		Strategy:     cfg.Strategy,
		OfferTimeout: cfg.OfferTimeout,
		// The queue's callback offer; who accepts is the script's (the callers who did).
		CallbackAfter:      cfg.Callback.OfferAfter,
		CallbackOverWait:   cfg.Callback.OfferOverWait,
		CallbackAttempts:   cfg.Callback.Attempts,
		CallbackRetryAfter: cfg.Callback.RetryAfter,
	}
	if attempts > 0 {
		sc.CallbackNoAnswer = float64(unanswered) / float64(attempts)
	}
	if err := sc.normalise(); err != nil {
		return res, err
	}
	s := newSim(ctx, sc)
	s.script = script
	s.arrivalsEnd = Epoch.Add(window)
	if err := s.run(); err != nil {
		return res, err
	}

	for i, o := range s.outcome {
		switch {
		case o.calledBack:
			res.CallbacksRequested++
			res.CallbacksConnected += b2i(o.callbackConnected)
			res.CallbacksGivenUp += b2i(o.callbackGivenUp)
		case o.answered:
			res.Answered++
			res.AnswerTimeTotal += o.wait
			if o.wait <= sl.Threshold {
				res.AnsweredWithin++
			}
		case o.abandoned:
			res.Abandoned++
			if wait := script[i].patience; wait < sl.ShortAbandon {
				res.ShortAbandons++
			} else if wait <= sl.Threshold {
				res.AbandonedWithin++
			}
		}
	}
	f := cc.Figures{CallsAnswered: int64(res.Answered), AnsweredWithin: int64(res.AnsweredWithin),
		CallsAbandoned: int64(res.Abandoned), ShortAbandons: int64(res.ShortAbandons), AbandonedWithin: int64(res.AbandonedWithin)}
	res.ServiceLevel, _ = f.ServiceLevel(sl.Abandoned)
	if res.Answered > 0 {
		res.ASA = res.AnswerTimeTotal / time.Duration(res.Answered)
	}
	res.AbandonRate = float64(res.Abandoned) / float64(res.Calls)
	res.Occupancy = s.busy.Seconds() / (float64(cfg.Operators) * window.Seconds())
	return res, nil
}
