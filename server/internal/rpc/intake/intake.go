// Package intake serves CallIntake, the cloud's door: a call that arrives and the events of
// calls in progress, read from the scenario's requests and handed to the switchboard.
package intake

import (
	"context"
	"strings"
	"time"

	"connectrpc.com/connect"

	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/cloud"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
)

// Switchboard is what the cloud's requests need of the engine: a request id seen before gets
// its first reply again.
type Switchboard interface {
	RegisterCall(ctx context.Context, requestID string, in cc.Intake) (cc.Reply, error)
	AttachCallback(ctx context.Context, requestID string, id cc.CallID, offer cc.OfferID, session, accessURL string) (cc.Reply, error)
	ReportEvent(ctx context.Context, requestID string, id cc.CallID, ev cc.CloudEvent) (cc.Reply, error)
}

// Handler serves CallIntake.
type Handler struct {
	board  Switchboard
	tokens *cloud.Signer // checks callback tokens
	clock  clock.Clock
}

// New returns CallIntake on board; tokens checks the callback scenarios' tokens.
func New(board Switchboard, tokens *cloud.Signer, clk clock.Clock) *Handler {
	return &Handler{board: board, tokens: tokens, clock: clk}
}

func requestID(id string) error {
	if err := convert.Required("request_id", id); err != nil {
		return err
	}
	return convert.MaxLen("request_id", id, 128)
}

func (h *Handler) RegisterCall(ctx context.Context, req *connect.Request[callintakev1.RegisterCallRequest]) (*connect.Response[callintakev1.RegisterCallResponse], error) {
	m := req.Msg
	in := cc.Intake{
		SessionID:    m.GetSessionId(),
		AccessURL:    m.GetAccessSecureUrl(),
		CallerNumber: m.GetCallerNumber(),
		CallerName:   m.GetDisplayName(),
		DialedNumber: m.GetDialedNumber(),
		SIPHeaders:   m.GetSipHeaders(),
		CustomData:   m.GetCustomData(),
		ArrivedAt:    convert.TimeOf(m.GetArrivedAt()),
		Priority:     int(m.GetPriority()),
	}
	err := requestID(m.GetRequestId())
	if err == nil && m.GetCallbackToken() != "" {
		return h.attachCallback(ctx, m)
	}
	if err == nil && m.GetPriority() > 100 {
		err = cc.Invalid("priority", "must be 0 to 100")
	}
	if err == nil {
		in.AccessURL, err = accessURL(m)
	}
	if err == nil {
		err = convert.Required("dialed_number", in.DialedNumber)
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{{"session_id", in.SessionID, 128}, {"caller_number", in.CallerNumber, 64}, {"dialed_number", in.DialedNumber, 64}, {"display_name", in.CallerName, 256}, {"custom_data", in.CustomData, 4096}} {
		if err == nil {
			err = convert.MaxLen(f.name, f.value, f.max)
		}
	}
	if err == nil && len(in.SIPHeaders) > 64 {
		err = cc.Invalid("sip_headers", "more than 64 headers")
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	reply, err := h.board.RegisterCall(ctx, m.GetRequestId(), in)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := registered(reply)
	if reply.Next != nil {
		if out.Next, err = cloud.CommandMessage(*reply.Next); err != nil {
			return nil, codes.ToConnect(ctx, err)
		}
	}
	return connect.NewResponse(out), nil
}

// registered is RegisterCall's answer for reply (a menu choice's answer too: queued), but for
// its next command.
func registered(reply cc.Reply) *callintakev1.RegisterCallResponse {
	return &callintakev1.RegisterCallResponse{
		CallId:          string(reply.Call),
		QueueId:         string(reply.Queue),
		Position:        uint32(reply.Position),
		HoldMusicUrl:    reply.HoldMusicURL,
		Greeting:        reply.Greeting,
		Record:          reply.Record,
		RecordingNotice: reply.RecordingNotice,
		Announcement:    reply.Announcement,
		ExpectedWaitS:   uint32((reply.ExpectedWait + time.Second - 1) / time.Second),
		Menu:            menuOut(reply.Menu),
	}
}

// accessURL is the session's accessSecureURL, or its accessURL without one.
func accessURL(m *callintakev1.RegisterCallRequest) (string, error) {
	if u := m.GetAccessSecureUrl(); u != "" {
		return u, cc.CheckURL("access_secure_url", u)
	}
	u := m.GetAccessUrl()
	if err := convert.Required("access_url", u); err != nil {
		return "", err
	}
	return u, cc.CheckURL("access_url", u)
}

// attachCallback serves the RegisterCall of a callback scenario: its token names the call and
// the offer it was started for.
func (h *Handler) attachCallback(ctx context.Context, m *callintakev1.RegisterCallRequest) (*connect.Response[callintakev1.RegisterCallResponse], error) {
	url, err := accessURL(m)
	if err == nil {
		err = convert.MaxLen("session_id", m.GetSessionId(), 128)
	}
	var tok cloud.CallbackToken
	if err == nil {
		tok, err = h.tokens.VerifyCallback(m.GetCallbackToken(), h.clock.Now())
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	reply, err := h.board.AttachCallback(ctx, m.GetRequestId(), tok.Call, tok.Offer, m.GetSessionId(), url)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &callintakev1.RegisterCallResponse{CallId: string(reply.Call), QueueId: string(reply.Queue)}
	if leg := reply.Callback; leg != nil {
		out.Callback = &callintakev1.CallbackCall{CustomerNumber: leg.Number, CallerId: leg.CallerID, OperatorText: leg.OperatorText, CustomerTimeoutS: uint32(leg.Timeout / time.Second)}
	}
	return connect.NewResponse(out), nil
}

func (h *Handler) ReportCallEvent(ctx context.Context, req *connect.Request[callintakev1.ReportCallEventRequest]) (*connect.Response[callintakev1.ReportCallEventResponse], error) {
	m := req.Msg
	ev, err := eventIn(m)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	reply, err := h.board.ReportEvent(ctx, m.GetRequestId(), cc.CallID(m.GetCallId()), ev)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &callintakev1.ReportCallEventResponse{}
	if reply.Queued {
		out.Queued = registered(reply)
	}
	if reply.Next != nil {
		if out.Next, err = cloud.CommandMessage(*reply.Next); err != nil {
			return nil, codes.ToConnect(ctx, err)
		}
	}
	return connect.NewResponse(out), nil
}

func eventIn(m *callintakev1.ReportCallEventRequest) (cc.CloudEvent, error) {
	if err := requestID(m.GetRequestId()); err != nil {
		return cc.CloudEvent{}, err
	}
	if err := convert.Required("call_id", m.GetCallId()); err != nil {
		return cc.CloudEvent{}, err
	}
	needOffer := func() error { return convert.Required("offer_id", m.GetOfferId()) }
	offer := cc.OfferID(m.GetOfferId())
	switch e := m.GetEvent().(type) {
	case *callintakev1.ReportCallEventRequest_OperatorRinging:
		return cc.CloudEvent{Kind: cc.CloudOperatorRinging, Offer: offer}, needOffer()
	case *callintakev1.ReportCallEventRequest_OperatorAnswered:
		return cc.CloudEvent{Kind: cc.CloudOperatorAnswered, Offer: offer, RingTime: msDur(e.OperatorAnswered.GetRingTimeMs())}, needOffer()
	case *callintakev1.ReportCallEventRequest_DialFailed:
		if e.DialFailed.GetCode() <= 0 {
			return cc.CloudEvent{}, cc.Invalid("dial_failed.code", "required: the cloud's failure code, like 486")
		}
		return cc.CloudEvent{Kind: cc.CloudDialFailed, Offer: offer, Code: int(e.DialFailed.GetCode()), Reason: e.DialFailed.GetReason(), RingTime: msDur(e.DialFailed.GetRingTimeMs())}, needOffer()
	case *callintakev1.ReportCallEventRequest_CallEnded:
		by, ok := partyIn[e.CallEnded.GetHungUpBy()]
		if !ok {
			return cc.CloudEvent{}, cc.Invalid("call_ended.hung_up_by", "required: caller, operator or system")
		}
		return cc.CloudEvent{Kind: cc.CloudCallEnded, Offer: offer, HungUpBy: by, TalkTime: msDur(e.CallEnded.GetTalkTimeMs())}, nil
	case *callintakev1.ReportCallEventRequest_CallerAbandoned:
		return cc.CloudEvent{Kind: cc.CloudCallerAbandoned, Offer: offer}, nil
	case *callintakev1.ReportCallEventRequest_SpeechAnswer:
		if err := convert.Required("speech_answer.question_id", e.SpeechAnswer.GetQuestionId()); err != nil {
			return cc.CloudEvent{}, err
		}
		return cc.CloudEvent{Kind: cc.CloudSpeechAnswer, Offer: offer, QuestionID: e.SpeechAnswer.GetQuestionId(), Verdict: verdictIn[e.SpeechAnswer.GetVerdict()]}, nil
	case *callintakev1.ReportCallEventRequest_RecordingStarted:
		url := e.RecordingStarted.GetUrl()
		if err := cc.CheckURL("recording_started.url", url); err != nil {
			return cc.CloudEvent{}, err
		}
		if !strings.HasPrefix(url, "https://") { // the web app plays it from an https page
			return cc.CloudEvent{}, cc.Invalid("recording_started.url", "must be https: %q", url)
		}
		if err := convert.MaxLen("recording_started.url", url, 2048); err != nil {
			return cc.CloudEvent{}, err
		}
		return cc.CloudEvent{Kind: cc.CloudRecordingStarted, Offer: offer, RecordingURL: url}, nil
	case *callintakev1.ReportCallEventRequest_PartyRinging:
		return partyEvent("party_ringing", e.PartyRinging.GetPartyId(), cc.CloudEvent{Kind: cc.CloudPartyRinging})
	case *callintakev1.ReportCallEventRequest_PartyJoined:
		return partyEvent("party_joined", e.PartyJoined.GetPartyId(), cc.CloudEvent{Kind: cc.CloudPartyJoined, RingTime: msDur(e.PartyJoined.GetRingTimeMs())})
	case *callintakev1.ReportCallEventRequest_PartyFailed:
		if e.PartyFailed.GetCode() <= 0 {
			return cc.CloudEvent{}, cc.Invalid("party_failed.code", "required: the cloud's failure code, like 486")
		}
		return partyEvent("party_failed", e.PartyFailed.GetPartyId(), cc.CloudEvent{Kind: cc.CloudPartyFailed, Code: int(e.PartyFailed.GetCode()), Reason: e.PartyFailed.GetReason(), RingTime: msDur(e.PartyFailed.GetRingTimeMs())})
	case *callintakev1.ReportCallEventRequest_PartyLeft:
		return partyEvent("party_left", e.PartyLeft.GetPartyId(), cc.CloudEvent{Kind: cc.CloudPartyLeft})
	case *callintakev1.ReportCallEventRequest_CustomerRinging:
		return cc.CloudEvent{Kind: cc.CloudCustomerRinging, Offer: offer}, nil
	case *callintakev1.ReportCallEventRequest_CustomerAnswered:
		return cc.CloudEvent{Kind: cc.CloudCustomerAnswered, Offer: offer, RingTime: msDur(e.CustomerAnswered.GetRingTimeMs())}, nil
	case *callintakev1.ReportCallEventRequest_CustomerFailed:
		if e.CustomerFailed.GetCode() <= 0 {
			return cc.CloudEvent{}, cc.Invalid("customer_failed.code", "required: the cloud's failure code, like 486")
		}
		return cc.CloudEvent{Kind: cc.CloudCustomerFailed, Offer: offer, Code: int(e.CustomerFailed.GetCode()), Reason: e.CustomerFailed.GetReason(), RingTime: msDur(e.CustomerFailed.GetRingTimeMs())}, nil
	case *callintakev1.ReportCallEventRequest_CallbackAnswer:
		number := e.CallbackAnswer.GetNumber()
		if err := convert.MaxLen("callback_answer.number", number, 32); err != nil {
			return cc.CloudEvent{}, err
		}
		return cc.CloudEvent{Kind: cc.CloudCallbackAnswer, Accepted: e.CallbackAnswer.GetAccepted(), Number: number}, nil
	case *callintakev1.ReportCallEventRequest_VoicemailRecorded:
		url := e.VoicemailRecorded.GetUrl()
		if err := cc.CheckURL("voicemail_recorded.url", url); err != nil {
			return cc.CloudEvent{}, err
		}
		if !strings.HasPrefix(url, "https://") { // the web app plays it from an https page
			return cc.CloudEvent{}, cc.Invalid("voicemail_recorded.url", "must be https: %q", url)
		}
		if err := convert.MaxLen("voicemail_recorded.url", url, 2048); err != nil {
			return cc.CloudEvent{}, err
		}
		return cc.CloudEvent{Kind: cc.CloudVoicemailRecorded, RecordingURL: url, Length: msDur(e.VoicemailRecorded.GetLengthMs())}, nil
	case *callintakev1.ReportCallEventRequest_MenuChosen:
		path, err := convert.MenuPathIn(e.MenuChosen.GetPath())
		if err != nil {
			return cc.CloudEvent{}, err
		}
		return cc.CloudEvent{Kind: cc.CloudMenuChosen, MenuExit: cc.MenuExit{Path: path, Action: convert.MenuActionIn(e.MenuChosen.GetAction())}}, nil
	}
	return cc.CloudEvent{}, cc.Invalid("event", "required: one of operator_ringing, operator_answered, dial_failed, call_ended, caller_abandoned, speech_answer, recording_started, party_ringing, party_joined, party_failed, party_left, menu_chosen, customer_ringing, customer_answered, customer_failed, callback_answer, voicemail_recorded")
}

// menuOut is the menu of a RegisterCall reply; nil for none.
func menuOut(m *cc.Menu) *commonv1.Menu {
	if m == nil {
		return nil
	}
	return convert.MenuOut(*m)
}

// partyEvent is ev about the party leg id, which the event (named name) must carry.
func partyEvent(name, id string, ev cc.CloudEvent) (cc.CloudEvent, error) {
	if err := convert.Required(name+".party_id", id); err != nil {
		return cc.CloudEvent{}, err
	}
	ev.Party = cc.PartyID(id)
	return ev, nil
}

var partyIn = map[commonv1.HangupParty]cc.HangupParty{
	commonv1.HangupParty_HANGUP_PARTY_CALLER:   cc.HangupCaller,
	commonv1.HangupParty_HANGUP_PARTY_OPERATOR: cc.HangupOperator,
	commonv1.HangupParty_HANGUP_PARTY_SYSTEM:   cc.HangupSystem,
}

var verdictIn = map[callintakev1.SpeechVerdict]cc.Verdict{
	callintakev1.SpeechVerdict_SPEECH_VERDICT_YES: cc.VerdictYes,
	callintakev1.SpeechVerdict_SPEECH_VERDICT_NO:  cc.VerdictNo,
}

func msDur(v uint32) time.Duration { return time.Duration(v) * time.Millisecond }
