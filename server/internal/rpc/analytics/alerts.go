package analytics

import (
	"context"

	"connectrpc.com/connect"

	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/auth"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
)

const maxAlertsListed = 1000

func (h *Handler) ListAlerts(ctx context.Context, req *connect.Request[analyticsv1.ListAlertsRequest]) (*connect.Response[analyticsv1.ListAlertsResponse], error) {
	if req.Msg.GetLimit() > maxAlertsListed {
		return nil, codes.ToConnect(ctx, cc.Invalid("limit", "at most 1000"))
	}
	q := cc.AlertQuery{Since: convert.TimeOf(req.Msg.GetSince()), Limit: int(req.Msg.GetLimit())}
	q.OpenOnly = q.Since.IsZero()
	alerts, err := h.store.Alerts(ctx, q)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&analyticsv1.ListAlertsResponse{Alerts: alertsOut(alerts)}), nil
}

func (h *Handler) AcknowledgeAlert(ctx context.Context, req *connect.Request[analyticsv1.AcknowledgeAlertRequest]) (*connect.Response[analyticsv1.AcknowledgeAlertResponse], error) {
	if req.Msg.GetAlertId() <= 0 {
		return nil, codes.ToConnect(ctx, cc.Invalid("alert_id", "required"))
	}
	p, _ := auth.From(ctx)
	a, err := h.alerts.Acknowledge(ctx, req.Msg.GetAlertId(), p.Name)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&analyticsv1.AcknowledgeAlertResponse{Alert: alertOut(a)}), nil
}

func alertsOut(alerts []cc.Alert) []*analyticsv1.Alert {
	out := make([]*analyticsv1.Alert, len(alerts))
	for i, a := range alerts {
		out[i] = alertOut(a)
	}
	return out
}

func alertOut(a cc.Alert) *analyticsv1.Alert {
	return &analyticsv1.Alert{
		AlertId: a.ID, QueueId: string(a.Queue), Kind: string(a.Kind), OperatorId: string(a.Operator),
		Value: a.Value, Threshold: a.Threshold, RaisedAt: convert.Timestamp(a.RaisedAt), ClearedAt: convert.Timestamp(a.ClearedAt),
		AcknowledgedBy: a.AckedBy, AcknowledgedAt: convert.Timestamp(a.AckedAt),
	}
}
