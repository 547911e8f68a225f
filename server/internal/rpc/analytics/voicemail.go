package analytics

import (
	"context"

	"connectrpc.com/connect"

	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
)

var voicemailStates = map[cc.VoicemailState]analyticsv1.VoicemailState{
	cc.VoicemailNotCalledBack: analyticsv1.VoicemailState_VOICEMAIL_STATE_NOT_CALLED_BACK,
	cc.VoicemailWaiting:       analyticsv1.VoicemailState_VOICEMAIL_STATE_WAITING,
	cc.VoicemailCalling:       analyticsv1.VoicemailState_VOICEMAIL_STATE_CALLING,
	cc.VoicemailCalledBack:    analyticsv1.VoicemailState_VOICEMAIL_STATE_CALLED_BACK,
	cc.VoicemailGaveUp:        analyticsv1.VoicemailState_VOICEMAIL_STATE_GAVE_UP,
}

// voicemailQuery turns a request into a checked query.
func (h *Handler) voicemailQuery(ctx context.Context, m *analyticsv1.ListVoicemailsRequest) (cc.VoicemailQuery, error) {
	q := cc.VoicemailQuery{Queue: cc.QueueID(m.GetQueueId()), Limit: int(m.GetPageSize())}
	if q.Limit == 0 {
		q.Limit = defaultCallPage
	}
	var err error
	if q.From, q.To, err = h.rangeIn(m.GetRange()); err != nil {
		return q, err
	}
	if q.After, err = cursorOf(m.GetPageToken()); err != nil {
		return q, err
	}
	if err := q.Check(); err != nil {
		return q, err
	}
	if q.Queue != "" {
		if _, err := h.floor(ctx, q.Queue, ""); err != nil {
			return q, err
		}
	}
	return q, nil
}

func (h *Handler) ListVoicemails(ctx context.Context, req *connect.Request[analyticsv1.ListVoicemailsRequest]) (*connect.Response[analyticsv1.ListVoicemailsResponse], error) {
	q, err := h.voicemailQuery(ctx, req.Msg)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	vs, err := h.store.Voicemails(ctx, q)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	var ops []cc.OperatorID
	for _, v := range vs {
		if w := v.Work(); w.Operator != "" {
			ops = append(ops, w.Operator)
		}
	}
	names, err := h.store.DisplayNames(ctx, ops)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &analyticsv1.ListVoicemailsResponse{}
	for _, v := range vs {
		c, w := v.Call, v.Work()
		m := &analyticsv1.Voicemail{CallId: string(c.ID), QueueId: string(c.Queue), CallerNumber: c.CallerNumber,
			CallerName: c.CallerName, ArrivedAt: convert.Timestamp(c.ArrivedAt), Url: c.VoicemailURL,
			LengthMs: convert.Millis(c.VoicemailLength), State: voicemailStates[w.State], Attempt: uint32(w.Attempt),
			CallbackCallId: string(w.Callback), OperatorId: string(w.Operator), OperatorName: names[w.Operator]}
		switch w.State {
		case cc.VoicemailWaiting:
			m.NextAttemptAt = convert.Timestamp(w.At)
		case cc.VoicemailCalledBack:
			m.CalledBackAt = convert.Timestamp(w.At)
		}
		out.Voicemails = append(out.Voicemails, m)
	}
	if len(vs) == q.Limit {
		last := vs[len(vs)-1].Call
		out.NextPageToken = pageToken(cc.CallCursor{EndedAt: last.ArrivedAt, Call: last.ID})
	}
	return connect.NewResponse(out), nil
}
