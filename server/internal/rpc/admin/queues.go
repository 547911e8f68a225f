package admin

import (
	"context"
	"time"

	"connectrpc.com/connect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
)

// queueIn reads a queue and checks it (see cc.Queue.Check).
func queueIn(q *adminv1.Queue) (cc.Queue, error) {
	if q == nil {
		return cc.Queue{}, cc.Invalid("queue", "required")
	}
	rules, err := rulesIn(q)
	if err != nil {
		return cc.Queue{}, err
	}
	return cc.Queue{
		ID:              cc.QueueID(q.GetQueueId()),
		Name:            q.GetName(),
		DialedNumbers:   q.GetDialedNumbers(),
		Strategy:        cc.Strategy(q.GetStrategy()),
		OfferTimeout:    convert.Seconds(q.GetOfferTimeoutS()),
		WrapUp:          convert.Seconds(q.GetWrapUpS()),
		Priority:        int(q.GetPriority()),
		HoldMusicURL:    q.GetHoldMusicUrl(),
		Greeting:        q.GetGreeting(),
		IsDefault:       q.GetIsDefault(),
		Rules:           rules,
		RecordCalls:     q.GetRecordCalls(),
		RecordingNotice: q.GetRecordingNotice(),
		RingAtOnce:      int(min(q.GetRingAtOnce(), 1000)), // Check refuses more than 50
	}.Check()
}

// rulesIn reads a queue's rules: the fields the API documents with "0: the default" take
// cc.DefaultRules' value when zero.
func rulesIn(q *adminv1.Queue) (cc.QueueRules, error) {
	r := cc.DefaultRules()
	r.AnnounceEvery = convert.Seconds(q.GetAnnounceEveryS())
	if n := q.GetAwayAfterMisses(); n > 0 {
		r.AwayAfterMisses = int(n)
	}
	r.AwayAfterDeclines = int(min(q.GetAwayAfterDeclines(), 1000)) // Check refuses more than 100
	if n := q.GetBanAfterMisses(); n > 0 {
		r.BanAfterMisses = int(n)
	}
	if w := q.GetBanWindowS(); w > 0 {
		r.BanWindow = convert.Seconds(w)
	}
	if steps := q.GetBanStepsS(); len(steps) > 0 {
		r.BanSteps = make([]time.Duration, len(steps))
		for i, st := range steps {
			r.BanSteps[i] = convert.Seconds(st)
		}
	}
	if w := q.GetManagerWaitS(); w > 0 {
		r.ManagerWait = convert.Seconds(w)
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
		r.Overflow.After = convert.Seconds(o.GetAfterS())
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
		Threshold:    convert.Seconds(q.GetServiceLevelThresholdS()),
		Target:       int(q.GetServiceLevelTargetPercent()),
		Abandoned:    cc.AbandonedRule(q.GetServiceLevelAbandoned()),
		ShortAbandon: convert.Seconds(q.GetShortAbandonS()),
	}
	r.Alerts = cc.AlertThresholds{ // zeros stay: off, or (window, hold) AlertThresholds.OrDefaults
		ServiceLevelUnder: int(min(q.GetAlertServiceLevelUnderPercent(), 1000)), // Check refuses past 100
		LongestWaitOver:   convert.Seconds(q.GetAlertLongestWaitOverS()),
		WaitingOver:       int(q.GetAlertWaitingOver()),
		MissesInRow:       int(min(q.GetAlertMissesInRow(), 1000)),
		AbandonmentOver:   int(min(q.GetAlertAbandonmentOverPercent(), 1000)),
		Window:            convert.Seconds(q.GetAlertWindowS()),
		Hold:              convert.Seconds(q.GetAlertHoldS()),
	}
	for _, d := range q.GetDispositions() { // Queue.Check checks them, naming the entry at fault
		r.Dispositions = append(r.Dispositions, cc.Disposition{Code: d.GetCode(), Label: d.GetLabel()})
	}
	r.DispositionRequired = q.GetDispositionRequired()
	if h := q.GetHours(); h != nil {
		var err error
		if r.Hours, err = convert.QueueHoursIn("queue.hours", h); err != nil {
			return r, err
		}
	}
	r.ClosedExit = convert.ExitIn(q.GetClosedExit())
	r.ExitWaitingAtClose = q.GetExitWaitingAtClose()
	r.MaxWaiting = cc.CallsCap{Calls: int(min(q.GetMaxWaiting(), 1<<20)), Exit: convert.ExitIn(q.GetMaxWaitingExit())} // Check refuses past 10000
	r.LongestWait = cc.WaitCap{After: convert.Seconds(q.GetLongestWaitS()), Exit: convert.ExitIn(q.GetLongestWaitExit())}
	r.Callback = convert.CallbackRulesIn(q.GetCallback())
	return r, nil
}

// queueOut is a queue as the API shows it, with whether it is closed now.
func (h *Handler) queueOut(q cc.Queue) *adminv1.Queue {
	out := convert.QueueOut(q)
	if open, why := q.Rules.Hours.Open(h.clock.Now()); !open {
		out.ClosedNow, out.ClosedWhy = true, cc.ClosedWhy(why)
	}
	return out
}

func (h *Handler) CreateQueue(ctx context.Context, req *connect.Request[adminv1.CreateQueueRequest]) (*connect.Response[adminv1.CreateQueueResponse], error) {
	q, err := queueIn(req.Msg.GetQueue())
	if err == nil {
		err = h.board.CreateQueue(ctx, q)
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.CreateQueueResponse{Queue: h.queueOut(q)}), nil
}

func (h *Handler) UpdateQueue(ctx context.Context, req *connect.Request[adminv1.UpdateQueueRequest]) (*connect.Response[adminv1.UpdateQueueResponse], error) {
	q, err := queueIn(req.Msg.GetQueue())
	if err == nil {
		err = h.board.UpdateQueue(ctx, q)
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.UpdateQueueResponse{Queue: h.queueOut(q)}), nil
}

func (h *Handler) GetQueue(ctx context.Context, req *connect.Request[adminv1.GetQueueRequest]) (*connect.Response[adminv1.GetQueueResponse], error) {
	if err := convert.Required("queue_id", req.Msg.GetQueueId()); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	q, err := h.store.Queue(ctx, cc.QueueID(req.Msg.GetQueueId()))
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.GetQueueResponse{Queue: h.queueOut(q)}), nil
}

func (h *Handler) ListQueues(ctx context.Context, req *connect.Request[adminv1.ListQueuesRequest]) (*connect.Response[adminv1.ListQueuesResponse], error) {
	qs, err := h.store.Queues(ctx)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &adminv1.ListQueuesResponse{}
	for _, q := range qs {
		out.Queues = append(out.Queues, h.queueOut(q))
	}
	return connect.NewResponse(out), nil
}
