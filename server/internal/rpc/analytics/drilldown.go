package analytics

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"connectrpc.com/connect"

	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
)

// defaultCallPage is a search's page size when none is asked for.
const defaultCallPage = 50

// maxScoreDays bounds the score history a drill-down reads.
const maxScoreDays = 366

var outcomesIn = map[analyticsv1.CallOutcome]cc.CallOutcome{
	analyticsv1.CallOutcome_CALL_OUTCOME_ANSWERED:    cc.OutcomeAnswered,
	analyticsv1.CallOutcome_CALL_OUTCOME_ABANDONED:   cc.OutcomeAbandoned,
	analyticsv1.CallOutcome_CALL_OUTCOME_LOST:        cc.OutcomeLost,
	analyticsv1.CallOutcome_CALL_OUTCOME_TRANSFERRED: cc.OutcomeTransferred,
	analyticsv1.CallOutcome_CALL_OUTCOME_AT_SPARE:    cc.OutcomeAtSpare,
	analyticsv1.CallOutcome_CALL_OUTCOME_DECLINED:    cc.OutcomeDeclined,
	analyticsv1.CallOutcome_CALL_OUTCOME_EXITED:      cc.OutcomeExited,
}

// operatorNamed finds an operator on the floor by id or login name.
func (h *Handler) operatorNamed(ctx context.Context, field, idOrName string) (cc.OperatorID, string, error) {
	f, err := h.board.Floor(ctx)
	if err != nil {
		return "", "", err
	}
	for _, o := range f.Operators {
		if string(o.Operator.ID) == idOrName || o.Operator.Name == idOrName {
			name := o.Operator.DisplayName
			if name == "" {
				name = o.Operator.Name
			}
			return o.Operator.ID, name, nil
		}
	}
	return "", "", cc.NotFound(field, "no operator %q", idOrName)
}

// pageToken is where a page of a search stopped, for the next one.
func pageToken(c cc.CallCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.EndedAt.UnixMilli(), 10) + ":" + string(c.Call)))
}

func cursorOf(token string) (cc.CallCursor, error) {
	if token == "" {
		return cc.CallCursor{}, nil
	}
	bad := cc.Invalid("page_token", "not a page token of this search")
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return cc.CallCursor{}, bad
	}
	ms, id, ok := strings.Cut(string(raw), ":")
	n, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil || id == "" {
		return cc.CallCursor{}, bad
	}
	return cc.CallCursor{EndedAt: time.UnixMilli(n).UTC(), Call: cc.CallID(id)}, nil
}

// callQuery turns a search request into a checked query.
func (h *Handler) callQuery(ctx context.Context, m *analyticsv1.SearchCallsRequest) (cc.CallQuery, error) {
	q := cc.CallQuery{Number: strings.TrimSpace(m.GetCallerNumber()), NumberContains: m.GetNumberContains(),
		Queue: cc.QueueID(m.GetQueueId()), From: convert.TimeOf(m.GetRange().GetFrom()), To: convert.TimeOf(m.GetRange().GetTo()),
		Limit: int(m.GetPageSize()), Disposition: strings.TrimSpace(m.GetDisposition()),
		ExitKind: cc.ExitKind(strings.TrimSpace(m.GetExitKind()))}
	if q.Limit == 0 {
		q.Limit = defaultCallPage
	}
	if m.GetOutcome() != analyticsv1.CallOutcome_CALL_OUTCOME_UNSPECIFIED {
		o, ok := outcomesIn[m.GetOutcome()]
		if !ok {
			return q, cc.Invalid("outcome", "unknown outcome %d", m.GetOutcome())
		}
		q.Outcome = o
	}
	var err error
	if q.After, err = cursorOf(m.GetPageToken()); err != nil {
		return q, err
	}
	if err := q.Check(); err != nil {
		return q, err
	}
	if m.GetOperator() != "" {
		if q.Operator, _, err = h.operatorNamed(ctx, "operator", m.GetOperator()); err != nil {
			return q, err
		}
	}
	if q.Queue != "" {
		if _, err := h.floor(ctx, q.Queue, ""); err != nil {
			return q, err
		}
	}
	return q, nil
}

func (h *Handler) SearchCalls(ctx context.Context, req *connect.Request[analyticsv1.SearchCallsRequest]) (*connect.Response[analyticsv1.SearchCallsResponse], error) {
	q, err := h.callQuery(ctx, req.Msg)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	calls, err := h.store.SearchCalls(ctx, q)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	var ops []cc.OperatorID
	for _, c := range calls {
		if c.Operator != "" {
			ops = append(ops, c.Operator)
		}
	}
	names, err := h.store.DisplayNames(ctx, ops)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &analyticsv1.SearchCallsResponse{}
	for _, c := range calls {
		s := &analyticsv1.CallSummary{CallId: string(c.ID), QueueId: string(c.Queue), CallerNumber: c.CallerNumber,
			CallerName: c.CallerName, OperatorId: string(c.Operator), OperatorName: names[c.Operator], SpareId: string(c.Spare),
			State: convert.CallStates[c.State], Outcome: outcomeOf(c), ArrivedAt: convert.Timestamp(c.ArrivedAt), MenuId: string(c.Menu), MenuExit: c.MenuExit,
			AnsweredAt: convert.Timestamp(c.AnsweredAt), EndedAt: convert.Timestamp(c.EndedAt),
			TalkTimeMs: uint64(c.TalkTime / time.Millisecond), HungUpBy: convert.HangupParties[c.HungUpBy],
			Disposition: c.Disposition, Exit: convert.CallExitOut(c.Exit)}
		waited := c.EndedAt
		if !c.AnsweredAt.IsZero() {
			waited = c.AnsweredAt
		}
		if !c.ArrivedAt.IsZero() && waited.After(c.ArrivedAt) {
			s.WaitMs = convert.Millis(waited.Sub(c.ArrivedAt))
		}
		out.Calls = append(out.Calls, s)
	}
	if len(calls) == q.Limit {
		last := calls[len(calls)-1]
		out.NextPageToken = pageToken(cc.CallCursor{EndedAt: last.EndedAt, Call: last.ID})
	}
	return connect.NewResponse(out), nil
}

// outcomeOf is an ended call's main outcome, as the search lists it.
func outcomeOf(c cc.Call) analyticsv1.CallOutcome {
	switch {
	case c.State == cc.CallAbandoned:
		return analyticsv1.CallOutcome_CALL_OUTCOME_ABANDONED
	case c.State == cc.CallLost:
		return analyticsv1.CallOutcome_CALL_OUTCOME_LOST
	case c.Exit.Ended():
		return analyticsv1.CallOutcome_CALL_OUTCOME_EXITED
	case c.Spare != "":
		return analyticsv1.CallOutcome_CALL_OUTCOME_AT_SPARE
	case c.Transfer.State == cc.TransferCompleted:
		return analyticsv1.CallOutcome_CALL_OUTCOME_TRANSFERRED
	default:
		return analyticsv1.CallOutcome_CALL_OUTCOME_ANSWERED
	}
}

// isMiss says whether an operator's event is one of his misses: an offer that failed or expired
// on his phone (the engine logs only those that counted against him as such).
func isMiss(e cc.CallEvent) bool {
	return e.Kind == cc.EventOfferFailed || e.Kind == cc.EventOfferExpired
}

func (h *Handler) GetOperatorDrillDown(ctx context.Context, req *connect.Request[analyticsv1.GetOperatorDrillDownRequest]) (*connect.Response[analyticsv1.GetOperatorDrillDownResponse], error) {
	if err := convert.Required("operator", req.Msg.GetOperator()); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	days := int(req.Msg.GetScoreDays())
	if days == 0 {
		days = 30
	}
	if days > maxScoreDays {
		return nil, codes.ToConnect(ctx, cc.Invalid("score_days", "at most %d days, not %d", maxScoreDays, days))
	}
	from, to, err := h.rangeIn(req.Msg.GetRange())
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	id, name, err := h.operatorNamed(ctx, "operator", req.Msg.GetOperator())
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	states, err := h.store.OperatorStates(ctx, id, from, to)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	events, err := h.store.OperatorEvents(ctx, id, from, to)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	today := h.clock.Now().UTC()
	scores, err := h.store.DayScores(ctx, id, today.AddDate(0, 0, 1-days), today)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &analyticsv1.GetOperatorDrillDownResponse{OperatorId: string(id), Name: name}
	for i, s := range states {
		span := &analyticsv1.OperatorStateSpan{Since: convert.Timestamp(s.Since), State: convert.OperatorStates[s.State], Reason: s.Reason}
		if i+1 < len(states) {
			span.Until = convert.Timestamp(states[i+1].Since)
		}
		out.States = append(out.States, span)
		if s.State == cc.OperatorBanned {
			out.Bans = append(out.Bans, span)
		}
	}
	for _, e := range events {
		ev := &analyticsv1.OperatorEvent{At: convert.Timestamp(e.At), CallId: string(e.Call), Kind: string(e.Kind),
			OfferId: string(e.Offer), Text: e.Text, FailureCode: int32(e.Code), RingTimeMs: convert.Millis(e.RingTime),
			TalkTimeMs: uint64(e.TalkTime / time.Millisecond)}
		out.Events = append(out.Events, ev)
		if isMiss(e) {
			out.Misses = append(out.Misses, ev)
		}
	}
	for _, s := range scores {
		out.Scores = append(out.Scores, &analyticsv1.DayScore{Day: time.Unix(s.Day*86400, 0).UTC().Format(time.DateOnly),
			Points: s.Score.Points, LostToMisses: s.Score.LostToMisses, LostToSlowAnswers: s.Score.LostToSlowAnswers})
	}
	return connect.NewResponse(out), nil
}
