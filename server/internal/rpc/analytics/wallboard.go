package analytics

import (
	"context"
	"slices"
	"strconv"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	stats "github.com/tandemcc/tandem/server/internal/analytics"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
)

const (
	// wallboardKeepalive is how often a quiet wallboard stream gets a message.
	wallboardKeepalive = 15 * time.Second
	// wallboardEvery is the least time between two frames of a wallboard stream, on the wall
	// clock: a screen needs no more, and a busy center's changes are sent together instead of
	// one floor per change.
	wallboardEvery = 200 * time.Millisecond
)

func (h *Handler) WatchWallboard(ctx context.Context, req *connect.Request[analyticsv1.WatchWallboardRequest], stream *connect.ServerStream[analyticsv1.WatchWallboardResponse]) error {
	want := map[cc.QueueID]bool{}
	for i, q := range req.Msg.GetQueueIds() {
		if !cc.ValidSlug(q) {
			return codes.ToConnect(ctx, cc.Invalid("queue_ids["+strconv.Itoa(i)+"]", "not a queue id"))
		}
		want[cc.QueueID(q)] = true
	}
	changed, stop := h.board.WatchFloor()
	defer stop()
	alerted, stopAlerts := h.alerts.Subscribe()
	defer stopAlerts()
	floor, err := h.board.Floor(ctx)
	if err != nil {
		return codes.ToConnect(ctx, err)
	}
	for q := range want {
		if floor.Queue(q) == nil {
			return codes.ToConnect(ctx, cc.NotFound("queue_ids", "no queue %q", q))
		}
	}
	v := wallboardView{want: want, operators: req.Msg.GetOperators()}
	sent := time.Now()
	first := v.next(floor, true)
	first.Alerts, first.AlertsChanged = v.alerts(h.alerts.Open()), true
	if err := stream.Send(first); err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-h.closing:
			return codes.ShuttingDown()
		case <-changed:
			// Pace the frames: what changes meanwhile goes out together in the next one.
			if wait := wallboardEvery - time.Since(sent); wait > 0 {
				select {
				case <-time.After(wait):
				case <-ctx.Done():
					return nil
				}
			}
			sent = time.Now()
			floor, err := h.board.Floor(ctx)
			if err != nil {
				return codes.ToConnect(ctx, err)
			}
			if msg := v.next(floor, false); msg != nil {
				if err := stream.Send(msg); err != nil {
					return err
				}
			}
		case <-alerted:
			if err := stream.Send(&analyticsv1.WatchWallboardResponse{At: convert.Timestamp(h.clock.Now()),
				Alerts: v.alerts(h.alerts.Open()), AlertsChanged: true}); err != nil {
				return err
			}
		case <-h.clock.After(wallboardKeepalive):
			if err := stream.Send(&analyticsv1.WatchWallboardResponse{At: convert.Timestamp(h.clock.Now())}); err != nil {
				return err
			}
		}
	}
}

// wallboardView is what one wallboard stream shows and last sent, to send only what changed.
type wallboardView struct {
	want      map[cc.QueueID]bool // empty: every queue
	operators bool
	queues    map[string]*analyticsv1.QueueLive
	ops       map[string]stats.OperatorNow // what was sent, as it was in the floor
}

// alerts are the open alerts of the queues the wallboard shows.
func (v *wallboardView) alerts(open []cc.Alert) []*analyticsv1.Alert {
	out := []*analyticsv1.Alert{}
	for _, a := range open {
		if len(v.want) == 0 || v.want[a.Queue] {
			out = append(out, alertOut(a))
		}
	}
	return out
}

// next is the message that brings the client from what it was sent to floor; nil when nothing
// changed.
func (v *wallboardView) next(floor stats.Floor, snapshot bool) *analyticsv1.WatchWallboardResponse {
	msg := &analyticsv1.WatchWallboardResponse{Snapshot: snapshot, At: convert.Timestamp(floor.At)}
	queues, ops := map[string]*analyticsv1.QueueLive{}, make(map[string]stats.OperatorNow, len(v.ops))
	for i := range floor.Queues {
		q := &floor.Queues[i]
		if len(v.want) > 0 && !v.want[q.ID] {
			continue
		}
		queues[string(q.ID)] = queueLiveOut(q)
	}
	if v.operators {
		for _, o := range floor.Operators {
			if o.Operator.Disabled {
				continue // dismissed: not on the floor
			}
			if len(v.want) > 0 && !slices.ContainsFunc(o.Operator.Queues, func(s cc.QueueSkill) bool { return v.want[s.Queue] }) {
				continue
			}
			ops[string(o.Operator.ID)] = o
		}
	}
	for _, id := range sortedKeys(queues) {
		if q := queues[id]; snapshot || !proto.Equal(q, v.queues[id]) {
			msg.Queues = append(msg.Queues, q)
		}
	}
	// Operators are compared as the floor has them, and only those that changed are turned
	// into messages: with thousands on the floor, most frames carry a few.
	for _, id := range sortedKeys(ops) {
		o := ops[id]
		if prev, ok := v.ops[id]; snapshot || !ok || !sameOperatorLive(o, prev) {
			msg.Operators = append(msg.Operators, operatorLiveOut(o))
		}
	}
	if !snapshot {
		for _, id := range sortedKeys(v.queues) {
			if queues[id] == nil {
				msg.RemovedQueueIds = append(msg.RemovedQueueIds, id)
			}
		}
		for _, id := range sortedKeys(v.ops) {
			if _, ok := ops[id]; !ok {
				msg.RemovedOperatorIds = append(msg.RemovedOperatorIds, id)
			}
		}
	}
	v.queues, v.ops = queues, ops
	if !snapshot && len(msg.Queues)+len(msg.Operators)+len(msg.RemovedQueueIds)+len(msg.RemovedOperatorIds) == 0 {
		return nil
	}
	return msg
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func optWait(d time.Duration) *uint32 {
	if d < 0 {
		return nil
	}
	v := convert.Millis(d)
	return &v
}

func queueLiveOut(q *stats.QueueNow) *analyticsv1.QueueLive {
	out := &analyticsv1.QueueLive{
		QueueId:           string(q.ID),
		Name:              q.Queue.Name,
		ExpectedWaitMs:    optWait(q.NewCallWait),
		OperatorsReady:    uint32(q.States[cc.OperatorReady]),
		OperatorsReserved: uint32(q.States[cc.OperatorReserved]),
		OperatorsOnCall:   uint32(q.States[cc.OperatorOnCall]),
		OperatorsWrapUp:   uint32(q.States[cc.OperatorWrapUp]),
		OperatorsAway:     uint32(q.States[cc.OperatorAway]),
		OperatorsBanned:   uint32(q.States[cc.OperatorBanned]),
		OperatorsOffline:  uint32(q.States[cc.OperatorOffline]),
		CallsConnected:    uint32(q.Connected),
		Today:             figuresOut(q.Today, &q.ServiceLevel),
		ServiceLevelRule:  slRuleOut(q.ServiceLevel),
		Closed:            q.Closed,
		ClosedWhy:         q.ClosedWhy,
	}
	var longest time.Time
	for i, w := range q.Waiting {
		c := w.Call
		wc := &analyticsv1.WaitingCall{CallId: string(c.ID), CallerNumber: c.CallerNumber, Position: uint32(w.Position),
			ArrivedAt: convert.Timestamp(c.ArrivedAt), ExpectedWaitMs: optWait(q.Expect[i]), Priority: uint32(c.Priority)}
		if !c.ManagerUntil.IsZero() {
			wc.ManagerId = string(c.Manager)
		}
		if w.Offer != nil {
			wc.OfferedToOperatorId, wc.OfferedToSpareId = string(w.Offer.Operator), string(w.Offer.Spare)
		}
		if longest.IsZero() || c.ArrivedAt.Before(longest) {
			longest = c.ArrivedAt
		}
		out.Waiting = append(out.Waiting, wc)
	}
	out.LongestWaitingSince = convert.Timestamp(longest)
	out.CallbacksWaiting = uint32(len(q.Callbacks))
	var oldest time.Time
	for _, w := range q.Callbacks {
		if oldest.IsZero() || w.Call.ArrivedAt.Before(oldest) {
			oldest = w.Call.ArrivedAt
		}
	}
	out.OldestCallbackSince = convert.Timestamp(oldest)
	return out
}

// sameOperatorLive reports whether a and b make the same OperatorLive (the fields
// operatorLiveOut reads).
func sameOperatorLive(a, b stats.OperatorNow) bool {
	sa, sb := &a.Status, &b.Status
	return a.Operator.ID == b.Operator.ID && a.Operator.DisplayName == b.Operator.DisplayName &&
		a.Present == b.Present && sa.State == sb.State && sa.Since.Equal(sb.Since) && sa.Reason == sb.Reason &&
		sa.Call == sb.Call && sa.Marks.Score == sb.Marks.Score && sa.BannedUntil.Equal(sb.BannedUntil) &&
		a.Today.Equal(b.Today) && slices.Equal(a.Operator.Queues, b.Operator.Queues)
}

func operatorLiveOut(o stats.OperatorNow) *analyticsv1.OperatorLive {
	out := &analyticsv1.OperatorLive{
		OperatorId:  string(o.Operator.ID),
		Name:        o.Operator.DisplayName,
		State:       convert.OperatorStates[o.Status.State],
		Since:       convert.Timestamp(o.Status.Since),
		Reason:      o.Status.Reason,
		CallId:      string(o.Status.Call),
		Today:       figuresOut(o.Today, nil),
		Score:       o.Status.Marks.Score,
		BannedUntil: convert.Timestamp(o.Status.BannedUntil),
	}
	if !o.Present && o.Status.State != cc.OperatorOffline {
		out.Reason = "no live app"
	}
	for _, s := range o.Operator.Queues {
		out.QueueIds = append(out.QueueIds, string(s.Queue))
	}
	return out
}
