package rpc

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// This file translates between the API's messages and the domain. What is valid is the
// domain's to say (callcenter's Check methods); a zero the API documents as "the default"
// takes the domain's default here.

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func timeOf(t *timestamppb.Timestamp) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.AsTime()
}

func ms(d time.Duration) uint32 { return uint32(d / time.Millisecond) }

func seconds(s uint32) time.Duration { return time.Duration(s) * time.Second }

func required(field, value string) error {
	if value == "" {
		return cc.Invalid(field, "required")
	}
	return nil
}

func maxLen(field, value string, n int) error {
	if len(value) > n {
		return cc.Invalid(field, "longer than %d bytes", n)
	}
	return nil
}

var contactKinds = map[commonv1.ContactKind]cc.ContactKind{
	commonv1.ContactKind_CONTACT_KIND_USER: cc.ContactUser,
	commonv1.ContactKind_CONTACT_KIND_SIP:  cc.ContactSIP,
	commonv1.ContactKind_CONTACT_KIND_PSTN: cc.ContactPSTN,
}

// contactIn reads a contact; an unknown kind is left empty for the domain to refuse.
func contactIn(field string, c *commonv1.Contact) (cc.Contact, error) {
	if c == nil {
		return cc.Contact{}, cc.Invalid(field, "required")
	}
	return cc.Contact{Kind: contactKinds[c.GetKind()], Target: c.GetTarget()}, nil
}

func contactOut(c cc.Contact) *commonv1.Contact {
	for k, v := range contactKinds {
		if v == c.Kind {
			return &commonv1.Contact{Kind: k, Target: c.Target}
		}
	}
	return &commonv1.Contact{Target: c.Target}
}

func skillsIn(in []*adminv1.QueueSkill) []cc.QueueSkill {
	out := make([]cc.QueueSkill, 0, len(in))
	for _, s := range in {
		out = append(out, cc.QueueSkill{Queue: cc.QueueID(s.GetQueueId()), Level: int(s.GetLevel())})
	}
	return out
}

func operatorOut(o cc.Operator) *adminv1.Operator {
	out := &adminv1.Operator{
		OperatorId:  string(o.ID),
		Name:        o.Name,
		DisplayName: o.DisplayName,
		Contact:     contactOut(o.Contact),
		Disabled:    o.Disabled,
		CreatedAt:   ts(o.CreatedAt),
		Hours:       hoursOut(o.Hours),
	}
	for _, s := range o.Queues {
		out.Queues = append(out.Queues, &adminv1.QueueSkill{QueueId: string(s.Queue), Level: uint32(s.Level)})
	}
	return out
}

// queueIn reads a queue and checks it (see cc.Queue.Check).
func queueIn(q *adminv1.Queue) (cc.Queue, error) {
	if q == nil {
		return cc.Queue{}, cc.Invalid("queue", "required")
	}
	return cc.Queue{
		ID:            cc.QueueID(q.GetQueueId()),
		Name:          q.GetName(),
		DialedNumbers: q.GetDialedNumbers(),
		Strategy:      cc.Strategy(q.GetStrategy()),
		OfferTimeout:  seconds(q.GetOfferTimeoutS()),
		WrapUp:        seconds(q.GetWrapUpS()),
		Priority:      int(q.GetPriority()),
		HoldMusicURL:  q.GetHoldMusicUrl(),
		Greeting:      q.GetGreeting(),
		IsDefault:     q.GetIsDefault(),
		Rules:         rulesIn(q),
	}.Check()
}

// rulesIn reads a queue's rules: the fields the API documents with "0: the default" take
// cc.DefaultRules' value when zero.
func rulesIn(q *adminv1.Queue) cc.QueueRules {
	r := cc.DefaultRules()
	r.AnnounceEvery = seconds(q.GetAnnounceEveryS())
	if n := q.GetAwayAfterMisses(); n > 0 {
		r.AwayAfterMisses = int(n)
	}
	if n := q.GetBanAfterMisses(); n > 0 {
		r.BanAfterMisses = int(n)
	}
	if w := q.GetBanWindowS(); w > 0 {
		r.BanWindow = seconds(w)
	}
	if steps := q.GetBanStepsS(); len(steps) > 0 {
		r.BanSteps = make([]time.Duration, len(steps))
		for i, st := range steps {
			r.BanSteps[i] = seconds(st)
		}
	}
	if w := q.GetManagerWaitS(); w > 0 {
		r.ManagerWait = seconds(w)
	}
	r.OptIn = !q.GetNoOptIn()
	if d := q.GetOptInCooldownDays(); d > 0 {
		r.OptInCooldown = time.Duration(min(d, 100000)) * 24 * time.Hour // past the limit, short of overflowing
	}
	for reason, text := range q.GetAbsenceTemplates() {
		if r.AbsenceTemplates == nil {
			r.AbsenceTemplates = map[cc.ManagerAbsence]string{}
		}
		r.AbsenceTemplates[cc.ManagerAbsence(reason)] = text
	}
	if o := q.GetOverflow(); o != nil {
		r.Overflow.After = seconds(o.GetAfterS())
		r.Overflow.MaxAtOnce = int(o.GetMaxAtOnce())
		r.Overflow.OnPredictedWait = o.GetOnPredictedWait()
		for _, id := range o.GetSpareIds() {
			r.Overflow.Spares = append(r.Overflow.Spares, cc.SpareID(id))
		}
		if order := o.GetOrder(); order != "" {
			r.Overflow.Order = cc.SpareOrder(order)
		}
	}
	r.ServiceLevel = cc.ServiceLevel{ // zeros stay: ServiceLevel.OrDefaults reads them as the defaults
		Threshold:    seconds(q.GetServiceLevelThresholdS()),
		Target:       int(q.GetServiceLevelTargetPercent()),
		Abandoned:    cc.AbandonedRule(q.GetServiceLevelAbandoned()),
		ShortAbandon: seconds(q.GetShortAbandonS()),
	}
	return r
}

func marksOut(m cc.Marks) *commonv1.Marks {
	score := m.ComputeScore()
	out := &commonv1.Marks{
		Score:             score.Points,
		AnswerRate:        m.AnswerRate,
		RingTimeMs:        ms(m.RingTime),
		OffersMissed:      uint32(m.OffersMissed),
		ConsecutiveMisses: uint32(m.ConsecutiveMisses),
		RecentMisses:      uint32(len(m.RecentMisses)),
		BansToday:         uint32(m.Bans),
		CallsHandled:      uint32(m.CallsHandled),
		TalkTimeMs:        uint64(m.TalkTime / time.Millisecond),
		CallsToday:        uint32(m.CallsToday),
		TalkTodayMs:       uint64(m.TalkToday / time.Millisecond),
	}
	out.ScoreLostToMisses, out.ScoreLostToSlowAnswers = score.LostToMisses, score.LostToSlowAnswers
	return out
}

func queueOut(q cc.Queue) *adminv1.Queue {
	sl := q.Rules.ServiceLevel.OrDefaults()
	var steps []uint32
	for _, st := range q.Rules.BanSteps {
		steps = append(steps, uint32(st/time.Second))
	}
	var spares []string
	for _, id := range q.Rules.Overflow.Spares {
		spares = append(spares, string(id))
	}
	templates := map[string]string{}
	for k, v := range q.Rules.AbsenceTemplates {
		templates[string(k)] = v
	}
	return &adminv1.Queue{
		ManagerWaitS:      uint32(q.Rules.ManagerWait / time.Second),
		NoOptIn:           !q.Rules.OptIn,
		OptInCooldownDays: uint32(q.Rules.OptInCooldown / (24 * time.Hour)),
		AbsenceTemplates:  templates,
		Overflow: &adminv1.Overflow{AfterS: uint32(q.Rules.Overflow.After / time.Second), SpareIds: spares,
			MaxAtOnce: uint32(q.Rules.Overflow.MaxAtOnce), Order: string(q.Rules.Overflow.Order), OnPredictedWait: q.Rules.Overflow.OnPredictedWait},
		ServiceLevelThresholdS:    uint32(sl.Threshold / time.Second),
		ServiceLevelTargetPercent: uint32(sl.Target),
		ServiceLevelAbandoned:     string(sl.Abandoned),
		ShortAbandonS:             uint32(sl.ShortAbandon / time.Second),
		AnnounceEveryS:            uint32(q.Rules.AnnounceEvery / time.Second),
		AwayAfterMisses:           uint32(q.Rules.AwayAfterMisses),
		BanAfterMisses:            uint32(q.Rules.BanAfterMisses),
		BanWindowS:                uint32(q.Rules.BanWindow / time.Second),
		BanStepsS:                 steps,
		QueueId:                   string(q.ID),
		Name:                      q.Name,
		DialedNumbers:             q.DialedNumbers,
		Strategy:                  string(q.Strategy),
		OfferTimeoutS:             uint32(q.OfferTimeout / time.Second),
		WrapUpS:                   uint32(q.WrapUp / time.Second),
		Priority:                  uint32(q.Priority),
		HoldMusicUrl:              q.HoldMusicURL,
		Greeting:                  q.Greeting,
		IsDefault:                 q.IsDefault,
	}
}

var operatorStates = map[cc.OperatorState]commonv1.OperatorState{
	cc.OperatorOffline:  commonv1.OperatorState_OPERATOR_STATE_OFFLINE,
	cc.OperatorReady:    commonv1.OperatorState_OPERATOR_STATE_READY,
	cc.OperatorReserved: commonv1.OperatorState_OPERATOR_STATE_RESERVED,
	cc.OperatorOnCall:   commonv1.OperatorState_OPERATOR_STATE_ON_CALL,
	cc.OperatorWrapUp:   commonv1.OperatorState_OPERATOR_STATE_WRAP_UP,
	cc.OperatorAway:     commonv1.OperatorState_OPERATOR_STATE_AWAY,
	cc.OperatorBanned:   commonv1.OperatorState_OPERATOR_STATE_BANNED,
}

var callStates = map[cc.CallState]commonv1.CallState{
	cc.CallWaiting:   commonv1.CallState_CALL_STATE_WAITING,
	cc.CallConnected: commonv1.CallState_CALL_STATE_CONNECTED,
	cc.CallEnded:     commonv1.CallState_CALL_STATE_ENDED,
	cc.CallAbandoned: commonv1.CallState_CALL_STATE_ABANDONED,
	cc.CallLost:      commonv1.CallState_CALL_STATE_LOST,
}

var offerStates = map[cc.OfferState]commonv1.OfferState{
	cc.OfferPending:   commonv1.OfferState_OFFER_STATE_PENDING,
	cc.OfferAnswered:  commonv1.OfferState_OFFER_STATE_ANSWERED,
	cc.OfferFailed:    commonv1.OfferState_OFFER_STATE_FAILED,
	cc.OfferExpired:   commonv1.OfferState_OFFER_STATE_EXPIRED,
	cc.OfferWithdrawn: commonv1.OfferState_OFFER_STATE_WITHDRAWN,
}

var hangupParties = map[cc.HangupParty]commonv1.HangupParty{
	cc.HangupCaller:   commonv1.HangupParty_HANGUP_PARTY_CALLER,
	cc.HangupOperator: commonv1.HangupParty_HANGUP_PARTY_OPERATOR,
	cc.HangupSystem:   commonv1.HangupParty_HANGUP_PARTY_SYSTEM,
}

func statusOut(v cc.OperatorView) *presencev1.OperatorStatus {
	out := &presencev1.OperatorStatus{
		OperatorId:   string(v.Operator.ID),
		Name:         v.Operator.Name,
		DisplayName:  v.Operator.DisplayName,
		State:        operatorStates[v.Status.State],
		StateSince:   ts(v.Status.Since),
		Reason:       v.Status.Reason,
		CallId:       string(v.Status.Call),
		WrapUpEndsAt: ts(v.Status.WrapUpEndsAt),
		Present:      v.Present,
		BannedUntil:  ts(v.Status.BannedUntil),
		Marks:        marksOut(v.Status.Marks),
	}
	if o := v.Offer; o != nil {
		out.Offer = &presencev1.OfferedCall{
			OfferId:      string(o.Offer.ID),
			CallId:       string(o.Call.ID),
			QueueId:      string(o.Call.Queue),
			CallerNumber: o.Call.CallerNumber,
			CallerName:   o.Call.CallerName,
			OfferedAt:    ts(o.Offer.OfferedAt),
			ExpiresAt:    ts(o.Offer.ExpiresAt),
			YourClient:   o.Call.Manager == v.Operator.ID,
		}
	}
	return out
}

func callOut(c cc.Call, position int, offers []cc.Offer) *assignmentv1.Call {
	out := &assignmentv1.Call{
		CallId:       string(c.ID),
		QueueId:      string(c.Queue),
		State:        callStates[c.State],
		CallerNumber: c.CallerNumber,
		CallerName:   c.CallerName,
		DialedNumber: c.DialedNumber,
		SessionId:    c.SessionID,
		ArrivedAt:    ts(c.ArrivedAt),
		OperatorId:   string(c.Operator),
		AnsweredAt:   ts(c.AnsweredAt),
		EndedAt:      ts(c.EndedAt),
		HungUpBy:     hangupParties[c.HungUpBy],
		TalkTimeMs:   ms(c.TalkTime),
		Position:     uint32(position),
		Priority:     uint32(c.Priority),
		Note:         c.Note,
	}
	for _, of := range offers {
		out.Offers = append(out.Offers, offerOut(of))
	}
	return out
}

func offerOut(of cc.Offer) *assignmentv1.Offer {
	return &assignmentv1.Offer{
		OfferId:     string(of.ID),
		CallId:      string(of.Call),
		OperatorId:  string(of.Operator),
		State:       offerStates[of.State],
		OfferedAt:   ts(of.OfferedAt),
		ExpiresAt:   ts(of.ExpiresAt),
		SettledAt:   ts(of.SettledAt),
		RingTimeMs:  ms(of.RingTime),
		FailureCode: int32(of.FailureCode),
		Reason:      of.Reason,
	}
}

func decisionOut(d cc.Decision) *assignmentv1.Decision {
	out := &assignmentv1.Decision{
		CallId:        string(d.Call),
		OfferId:       string(d.Offer),
		DecidedAt:     ts(d.DecidedAt),
		Strategy:      string(d.Strategy),
		OperatorId:    string(d.Operator),
		Rule:          d.Rule,
		EligibleCount: uint32(d.EligibleCount),
		ExcludedCount: uint32(d.ExcludedCount),
	}
	if len(d.ExcludedByReason) > 0 {
		out.ExcludedByReason = make(map[string]uint32, len(d.ExcludedByReason))
		for why, n := range d.ExcludedByReason {
			out.ExcludedByReason[why] = uint32(n)
		}
	}
	for _, c := range d.Candidates {
		out.Candidates = append(out.Candidates, &assignmentv1.Candidate{
			OperatorId:      string(c.Operator),
			State:           operatorStates[c.State],
			Eligible:        c.Eligible,
			ExcludedBecause: c.ExcludedBecause,
			IdleMs:          ms(c.Idle),
			Score:           c.Score,
			CallsToday:      uint32(c.CallsToday),
			Level:           uint32(c.Level),
			Value:           c.Value,
			ValueText:       c.ValueString,
		})
	}
	return out
}
