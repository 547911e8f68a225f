package rpc

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"connectrpc.com/connect"
	"golang.org/x/crypto/bcrypt"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

type adminHandler struct{ s *Server }

func (h adminHandler) hashPassword(field, password string) (string, error) {
	if len(password) < 8 {
		return "", cc.Invalid(field, "must be at least 8 characters")
	}
	if len(password) > 72 {
		return "", cc.Invalid(field, "must be at most 72 bytes")
	}
	b, err := bcrypt.GenerateFromPassword([]byte(password), h.s.passwordCost)
	return string(b), err
}

// newID makes an id for something an admin creates: a prefix and 64 random bits.
func newID(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return prefix + "_" + hex.EncodeToString(b[:])
}

func (h adminHandler) CreateOperator(ctx context.Context, req *connect.Request[adminv1.CreateOperatorRequest]) (*connect.Response[adminv1.CreateOperatorResponse], error) {
	m := req.Msg
	op := cc.Operator{ID: cc.OperatorID(newID("op")), Name: m.GetName(), DisplayName: m.GetDisplayName(), CreatedAt: h.s.clock.Now()}
	err := func() (err error) {
		if op.Contact, err = contactIn("contact", m.GetContact()); err != nil {
			return err
		}
		op.Queues = skillsIn(m.GetQueues())
		if op.Hours, err = hoursIn("hours", m.GetHours()); err != nil {
			return err
		}
		if op, err = op.Check(); err != nil { // before bcrypt, which is slow on purpose
			return err
		}
		op.PasswordHash, err = h.hashPassword("password", m.GetPassword())
		return err
	}()
	if err == nil {
		err = h.s.board.CreateOperator(ctx, op)
	}
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.CreateOperatorResponse{Operator: operatorOut(op)}), nil
}

func (h adminHandler) UpdateOperator(ctx context.Context, req *connect.Request[adminv1.UpdateOperatorRequest]) (*connect.Response[adminv1.UpdateOperatorResponse], error) {
	m := req.Msg
	if err := required("operator_id", m.GetOperatorId()); err != nil {
		return nil, toConnect(ctx, err)
	}
	// Read and hash outside the switchboard's loop: bcrypt is slow on purpose. The engine checks
	// the operator the update makes (see cc.Operator.Check).
	u := cc.OperatorUpdate{DisplayName: m.DisplayName, Disabled: m.Disabled, ReplaceQueues: m.GetReplaceQueues()}
	err := func() (err error) {
		if m.Contact != nil {
			contact, err := contactIn("contact", m.GetContact())
			if err != nil {
				return err
			}
			u.Contact = &contact
		}
		if m.GetReplaceQueues() || len(m.GetQueues()) > 0 {
			u.Queues = skillsIn(m.GetQueues())
			if err := cc.CheckSkills(u.Queues); err != nil { // named by their place in the request
				return err
			}
		}
		if m.Hours != nil {
			hours, err := hoursIn("hours", m.GetHours())
			if err != nil {
				return err
			}
			u.Hours = &hours
		}
		if m.Password != nil {
			hash, err := h.hashPassword("password", m.GetPassword())
			if err != nil {
				return err
			}
			u.PasswordHash = &hash
		}
		return nil
	}()
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	op, err := h.s.board.UpdateOperator(ctx, cc.OperatorID(m.GetOperatorId()), u)
	if err == nil && (m.Password != nil || m.GetDisabled()) {
		err = h.s.store.DeleteOperatorSessions(ctx, op.ID) // a new password or a dismissal ends every login
		if err == nil {
			err = h.s.board.TakeOver(ctx, op.ID, "") // and the streams they hold open
		}
	}
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.UpdateOperatorResponse{Operator: operatorOut(op)}), nil
}

func (h adminHandler) GetOperator(ctx context.Context, req *connect.Request[adminv1.GetOperatorRequest]) (*connect.Response[adminv1.GetOperatorResponse], error) {
	if err := required("operator_id", req.Msg.GetOperatorId()); err != nil {
		return nil, toConnect(ctx, err)
	}
	op, err := h.s.store.Operator(ctx, cc.OperatorID(req.Msg.GetOperatorId()))
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.GetOperatorResponse{Operator: operatorOut(op)}), nil
}

func (h adminHandler) ListOperators(ctx context.Context, req *connect.Request[adminv1.ListOperatorsRequest]) (*connect.Response[adminv1.ListOperatorsResponse], error) {
	ops, err := h.s.store.Operators(ctx)
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	out := &adminv1.ListOperatorsResponse{}
	for _, op := range ops {
		out.Operators = append(out.Operators, operatorOut(op))
	}
	return connect.NewResponse(out), nil
}

func (h adminHandler) CreateQueue(ctx context.Context, req *connect.Request[adminv1.CreateQueueRequest]) (*connect.Response[adminv1.CreateQueueResponse], error) {
	q, err := queueIn(req.Msg.GetQueue())
	if err == nil {
		err = h.s.board.CreateQueue(ctx, q)
	}
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.CreateQueueResponse{Queue: queueOut(q)}), nil
}

func (h adminHandler) UpdateQueue(ctx context.Context, req *connect.Request[adminv1.UpdateQueueRequest]) (*connect.Response[adminv1.UpdateQueueResponse], error) {
	q, err := queueIn(req.Msg.GetQueue())
	if err == nil {
		err = h.s.board.UpdateQueue(ctx, q)
	}
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.UpdateQueueResponse{Queue: queueOut(q)}), nil
}

func (h adminHandler) GetQueue(ctx context.Context, req *connect.Request[adminv1.GetQueueRequest]) (*connect.Response[adminv1.GetQueueResponse], error) {
	if err := required("queue_id", req.Msg.GetQueueId()); err != nil {
		return nil, toConnect(ctx, err)
	}
	q, err := h.s.store.Queue(ctx, cc.QueueID(req.Msg.GetQueueId()))
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.GetQueueResponse{Queue: queueOut(q)}), nil
}

func (h adminHandler) ListQueues(ctx context.Context, req *connect.Request[adminv1.ListQueuesRequest]) (*connect.Response[adminv1.ListQueuesResponse], error) {
	qs, err := h.s.store.Queues(ctx)
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	out := &adminv1.ListQueuesResponse{}
	for _, q := range qs {
		out.Queues = append(out.Queues, queueOut(q))
	}
	return connect.NewResponse(out), nil
}
