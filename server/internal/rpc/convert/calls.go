package convert

import (
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// CallStates are the API's call states.
var CallStates = map[cc.CallState]commonv1.CallState{
	cc.CallWaiting:   commonv1.CallState_CALL_STATE_WAITING,
	cc.CallConnected: commonv1.CallState_CALL_STATE_CONNECTED,
	cc.CallEnded:     commonv1.CallState_CALL_STATE_ENDED,
	cc.CallAbandoned: commonv1.CallState_CALL_STATE_ABANDONED,
	cc.CallLost:      commonv1.CallState_CALL_STATE_LOST,
	cc.CallInMenu:    commonv1.CallState_CALL_STATE_IN_MENU,
}

var offerStates = map[cc.OfferState]commonv1.OfferState{
	cc.OfferPending:   commonv1.OfferState_OFFER_STATE_PENDING,
	cc.OfferAnswered:  commonv1.OfferState_OFFER_STATE_ANSWERED,
	cc.OfferFailed:    commonv1.OfferState_OFFER_STATE_FAILED,
	cc.OfferExpired:   commonv1.OfferState_OFFER_STATE_EXPIRED,
	cc.OfferWithdrawn: commonv1.OfferState_OFFER_STATE_WITHDRAWN,
	cc.OfferDeclined:  commonv1.OfferState_OFFER_STATE_DECLINED,
	cc.OfferCancelled: commonv1.OfferState_OFFER_STATE_CANCELLED,
}

// HangupParties are the API's sides that hung up.
var HangupParties = map[cc.HangupParty]commonv1.HangupParty{
	cc.HangupCaller:   commonv1.HangupParty_HANGUP_PARTY_CALLER,
	cc.HangupOperator: commonv1.HangupParty_HANGUP_PARTY_OPERATOR,
	cc.HangupSystem:   commonv1.HangupParty_HANGUP_PARTY_SYSTEM,
}

// CallOut is a call as the API shows it, at position in line (0: not waiting), with its offers.
func CallOut(c cc.Call, position int, offers []cc.Offer) *assignmentv1.Call {
	out := &assignmentv1.Call{
		CallId:       string(c.ID),
		QueueId:      string(c.Queue),
		State:        CallStates[c.State],
		CallerNumber: c.CallerNumber,
		CallerName:   c.CallerName,
		DialedNumber: c.DialedNumber,
		SessionId:    c.SessionID,
		ArrivedAt:    Timestamp(c.ArrivedAt),
		OperatorId:   string(c.Operator),
		AnsweredAt:   Timestamp(c.AnsweredAt),
		EndedAt:      Timestamp(c.EndedAt),
		HungUpBy:     HangupParties[c.HungUpBy],
		TalkTimeMs:   Millis(c.TalkTime),
		Position:     uint32(position),
		Priority:     uint32(c.Priority),
		Note:         c.Note,
		HeldSince:    Timestamp(c.HeldSince),
		HoldTimeMs:   Millis(c.HoldTime),
		Parties:      PartiesOut(c.Parties, nil),
		Transfer:     TransferOut(c.Transfer),
		Disposition:  c.Disposition,
		Transferred:  c.Transferred(),
	}
	for _, of := range offers {
		out.Offers = append(out.Offers, OfferOut(of))
	}
	if cb := c.Callback; cb.Virtual() {
		out.Callback = &assignmentv1.CallCallback{OfCallId: string(cb.Of), Number: cb.Number, Attempt: uint32(cb.Attempt),
			NotBefore: Timestamp(cb.NotBefore), VoicemailLengthMs: Millis(cb.VoicemailLength), Result: string(cb.Result)}
	}
	out.VoicemailLengthMs = Millis(c.VoicemailLength)
	return out
}

// HearRecordings adds to out what only those who hear recordings see: the conversation's
// recording and the caller's voicemail.
func HearRecordings(out *assignmentv1.Call, c cc.Call) {
	out.RecordingUrl, out.VoicemailUrl = c.RecordingURL, c.VoicemailURL
	if out.Callback != nil {
		out.Callback.VoicemailUrl = c.Callback.VoicemailURL
	}
}

// OfferOut is an offer as the API shows it.
func OfferOut(of cc.Offer) *assignmentv1.Offer {
	return &assignmentv1.Offer{
		OfferId:     string(of.ID),
		CallId:      string(of.Call),
		OperatorId:  string(of.Operator),
		State:       offerStates[of.State],
		OfferedAt:   Timestamp(of.OfferedAt),
		ExpiresAt:   Timestamp(of.ExpiresAt),
		SettledAt:   Timestamp(of.SettledAt),
		RingTimeMs:  Millis(of.RingTime),
		FailureCode: int32(of.FailureCode),
		Reason:      of.Reason,
	}
}

// DecisionOut is a routing decision and its candidates, as ExplainCall and the timeline show it.
func DecisionOut(d cc.Decision) *assignmentv1.Decision {
	out := &assignmentv1.Decision{
		CallId:        string(d.Call),
		OfferId:       string(d.Offer),
		DecidedAt:     Timestamp(d.DecidedAt),
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
			State:           OperatorStates[c.State],
			Eligible:        c.Eligible,
			ExcludedBecause: c.ExcludedBecause,
			IdleMs:          Millis(c.Idle),
			Score:           c.Score,
			CallsToday:      uint32(c.CallsToday),
			Level:           uint32(c.Level),
			Value:           c.Value,
			ValueText:       c.ValueString,
		})
	}
	return out
}
