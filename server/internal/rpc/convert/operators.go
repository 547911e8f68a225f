package convert

import (
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	"time"

	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// OperatorOut is an operator as the API shows it (never his password hash).
func OperatorOut(o cc.Operator) *adminv1.Operator {
	out := &adminv1.Operator{
		OperatorId:  string(o.ID),
		Name:        o.Name,
		DisplayName: o.DisplayName,
		Contact:     ContactOut(o.Contact),
		Disabled:    o.Disabled,
		CreatedAt:   Timestamp(o.CreatedAt),
		Hours:       HoursOut(o.Hours),
	}
	for _, s := range o.Queues {
		out.Queues = append(out.Queues, &adminv1.QueueSkill{QueueId: string(s.Queue), Level: uint32(s.Level)})
	}
	return out
}

// MarksOut is an operator's marks with the score and its parts from the domain's one computation.
func MarksOut(m cc.Marks) *commonv1.Marks {
	score := m.ComputeScore()
	out := &commonv1.Marks{
		Score:               score.Points,
		AnswerRate:          m.AnswerRate,
		RingTimeMs:          Millis(m.RingTime),
		OffersMissed:        uint32(m.OffersMissed),
		ConsecutiveMisses:   uint32(m.ConsecutiveMisses),
		RecentMisses:        uint32(len(m.RecentMisses)),
		BansToday:           uint32(m.Bans),
		CallsHandled:        uint32(m.CallsHandled),
		TalkTimeMs:          uint64(m.TalkTime / time.Millisecond),
		CallsToday:          uint32(m.CallsToday),
		TalkTodayMs:         uint64(m.TalkToday / time.Millisecond),
		Declines:            uint32(m.Declines),
		DeclinesToday:       uint32(m.DeclinesToday),
		ConsecutiveDeclines: uint32(m.ConsecutiveDeclines),
	}
	out.ScoreLostToMisses, out.ScoreLostToSlowAnswers = score.LostToMisses, score.LostToSlowAnswers
	return out
}

// OperatorStates are the API's operator states.
var OperatorStates = map[cc.OperatorState]commonv1.OperatorState{
	cc.OperatorOffline:  commonv1.OperatorState_OPERATOR_STATE_OFFLINE,
	cc.OperatorReady:    commonv1.OperatorState_OPERATOR_STATE_READY,
	cc.OperatorReserved: commonv1.OperatorState_OPERATOR_STATE_RESERVED,
	cc.OperatorOnCall:   commonv1.OperatorState_OPERATOR_STATE_ON_CALL,
	cc.OperatorWrapUp:   commonv1.OperatorState_OPERATOR_STATE_WRAP_UP,
	cc.OperatorAway:     commonv1.OperatorState_OPERATOR_STATE_AWAY,
	cc.OperatorBanned:   commonv1.OperatorState_OPERATOR_STATE_BANNED,
}

// StatusOut is an operator's live status, with the call offered to him, or the one he talks on
// or wraps up, if any.
func StatusOut(v cc.OperatorView) *presencev1.OperatorStatus {
	out := &presencev1.OperatorStatus{
		OperatorId:   string(v.Operator.ID),
		Name:         v.Operator.Name,
		DisplayName:  v.Operator.DisplayName,
		State:        OperatorStates[v.Status.State],
		StateSince:   Timestamp(v.Status.Since),
		Reason:       v.Status.Reason,
		CallId:       string(v.Status.Call),
		WrapUpEndsAt: Timestamp(v.Status.WrapUpEndsAt),
		Present:      v.Present,
		BannedUntil:  Timestamp(v.Status.BannedUntil),
		Marks:        MarksOut(v.Status.Marks),
	}
	if o := v.Offer; o != nil {
		out.Offer = &presencev1.OfferedCall{
			OfferId:      string(o.Offer.ID),
			CallId:       string(o.Call.ID),
			QueueId:      string(o.Call.Queue),
			CallerNumber: o.Call.CallerNumber,
			CallerName:   o.Call.CallerName,
			OfferedAt:    Timestamp(o.Offer.OfferedAt),
			ExpiresAt:    Timestamp(o.Offer.ExpiresAt),
			YourClient:   o.Call.Manager == v.Operator.ID,
			Callback:     callbackToMake(o.Call, v.CallbackAttempts),
		}
	}
	if c := v.Call; c != nil {
		out.Call = &presencev1.CallInHand{
			CallId:       string(c.ID),
			QueueId:      string(c.Queue),
			CallerNumber: c.CallerNumber,
			CallerName:   c.CallerName,
			YourClient:   c.Manager == v.Operator.ID,
			AnsweredAt:   Timestamp(c.AnsweredAt),
			EndedAt:      Timestamp(c.EndedAt),
			Note:         c.Note,
			HeldSince:    Timestamp(c.HeldSince),
			HoldTimeMs:   Millis(c.HoldTime),
			HoldFailure:  v.HoldFailure,
			Parties:      PartiesOut(c.Parties, cc.Party.HeardByOperator),
			Transfer:     TransferOut(c.Transfer),
			Disposition:  c.Disposition,
			Dispositions: DispositionsOut(v.Dispositions),
			// v.DispositionRequired is the queue's; the app needs it while none is set.
			DispositionRequired: v.DispositionRequired,
			Callback:            callbackToMake(*c, v.CallbackAttempts),
		}
	}
	return out
}

// callbackToMake is callback c as the operator making it sees it (without the voicemail's
// recording: HearVoicemail); nil when c is no callback.
func callbackToMake(c cc.Call, attempts int) *presencev1.CallbackToMake {
	cb := c.Callback
	if !cb.Virtual() {
		return nil
	}
	return &presencev1.CallbackToMake{Number: cb.Number, Attempt: uint32(cb.Attempt), Attempts: uint32(attempts),
		VoicemailLengthMs: Millis(cb.VoicemailLength), OfCallId: string(cb.Of)}
}

// HearVoicemail adds to out, the status of v's operator as he himself sees it, the recording
// of the voicemail his offered or current callback answers.
func HearVoicemail(out *presencev1.OperatorStatus, v cc.OperatorView) {
	if out.Offer.GetCallback() != nil && v.Offer != nil {
		out.Offer.Callback.VoicemailUrl = v.Offer.Call.Callback.VoicemailURL
	}
	if out.Call.GetCallback() != nil && v.Call != nil {
		out.Call.Callback.VoicemailUrl = v.Call.Callback.VoicemailURL
	}
}
