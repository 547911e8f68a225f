package admin

import (
	"context"

	"connectrpc.com/connect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
)

func (h *Handler) PutMenu(ctx context.Context, req *connect.Request[adminv1.PutMenuRequest]) (*connect.Response[adminv1.PutMenuResponse], error) {
	m, err := convert.MenuIn(req.Msg.GetMenu())
	if err == nil {
		m, err = h.board.PutMenu(ctx, m)
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.PutMenuResponse{Menu: convert.MenuOut(m)}), nil
}

func (h *Handler) DeleteMenu(ctx context.Context, req *connect.Request[adminv1.DeleteMenuRequest]) (*connect.Response[adminv1.DeleteMenuResponse], error) {
	err := convert.Required("menu_id", req.Msg.GetMenuId())
	if err == nil {
		err = h.board.DeleteMenu(ctx, cc.MenuID(req.Msg.GetMenuId()))
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.DeleteMenuResponse{}), nil
}

func (h *Handler) ListMenus(ctx context.Context, req *connect.Request[adminv1.ListMenusRequest]) (*connect.Response[adminv1.ListMenusResponse], error) {
	menus, err := h.board.Menus(ctx)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &adminv1.ListMenusResponse{}
	for _, m := range menus {
		out.Menus = append(out.Menus, convert.MenuOut(m))
	}
	return connect.NewResponse(out), nil
}
