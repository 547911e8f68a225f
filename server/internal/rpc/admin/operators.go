package admin

import (
	"context"

	"connectrpc.com/connect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/auth"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
	"github.com/tandemcc/tandem/server/internal/softphone"
)

func (h *Handler) hashPassword(field, password string) (string, error) {
	return auth.HashPassword(field, password, h.passwordCost)
}

// softphoneHA1 is the digest kept for the request's softphone_password ("" removes it): of his
// Voximplant user's name, from the contact the update sets or else the one he has. The engine
// refuses it when that contact is not a Voximplant user (cc.Operator.Check).
func (h *Handler) softphoneHA1(ctx context.Context, m *adminv1.UpdateOperatorRequest, contact *cc.Contact) (*string, error) {
	password := m.GetSoftphonePassword()
	if password == "" {
		return &password, nil
	}
	if err := convert.MaxLen("softphone_password", password, 128); err != nil {
		return nil, err
	}
	if contact == nil {
		op, err := h.store.Operator(ctx, cc.OperatorID(m.GetOperatorId()))
		if err != nil {
			return nil, err
		}
		contact = &op.Contact
	}
	ha1 := softphone.HA1(contact.Target, password)
	return &ha1, nil
}

// contactNotPhone refuses an operator's contact that an API key or a person uses as a browser
// phone.
func (h *Handler) contactNotPhone(ctx context.Context, c cc.Contact) error {
	if c.Kind != cc.ContactUser {
		return nil
	}
	keys, err := h.keys.APIKeys(ctx, false)
	if err != nil {
		return err
	}
	people, err := h.keys.PersonPhones(ctx)
	if err != nil {
		return err
	}
	return c.CheckNotPhone("contact.target", cc.Phones{Keys: keys, People: people})
}

func (h *Handler) CreateOperator(ctx context.Context, req *connect.Request[adminv1.CreateOperatorRequest]) (*connect.Response[adminv1.CreateOperatorResponse], error) {
	m := req.Msg
	op := cc.Operator{ID: cc.OperatorID(newID("op")), Name: m.GetName(), DisplayName: m.GetDisplayName(), CreatedAt: h.clock.Now()}
	err := func() (err error) {
		if op.Contact, err = convert.ContactIn("contact", m.GetContact()); err != nil {
			return err
		}
		if err := h.contactNotPhone(ctx, op.Contact); err != nil {
			return err
		}
		op.Queues = skillsIn(m.GetQueues())
		if op.Hours, err = convert.HoursIn("hours", m.GetHours()); err != nil {
			return err
		}
		if op, err = op.Check(); err != nil { // before bcrypt, which is slow on purpose
			return err
		}
		op.PasswordHash, err = h.hashPassword("password", m.GetPassword())
		return err
	}()
	if err == nil {
		err = h.board.CreateOperator(ctx, op)
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.CreateOperatorResponse{Operator: convert.OperatorOut(op)}), nil
}

func (h *Handler) UpdateOperator(ctx context.Context, req *connect.Request[adminv1.UpdateOperatorRequest]) (*connect.Response[adminv1.UpdateOperatorResponse], error) {
	m := req.Msg
	if err := convert.Required("operator_id", m.GetOperatorId()); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	// Read and hash outside the switchboard's loop: bcrypt is slow on purpose. The engine checks
	// the operator the update makes (see cc.Operator.Check).
	u := cc.OperatorUpdate{DisplayName: m.DisplayName, Disabled: m.Disabled, ReplaceQueues: m.GetReplaceQueues()}
	err := func() (err error) {
		if m.Contact != nil {
			contact, err := convert.ContactIn("contact", m.GetContact())
			if err != nil {
				return err
			}
			if err := h.contactNotPhone(ctx, contact); err != nil {
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
			hours, err := convert.HoursIn("hours", m.GetHours())
			if err != nil {
				return err
			}
			u.Hours = &hours
		}
		if m.SoftphonePassword != nil {
			if u.SoftphoneHA1, err = h.softphoneHA1(ctx, m, u.Contact); err != nil {
				return err
			}
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
		return nil, codes.ToConnect(ctx, err)
	}
	op, err := h.board.UpdateOperator(ctx, cc.OperatorID(m.GetOperatorId()), u)
	if err == nil && (m.Password != nil || m.GetDisabled()) {
		err = h.store.DeleteOperatorSessions(ctx, op.ID) // a new password or a dismissal ends every login
		if err == nil {
			err = h.board.TakeOver(ctx, op.ID, "") // and the streams they hold open
		}
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.UpdateOperatorResponse{Operator: convert.OperatorOut(op)}), nil
}

func (h *Handler) GetOperator(ctx context.Context, req *connect.Request[adminv1.GetOperatorRequest]) (*connect.Response[adminv1.GetOperatorResponse], error) {
	if err := convert.Required("operator_id", req.Msg.GetOperatorId()); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	op, err := h.store.Operator(ctx, cc.OperatorID(req.Msg.GetOperatorId()))
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.GetOperatorResponse{Operator: convert.OperatorOut(op)}), nil
}

func (h *Handler) ListOperators(ctx context.Context, req *connect.Request[adminv1.ListOperatorsRequest]) (*connect.Response[adminv1.ListOperatorsResponse], error) {
	ops, err := h.store.Operators(ctx)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &adminv1.ListOperatorsResponse{}
	for _, op := range ops {
		out.Operators = append(out.Operators, convert.OperatorOut(op))
	}
	return connect.NewResponse(out), nil
}

func skillsIn(in []*adminv1.QueueSkill) []cc.QueueSkill {
	out := make([]cc.QueueSkill, 0, len(in))
	for _, s := range in {
		out = append(out, cc.QueueSkill{Queue: cc.QueueID(s.GetQueueId()), Level: int(s.GetLevel())})
	}
	return out
}
