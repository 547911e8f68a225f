package rpc

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/crypto/bcrypt"

	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

type presenceHandler struct{ s *Server }

// keepaliveEvery is how often a quiet presence stream gets a keepalive.
const keepaliveEvery = 15 * time.Second

func (h presenceHandler) LogIn(ctx context.Context, req *connect.Request[presencev1.LogInRequest]) (*connect.Response[presencev1.LogInResponse], error) {
	m := req.Msg
	if err := required("name", m.GetName()); err != nil {
		return nil, toConnect(ctx, err)
	}
	if err := required("password", m.GetPassword()); err != nil {
		return nil, toConnect(ctx, err)
	}
	badLogin := connect.NewError(connect.CodeUnauthenticated, errWrongPassword)
	op, err := h.s.store.OperatorByName(ctx, m.GetName())
	if cc.ErrorCode(err) == cc.CodeNotFound {
		// Spend the same time as a real check, so names cannot be probed by timing.
		_ = bcrypt.CompareHashAndPassword(h.s.dummyHash, []byte(m.GetPassword()))
		return nil, badLogin
	}
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	if bcrypt.CompareHashAndPassword([]byte(op.PasswordHash), []byte(m.GetPassword())) != nil {
		return nil, badLogin
	}
	if op.Disabled {
		return nil, connect.NewError(connect.CodePermissionDenied, errDisabled)
	}
	// One session per operator: this login takes over from any other.
	if err := h.s.store.DeleteOperatorSessions(ctx, op.ID); err != nil {
		return nil, toConnect(ctx, err)
	}
	token, hash := newToken()
	now := h.s.clock.Now()
	sess := cc.Session{TokenHash: hash, Operator: op.ID, CreatedAt: now, ExpiresAt: now.Add(h.s.sessionTTL)}
	if err := h.s.store.CreateSession(ctx, sess); err != nil {
		return nil, toConnect(ctx, err)
	}
	if err := h.s.board.TakeOver(ctx, op.ID, hash); err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&presencev1.LogInResponse{Token: token, OperatorId: string(op.ID), ExpiresAt: ts(sess.ExpiresAt)}), nil
}

func (h presenceHandler) LogOut(ctx context.Context, req *connect.Request[presencev1.LogOutRequest]) (*connect.Response[presencev1.LogOutResponse], error) {
	p, _ := principalFrom(ctx)
	if _, err := h.s.board.LogOut(ctx, p.Operator); err != nil {
		return nil, toConnect(ctx, err)
	}
	if err := h.s.store.DeleteSession(ctx, p.Token); err != nil {
		return nil, toConnect(ctx, err)
	}
	if err := h.s.board.TakeOver(ctx, p.Operator, ""); err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&presencev1.LogOutResponse{}), nil
}

func (h presenceHandler) GoReady(ctx context.Context, req *connect.Request[presencev1.GoReadyRequest]) (*connect.Response[presencev1.GoReadyResponse], error) {
	id, err := self(ctx, req.Msg.GetOperatorId())
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	v, err := h.s.board.GoReady(ctx, id)
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&presencev1.GoReadyResponse{Status: statusOut(v)}), nil
}

func (h presenceHandler) GoAway(ctx context.Context, req *connect.Request[presencev1.GoAwayRequest]) (*connect.Response[presencev1.GoAwayResponse], error) {
	id, err := self(ctx, req.Msg.GetOperatorId())
	if err == nil {
		err = required("reason", req.Msg.GetReason())
	}
	if err == nil {
		err = maxLen("reason", req.Msg.GetReason(), 200)
	}
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	v, err := h.s.board.GoAway(ctx, id, req.Msg.GetReason())
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&presencev1.GoAwayResponse{Status: statusOut(v)}), nil
}

func (h presenceHandler) EndWrapUp(ctx context.Context, req *connect.Request[presencev1.EndWrapUpRequest]) (*connect.Response[presencev1.EndWrapUpResponse], error) {
	id, err := self(ctx, req.Msg.GetOperatorId())
	if err == nil {
		err = maxLen("note", req.Msg.GetNote(), 2000)
	}
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	v, err := h.s.board.EndWrapUp(ctx, id, req.Msg.GetNote())
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&presencev1.EndWrapUpResponse{Status: statusOut(v)}), nil
}

// WatchOperator streams an operator's status: a snapshot, then every change, with keepalives.
// An operator watching himself is present for routing while the stream is open.
func (h presenceHandler) WatchOperator(ctx context.Context, req *connect.Request[presencev1.WatchOperatorRequest], stream *connect.ServerStream[presencev1.WatchOperatorResponse]) error {
	id, err := self(ctx, req.Msg.GetOperatorId())
	if err != nil {
		return toConnect(ctx, err)
	}
	p, _ := principalFrom(ctx)
	w, err := h.s.board.Watch(ctx, id, p.Role == RoleOperator, p.Token)
	if err != nil {
		return toConnect(ctx, err)
	}
	defer w.Stop()
	history := callerHistory{s: h.s}
	if err := stream.Send(&presencev1.WatchOperatorResponse{Event: &presencev1.WatchOperatorResponse_Snapshot{Snapshot: history.status(ctx, w.View())}}); err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-h.s.closing:
			return connect.NewError(connect.CodeUnavailable, errShuttingDown)
		case <-w.Ended():
			return connect.NewError(connect.CodeAborted, errTakenOver)
		case <-w.Changed():
			if err := stream.Send(&presencev1.WatchOperatorResponse{Event: &presencev1.WatchOperatorResponse_Changed{Changed: history.status(ctx, w.View())}}); err != nil {
				return err
			}
		case <-h.s.clock.After(keepaliveEvery):
			if err := stream.Send(&presencev1.WatchOperatorResponse{Event: &presencev1.WatchOperatorResponse_Keepalive{Keepalive: &presencev1.Keepalive{At: ts(h.s.clock.Now())}}}); err != nil {
				return err
			}
		}
	}
}

// callerHistory adds the caller's last calls to the status of an operator with an offer,
// reading the store once per offered call.
type callerHistory struct {
	s     *Server
	call  cc.CallID
	calls []*presencev1.PastCall
}

func (h *callerHistory) status(ctx context.Context, v cc.OperatorView) *presencev1.OperatorStatus {
	st := statusOut(v)
	if v.Offer == nil {
		return st
	}
	if c := v.Offer.Call; c.ID != h.call && c.CallerNumber != "" {
		h.call, h.calls = c.ID, nil
		past, err := h.s.store.CallerHistory(ctx, c.CallerNumber, c.ID, 5)
		if err != nil {
			slog.WarnContext(ctx, "caller history", "call_id", c.ID, "err", err)
		}
		names := h.names(ctx, past)
		for _, p := range past {
			h.calls = append(h.calls, &presencev1.PastCall{CallId: string(p.ID), ArrivedAt: ts(p.ArrivedAt), QueueId: string(p.Queue), State: callStates[p.State], OperatorName: names[p.Operator], TalkTimeMs: ms(p.TalkTime)})
		}
	}
	st.Offer.RecentCalls = h.calls
	return st
}

// displayNamer is a store that reads several operators' display names at once.
type displayNamer interface {
	DisplayNames(ctx context.Context, ids []cc.OperatorID) (map[cc.OperatorID]string, error)
}

// names returns the display names of the operators of past calls: in one read when the store
// can, else one operator at a time.
func (h *callerHistory) names(ctx context.Context, past []cc.Call) map[cc.OperatorID]string {
	var ids []cc.OperatorID
	for _, p := range past {
		if p.Operator != "" && !slices.Contains(ids, p.Operator) {
			ids = append(ids, p.Operator)
		}
	}
	if dn, ok := h.s.store.(displayNamer); ok {
		names, err := dn.DisplayNames(ctx, ids)
		if err != nil {
			slog.WarnContext(ctx, "caller history: operator names", "err", err)
		}
		return names
	}
	names := map[cc.OperatorID]string{}
	for _, id := range ids {
		if op, err := h.s.store.Operator(ctx, id); err == nil {
			names[id] = op.DisplayName
		}
	}
	return names
}
