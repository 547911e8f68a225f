package analytics

import (
	"context"

	"connectrpc.com/connect"

	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
)

func (h *Handler) GetMenuReport(ctx context.Context, req *connect.Request[analyticsv1.GetMenuReportRequest]) (*connect.Response[analyticsv1.GetMenuReportResponse], error) {
	from, to, err := h.rangeIn(req.Msg.GetRange())
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	calls, err := h.store.MenuTrips(ctx, cc.MenuID(req.Msg.GetMenuId()), from, to)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &analyticsv1.GetMenuReportResponse{}
	counts := func(in []cc.MenuCount) []*analyticsv1.MenuCount {
		var out []*analyticsv1.MenuCount
		for _, c := range in {
			out = append(out, &analyticsv1.MenuCount{Exit: c.Exit, NodeId: string(c.Node), Answer: c.Answer, Calls: uint64(c.Calls)})
		}
		return out
	}
	for _, r := range cc.CountMenuTrips(calls) {
		out.Menus = append(out.Menus, &analyticsv1.MenuReport{MenuId: string(r.Menu), Calls: uint64(r.Calls), Exits: counts(r.Exits), Choices: counts(r.Choices)})
	}
	return connect.NewResponse(out), nil
}
