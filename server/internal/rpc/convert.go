package rpc

import (
	"fmt"
	"net/url"
	"regexp"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// This file translates between the API's messages and the domain, and checks input on the way in.

var (
	slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)
	e164Pattern = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
)

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

func checkURL(field, value string) error {
	u, err := url.Parse(value)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cc.Invalid(field, "not an http(s) URL: %q", value)
	}
	return nil
}

var contactKinds = map[commonv1.ContactKind]cc.ContactKind{
	commonv1.ContactKind_CONTACT_KIND_USER: cc.ContactUser,
	commonv1.ContactKind_CONTACT_KIND_SIP:  cc.ContactSIP,
	commonv1.ContactKind_CONTACT_KIND_PSTN: cc.ContactPSTN,
}

func contactIn(field string, c *commonv1.Contact) (cc.Contact, error) {
	if c == nil {
		return cc.Contact{}, cc.Invalid(field, "required")
	}
	kind, ok := contactKinds[c.GetKind()]
	if !ok {
		return cc.Contact{}, cc.Invalid(field+".kind", "must be user, sip or pstn")
	}
	if err := required(field+".target", c.GetTarget()); err != nil {
		return cc.Contact{}, err
	}
	if err := maxLen(field+".target", c.GetTarget(), 256); err != nil {
		return cc.Contact{}, err
	}
	switch kind {
	case cc.ContactPSTN:
		if !e164Pattern.MatchString(c.GetTarget()) {
			return cc.Contact{}, cc.Invalid(field+".target", "a phone number must be E.164, like +14155550100")
		}
	case cc.ContactSIP:
		if u, err := url.Parse(c.GetTarget()); err != nil || (u.Scheme != "sip" && u.Scheme != "sips") || u.Opaque == "" {
			return cc.Contact{}, cc.Invalid(field+".target", "a SIP contact must be a sip: or sips: URI")
		}
	}
	return cc.Contact{Kind: kind, Target: c.GetTarget()}, nil
}

func contactOut(c cc.Contact) *commonv1.Contact {
	for k, v := range contactKinds {
		if v == c.Kind {
			return &commonv1.Contact{Kind: k, Target: c.Target}
		}
	}
	return &commonv1.Contact{Target: c.Target}
}

func skillsIn(in []*adminv1.QueueSkill) ([]cc.QueueSkill, error) {
	out := make([]cc.QueueSkill, 0, len(in))
	for i, s := range in {
		field := fmt.Sprintf("queues[%d]", i)
		if err := required(field+".queue_id", s.GetQueueId()); err != nil {
			return nil, err
		}
		if s.GetLevel() < 1 || s.GetLevel() > 5 {
			return nil, cc.Invalid(field+".level", "must be 1 to 5")
		}
		out = append(out, cc.QueueSkill{Queue: cc.QueueID(s.GetQueueId()), Level: int(s.GetLevel())})
	}
	return out, nil
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

func queueIn(q *adminv1.Queue) (cc.Queue, error) {
	if q == nil {
		return cc.Queue{}, cc.Invalid("queue", "required")
	}
	if !slugPattern.MatchString(q.GetQueueId()) {
		return cc.Queue{}, cc.Invalid("queue.queue_id", "must be 1-63 lowercase letters, digits, _ or -")
	}
	out := cc.Queue{
		ID:           cc.QueueID(q.GetQueueId()),
		Name:         q.GetName(),
		Strategy:     cc.Strategy(q.GetStrategy()),
		OfferTimeout: time.Duration(q.GetOfferTimeoutS()) * time.Second,
		WrapUp:       time.Duration(q.GetWrapUpS()) * time.Second,
		Priority:     int(q.GetPriority()),
		HoldMusicURL: q.GetHoldMusicUrl(),
		Greeting:     q.GetGreeting(),
		IsDefault:    q.GetIsDefault(),
	}
	if out.Name == "" {
		out.Name = q.GetQueueId()
	}
	if err := maxLen("queue.name", out.Name, 200); err != nil {
		return cc.Queue{}, err
	}
	if out.Strategy == "" {
		out.Strategy = cc.StrategyLongestIdle
	}
	if !cc.KnownStrategy(out.Strategy) {
		return cc.Queue{}, cc.Invalid("queue.strategy", "unknown strategy %q (known: %v)", out.Strategy, cc.Strategies)
	}
	var err error
	if out.Rules, err = rulesIn(q); err != nil {
		return cc.Queue{}, err
	}
	switch {
	case q.GetOfferTimeoutS() == 0:
		out.OfferTimeout = 20 * time.Second
	case q.GetOfferTimeoutS() < 5 || q.GetOfferTimeoutS() > 120:
		return cc.Queue{}, cc.Invalid("queue.offer_timeout_s", "must be 5 to 120 seconds")
	}
	if q.GetWrapUpS() > 600 {
		return cc.Queue{}, cc.Invalid("queue.wrap_up_s", "must be at most 600 seconds")
	}
	if q.GetPriority() > 100 {
		return cc.Queue{}, cc.Invalid("queue.priority", "must be 0 to 100")
	}
	if out.HoldMusicURL != "" {
		if err := checkURL("queue.hold_music_url", out.HoldMusicURL); err != nil {
			return cc.Queue{}, err
		}
	}
	if err := maxLen("queue.greeting", out.Greeting, 1500); err != nil {
		return cc.Queue{}, err
	}
	seen := map[string]bool{}
	for i, n := range q.GetDialedNumbers() {
		if !e164Pattern.MatchString(n) {
			return cc.Queue{}, cc.Invalid(fmt.Sprintf("queue.dialed_numbers[%d]", i), "%q is not an E.164 number like +14155550100", n)
		}
		if seen[n] {
			return cc.Queue{}, cc.Invalid(fmt.Sprintf("queue.dialed_numbers[%d]", i), "%s is listed twice", n)
		}
		seen[n] = true
		out.DialedNumbers = append(out.DialedNumbers, n)
	}
	return out, nil
}

// rulesIn reads a queue's rules, zeros meaning the defaults.
func rulesIn(q *adminv1.Queue) (cc.QueueRules, error) {
	r := cc.DefaultRules()
	switch every := q.GetAnnounceEveryS(); {
	case every == 0:
	case every < 15 || every > 600:
		return r, cc.Invalid("queue.announce_every_s", "must be 0 (never) or 15 to 600 seconds")
	default:
		r.AnnounceEvery = time.Duration(every) * time.Second
	}
	if n := q.GetAwayAfterMisses(); n > 100 {
		return r, cc.Invalid("queue.away_after_misses", "must be at most 100")
	} else if n > 0 {
		r.AwayAfterMisses = int(n)
	}
	if n := q.GetBanAfterMisses(); n > 100 {
		return r, cc.Invalid("queue.ban_after_misses", "must be at most 100")
	} else if n > 0 {
		r.BanAfterMisses = int(n)
	}
	if w := q.GetBanWindowS(); w > 7*24*3600 {
		return r, cc.Invalid("queue.ban_window_s", "must be at most a week")
	} else if w > 0 {
		r.BanWindow = time.Duration(w) * time.Second
	}
	if steps := q.GetBanStepsS(); len(steps) > 0 {
		if len(steps) > 10 {
			return r, cc.Invalid("queue.ban_steps_s", "at most 10 steps")
		}
		r.BanSteps = nil
		for i, st := range steps {
			if st < 60 || st > 7*24*3600 {
				return r, cc.Invalid(fmt.Sprintf("queue.ban_steps_s[%d]", i), "must be a minute to a week")
			}
			r.BanSteps = append(r.BanSteps, time.Duration(st)*time.Second)
		}
	}
	if w := q.GetManagerWaitS(); w > 600 {
		return r, cc.Invalid("queue.manager_wait_s", "must be at most 600 seconds")
	} else if w > 0 {
		r.ManagerWait = time.Duration(w) * time.Second
	}
	r.OptIn = !q.GetNoOptIn()
	if d := q.GetOptInCooldownDays(); d > 3650 {
		return r, cc.Invalid("queue.opt_in_cooldown_days", "must be at most 3650")
	} else if d > 0 {
		r.OptInCooldown = time.Duration(d) * 24 * time.Hour
	}
	for reason, text := range q.GetAbsenceTemplates() {
		if _, known := cc.DefaultAbsenceTemplates[cc.ManagerAbsence(reason)]; !known {
			return r, cc.Invalid("queue.absence_templates", "unknown reason %q (vacation, sick, dismissed, off_hours)", reason)
		}
		if len(text) > 500 {
			return r, cc.Invalid("queue.absence_templates["+reason+"]", "longer than 500 bytes")
		}
		if r.AbsenceTemplates == nil {
			r.AbsenceTemplates = map[cc.ManagerAbsence]string{}
		}
		r.AbsenceTemplates[cc.ManagerAbsence(reason)] = text
	}
	if o := q.GetOverflow(); o != nil {
		if o.GetAfterS() > 3600 {
			return r, cc.Invalid("queue.overflow.after_s", "must be at most 3600 seconds")
		}
		r.Overflow.After = time.Duration(o.GetAfterS()) * time.Second
		r.Overflow.MaxAtOnce = int(o.GetMaxAtOnce())
		r.Overflow.OnPredictedWait = o.GetOnPredictedWait()
		for i, id := range o.GetSpareIds() {
			if !slugPattern.MatchString(id) {
				return r, cc.Invalid(fmt.Sprintf("queue.overflow.spare_ids[%d]", i), "not a spare id")
			}
			r.Overflow.Spares = append(r.Overflow.Spares, cc.SpareID(id))
		}
		switch order := cc.SpareOrder(o.GetOrder()); order {
		case "":
		case cc.SpareInTurn, cc.SpareLeastUsed, cc.SparePriority:
			r.Overflow.Order = order
		default:
			return r, cc.Invalid("queue.overflow.order", "unknown order %q (in_turn, least_used, priority)", order)
		}
		if r.Overflow.After > 0 && len(r.Overflow.Spares) == 0 {
			return r, cc.Invalid("queue.overflow.spare_ids", "an overflow rule needs spare numbers")
		}
	}
	return r, serviceLevelIn(q, &r.ServiceLevel)
}

// serviceLevelIn reads a queue's service-level rule; zeros take the defaults.
func serviceLevelIn(q *adminv1.Queue, sl *cc.ServiceLevel) error {
	if t := q.GetServiceLevelThresholdS(); t > 600 {
		return cc.Invalid("queue.service_level_threshold_s", "must be 1 to 600 seconds (0: the default, 20)")
	} else {
		sl.Threshold = time.Duration(t) * time.Second
	}
	if p := q.GetServiceLevelTargetPercent(); p > 100 {
		return cc.Invalid("queue.service_level_target_percent", "must be 1 to 100 (0: the default, 80)")
	} else {
		sl.Target = int(p)
	}
	switch rule := cc.AbandonedRule(q.GetServiceLevelAbandoned()); rule {
	case "", cc.AbandonsCountAgainst, cc.AbandonsIgnored, cc.AbandonsWithinThresholdMet:
		sl.Abandoned = rule
	default:
		return cc.Invalid("queue.service_level_abandoned", "unknown rule %q (count_against, ignore, count_within_threshold_as_met)", rule)
	}
	if s := q.GetShortAbandonS(); s > 60 {
		return cc.Invalid("queue.short_abandon_s", "must be at most 60 seconds")
	} else {
		sl.ShortAbandon = time.Duration(s) * time.Second
	}
	return nil
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
