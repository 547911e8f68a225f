package admin

import (
	"context"
	"net"

	"connectrpc.com/connect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
	"github.com/tandemcc/tandem/server/internal/rpc/limits"
)

// Logins are the failed-login records and back-offs (limits.Logins): the supervisor sees who is
// being guessed at and from where, and lets someone in again before his back-off ends.
type Logins interface {
	Names() []limits.NameFailures
	Addresses() []limits.BackOff
	UnlockName(name string) int
	UnlockAddress(addr string) int
}

func (h *Handler) ListLoginFailures(ctx context.Context, _ *connect.Request[adminv1.ListLoginFailuresRequest]) (*connect.Response[adminv1.ListLoginFailuresResponse], error) {
	ops, err := h.store.Operators(ctx)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	byName := make(map[string]cc.Operator, len(ops))
	for _, op := range ops {
		byName[op.Name] = op
	}
	out := &adminv1.ListLoginFailuresResponse{}
	// Names that are no operator's are left out here: guesses at them show in the addresses.
	for _, n := range h.logins.Names() {
		op, ok := byName[n.Name]
		if !ok {
			continue
		}
		o := &adminv1.OperatorLoginFailures{OperatorId: string(op.ID), Name: op.Name, Failures: uint32(n.Count),
			LastFailedAt: convert.Timestamp(n.LastAt), LastAddress: n.LastAddress}
		for _, b := range n.BackedOff {
			o.BackedOff = append(o.BackedOff, backOffOut(b))
		}
		out.Operators = append(out.Operators, o)
	}
	for _, b := range h.logins.Addresses() {
		out.Addresses = append(out.Addresses, backOffOut(b))
	}
	return connect.NewResponse(out), nil
}

func backOffOut(b limits.BackOff) *adminv1.LoginBackOff {
	return &adminv1.LoginBackOff{Address: b.Address, Failures: uint32(b.Failures), Until: convert.Timestamp(b.Until)}
}

func (h *Handler) UnlockLogin(ctx context.Context, req *connect.Request[adminv1.UnlockLoginRequest]) (*connect.Response[adminv1.UnlockLoginResponse], error) {
	m := req.Msg
	switch {
	case m.GetOperatorId() != "" && m.GetAddress() != "":
		return nil, codes.ToConnect(ctx, cc.Invalid("address", "give operator_id or address, not both"))
	case m.GetOperatorId() != "":
		op, err := h.store.Operator(ctx, cc.OperatorID(m.GetOperatorId()))
		if err != nil {
			return nil, codes.ToConnect(ctx, err)
		}
		return connect.NewResponse(&adminv1.UnlockLoginResponse{Cleared: uint32(h.logins.UnlockName(op.Name))}), nil
	case m.GetAddress() != "":
		addr := m.GetAddress()
		if _, network, err := net.ParseCIDR(addr); err == nil { // a /64 as ListLoginFailures shows it
			addr = network.IP.String()
		}
		if net.ParseIP(addr) == nil {
			return nil, codes.ToConnect(ctx, cc.Invalid("address", "must be an IP address (or an IPv6 /64 as ListLoginFailures shows it)"))
		}
		return connect.NewResponse(&adminv1.UnlockLoginResponse{Cleared: uint32(h.logins.UnlockAddress(addr))}), nil
	}
	return nil, codes.ToConnect(ctx, cc.Invalid("operator_id", "give the operator whose logins to unlock, or an address"))
}
