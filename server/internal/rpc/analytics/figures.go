package analytics

import (
	"cmp"
	"slices"
	"strings"
	"time"

	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
)

// figuresOut translates figures; the service level is given only with a queue's rule.
func figuresOut(f cc.Figures, rule *cc.ServiceLevel) *analyticsv1.Figures {
	d := func(x time.Duration) uint64 { return uint64(x / time.Millisecond) }
	out := &analyticsv1.Figures{
		CallsReceived: uint32(f.CallsReceived), CallsAnswered: uint32(f.CallsAnswered),
		AnsweredWithinThreshold: uint32(f.AnsweredWithin), CallsAbandoned: uint32(f.CallsAbandoned),
		ShortAbandons: uint32(f.ShortAbandons), AbandonedWithinThreshold: uint32(f.AbandonedWithin),
		CallsLost: uint32(f.CallsLost), CallsOverflowed: uint32(f.CallsOverflowed), AnsweredBySpare: uint32(f.AnsweredBySpare),
		HungUpByCaller: uint32(f.HungUpByCaller), HungUpByOperator: uint32(f.HungUpByOperator), HungUpBySystem: uint32(f.HungUpBySys),
		OffersMade: uint32(f.OffersMade), OffersMissed: uint32(f.OffersMissed),
		ManagerCalls: uint32(f.ManagerCalls), ManagerReached: uint32(f.ManagerReached),
		AnswerTimeTotalMs: d(f.AnswerTimeTotal), AnswerTimeMaxMs: convert.Millis(f.AnswerTimeMax),
		TalkTimeMs: d(f.TalkTime), HoldTimeMs: d(f.HoldTime), WrapUpTimeMs: d(f.WrapUpTime), RingTimeTotalMs: d(f.RingTimeTotal),
		ReadyMs: d(f.Ready), ReservedMs: d(f.Reserved), OnCallMs: d(f.OnCall), WrapUpMs: d(f.WrapUp), AwayMs: d(f.Away),
		ExitsClosed: uint32(f.ExitsClosed), ExitsMaxWaiting: uint32(f.ExitsMaxWaiting), ExitsLongestWait: uint32(f.ExitsLongestWait),
		ExitsMessage: uint32(f.ExitsMessage), ExitsNumber: uint32(f.ExitsNumber), ExitsQueue: uint32(f.ExitsQueue),
		ExitsVoicemail: uint32(f.ExitsVoicemail), ExitsCallback: uint32(f.ExitsCallback),
		CallbacksRequested: uint32(f.CallbacksRequested), CallbacksConnected: uint32(f.CallbacksConnected),
		CallbackAttemptsFailed: uint32(f.CallbackAttemptsFailed), CallbacksGivenUp: uint32(f.CallbacksGivenUp), Voicemails: uint32(f.Voicemails),
	}
	for _, n := range f.Histogram {
		out.AnswerTimeHistogram = append(out.AnswerTimeHistogram, uint32(n))
	}
	for code, n := range f.Dispositions {
		if n > 0 {
			out.Dispositions = append(out.Dispositions, &analyticsv1.DispositionCount{Code: code, Calls: uint32(n)})
		}
	}
	slices.SortFunc(out.Dispositions, func(a, b *analyticsv1.DispositionCount) int {
		if a.Calls != b.Calls {
			return cmp.Compare(b.Calls, a.Calls)
		}
		return strings.Compare(a.Code, b.Code)
	})
	if rule != nil {
		if v, ok := f.ServiceLevel(rule.OrDefaults().Abandoned); ok {
			out.ServiceLevel = &v
		}
	}
	optMS := func(x time.Duration, ok bool) *uint32 {
		if !ok {
			return nil
		}
		v := convert.Millis(x)
		return &v
	}
	optRate := func(v float64, ok bool) *float64 {
		if !ok {
			return nil
		}
		return &v
	}
	out.AsaMs = optMS(f.ASA())
	out.AhtMs = optMS(f.AHT())
	out.AverageRingTimeMs = optMS(f.AverageRingTime())
	out.AbandonmentRate = optRate(f.AbandonmentRate())
	out.Occupancy = optRate(f.Occupancy())
	out.ManagerReach = optRate(f.ManagerReach())
	return out
}

func slRuleOut(sl cc.ServiceLevel) *analyticsv1.ServiceLevelRule {
	sl = sl.OrDefaults()
	return &analyticsv1.ServiceLevelRule{ThresholdS: uint32(sl.Threshold / time.Second), TargetPercent: uint32(sl.Target),
		Abandoned: string(sl.Abandoned), ShortAbandonS: uint32(sl.ShortAbandon / time.Second)}
}
