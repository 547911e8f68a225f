package admin

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"connectrpc.com/connect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
)

func (h *Handler) SetClient(ctx context.Context, req *connect.Request[adminv1.SetClientRequest]) (*connect.Response[adminv1.SetClientResponse], error) {
	n, err := cc.CheckNumber("number", req.Msg.GetNumber())
	if err == nil {
		err = convert.Required("manager_id", req.Msg.GetManagerId())
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	cl, err := h.board.SetClient(ctx, n, cc.OperatorID(req.Msg.GetManagerId()))
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.SetClientResponse{Client: convert.ClientOut(cl)}), nil
}

func (h *Handler) RemoveClient(ctx context.Context, req *connect.Request[adminv1.RemoveClientRequest]) (*connect.Response[adminv1.RemoveClientResponse], error) {
	n, err := cc.CheckNumber("number", req.Msg.GetNumber())
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	cl, err := h.board.RemoveClient(ctx, n)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.RemoveClientResponse{Client: convert.ClientOut(cl)}), nil
}

func (h *Handler) GetClient(ctx context.Context, req *connect.Request[adminv1.GetClientRequest]) (*connect.Response[adminv1.GetClientResponse], error) {
	n, err := cc.CheckNumber("number", req.Msg.GetNumber())
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	cl, err := h.board.Client(ctx, n)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.GetClientResponse{Client: convert.ClientOut(cl)}), nil
}

func (h *Handler) ListClients(ctx context.Context, req *connect.Request[adminv1.ListClientsRequest]) (*connect.Response[adminv1.ListClientsResponse], error) {
	clients, err := h.board.Clients(ctx, cc.OperatorID(req.Msg.GetManagerId()), req.Msg.GetOrphans())
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &adminv1.ListClientsResponse{}
	for _, cl := range clients {
		out.Clients = append(out.Clients, convert.ClientOut(cl))
	}
	return connect.NewResponse(out), nil
}

// maxImportLines bounds one import; bigger lists go in several requests.
const maxImportLines = 100000

func (h *Handler) ImportClients(ctx context.Context, req *connect.Request[adminv1.ImportClientsRequest]) (*connect.Response[adminv1.ImportClientsResponse], error) {
	r := csv.NewReader(strings.NewReader(req.Msg.GetCsv()))
	r.FieldsPerRecord, r.TrimLeadingSpace = -1, true
	var lines []cc.ClientLine
	out := &adminv1.ImportClientsResponse{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return nil, codes.ToConnect(ctx, cc.Invalid("csv", "line %d: %v", line, err))
		}
		if len(lines) >= maxImportLines {
			return nil, codes.ToConnect(ctx, cc.Invalid("csv", "more than %d lines: import in parts", maxImportLines))
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" || (len(rec) >= 1 && strings.EqualFold(strings.TrimSpace(rec[0]), "number")) {
			continue
		}
		if len(rec) != 2 {
			out.Errors = append(out.Errors, &adminv1.ImportError{Line: uint32(line), Message: "want two fields: number,manager"})
			continue
		}
		n, err := cc.CheckNumber("number", rec[0])
		if err != nil {
			out.Errors = append(out.Errors, &adminv1.ImportError{Line: uint32(line), Message: fmt.Sprintf("%q is not a phone number", rec[0])})
			continue
		}
		lines = append(lines, cc.ClientLine{Line: line, Number: n, Manager: strings.TrimSpace(rec[1])})
	}
	imported, failed, err := h.board.ImportClients(ctx, lines)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out.Imported = uint32(imported)
	for _, f := range failed {
		out.Errors = append(out.Errors, &adminv1.ImportError{Line: uint32(f.Line), Message: f.Message})
	}
	return connect.NewResponse(out), nil
}
