package rpc

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	"github.com/tandemcc/tandem/gen/go/tandem/admin/v1/adminv1connect"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// This file keeps the audit log: every change an admin or a supervisor makes (and every export
// of a caller's data) is stored with who made it, the procedure, the request, and what it
// touched before and after. Secrets and callers' personal data are left out.

// redacted replaces secrets and personal data in the audit log.
const redacted = "[redacted]"

// secretFields are never written to the audit log; personalFields neither (a caller's data must
// be erasable, so it is not copied into a log kept for longer).
var (
	secretFields   = map[protoreflect.Name]bool{"password": true, "secret": true, "token": true}
	personalFields = map[protoreflect.Name]bool{"caller_number": true, "caller_name": true, "session_id": true, "custom_data": true, "sip_headers": true, "csv": true}
)

// maxAuditJSON bounds each JSON text of an entry.
const maxAuditJSON = 64 << 10

// auditJSON is m as protobuf JSON with secrets and personal data replaced, "" for nil.
func auditJSON(m proto.Message) string {
	if m == nil {
		return ""
	}
	m = proto.Clone(m)
	redact(m.ProtoReflect())
	b, err := protojson.Marshal(m)
	if err != nil {
		return ""
	}
	if len(b) > maxAuditJSON {
		b, _ = json.Marshal(map[string]string{"truncated": string(b[:maxAuditJSON])})
	}
	return string(b)
}

// redact walks a message and replaces every set secret or personal field.
func redact(m protoreflect.Message) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case secretFields[fd.Name()] || personalFields[fd.Name()]:
			if fd.Kind() == protoreflect.StringKind && !fd.IsList() && !fd.IsMap() {
				m.Set(fd, protoreflect.ValueOfString(redacted))
			} else {
				m.Clear(fd)
			}
		case fd.Kind() == protoreflect.MessageKind && fd.IsList():
			l := v.List()
			for i := range l.Len() {
				redact(l.Get(i).Message())
			}
		case fd.Kind() == protoreflect.MessageKind && fd.IsMap():
			if fd.MapValue().Kind() == protoreflect.MessageKind {
				v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
					redact(mv.Message())
					return true
				})
			}
		case fd.Kind() == protoreflect.MessageKind:
			redact(v.Message())
		}
		return true
	})
}

// AuditStore is what the audit log needs of storage.
type AuditStore interface {
	AddAuditEntry(ctx context.Context, e cc.AuditEntry) (int64, error)
	AuditEntries(ctx context.Context, q cc.AuditQuery) ([]cc.AuditEntry, error)
}

// auditInterceptor writes an entry for every successful change made by an admin or a
// supervisor. It runs after the policy, so only allowed calls get here.
type auditInterceptor struct{ s *Server }

func audited(p Principal, procedure string) bool {
	if p.Role != RoleAdmin && p.Role != RoleSupervisor {
		return false
	}
	return !reads[procedure] || procedure == adminv1connect.AdminServiceExportCallerDataProcedure
}

func (a auditInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		p, ok := principalFrom(ctx)
		procedure := req.Spec().Procedure
		if !ok || !audited(p, procedure) {
			return next(ctx, req)
		}
		in, _ := req.Any().(proto.Message)
		before := a.s.before(ctx, in)
		res, err := next(ctx, req)
		if err != nil {
			return res, err
		}
		var after proto.Message
		switch out := res.Any().(type) {
		case *adminv1.ExportCallerDataResponse: // the export is the caller's data: not kept
		case *adminv1.DeleteCallerDataResponse:
			after = &adminv1.DeleteCallerDataResponse{Number: redacted, CallsErased: out.GetCallsErased(), ClientRemoved: out.GetClientRemoved()}
		case proto.Message:
			after = out
		}
		e := cc.AuditEntry{
			At: a.s.clock.Now(), Actor: p.Name, ActorRole: string(p.Role), Procedure: procedure,
			Request: auditJSON(auditRequest(in)), Before: auditJSON(before), After: auditJSON(after),
		}
		if _, aerr := a.s.audit.AddAuditEntry(context.WithoutCancel(ctx), e); aerr != nil {
			// The change is made and cannot be taken back; say loudly that it went unrecorded.
			slog.ErrorContext(ctx, "audit entry not stored", "procedure", procedure, "actor", p.Name, "err", aerr)
		}
		return res, nil
	}
}

func (auditInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (auditInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// auditRequest is the request as the audit log keeps it: client numbers normalised (so erasing
// a caller's data finds them), the caller-data RPCs without the number.
func auditRequest(m proto.Message) proto.Message {
	switch r := m.(type) {
	case *adminv1.SetClientRequest:
		c := proto.Clone(r).(*adminv1.SetClientRequest)
		if n, ok := cc.NormalizeNumber(c.GetNumber()); ok {
			c.Number = n
		}
		return c
	case *adminv1.RemoveClientRequest:
		c := proto.Clone(r).(*adminv1.RemoveClientRequest)
		if n, ok := cc.NormalizeNumber(c.GetNumber()); ok {
			c.Number = n
		}
		return c
	case *adminv1.ExportCallerDataRequest:
		return &adminv1.ExportCallerDataRequest{Number: redacted}
	case *adminv1.DeleteCallerDataRequest:
		return &adminv1.DeleteCallerDataRequest{Number: redacted}
	}
	return m
}

// before is what a change is about to touch, as the API shows it; nil for a creation or when
// it cannot be read (the change itself will then say why).
func (s *Server) before(ctx context.Context, m proto.Message) proto.Message {
	view := func(id string) proto.Message {
		if id == "" {
			return nil
		}
		v, err := s.board.OperatorView(ctx, cc.OperatorID(id))
		if err != nil {
			return nil
		}
		return statusOut(v)
	}
	client := func(raw string) proto.Message {
		n, ok := cc.NormalizeNumber(raw)
		if !ok {
			return nil
		}
		cl, err := s.board.Client(ctx, n)
		if err != nil {
			return nil
		}
		return clientOut(cl)
	}
	switch r := m.(type) {
	case *adminv1.UpdateOperatorRequest:
		if op, err := s.store.Operator(ctx, cc.OperatorID(r.GetOperatorId())); err == nil {
			return operatorOut(op)
		}
	case *adminv1.UpdateQueueRequest:
		if q, err := s.store.Queue(ctx, cc.QueueID(r.GetQueue().GetQueueId())); err == nil {
			return queueOut(q)
		}
	case *adminv1.SetClientRequest:
		return client(r.GetNumber())
	case *adminv1.RemoveClientRequest:
		return client(r.GetNumber())
	case *adminv1.UpdateSpareRequest:
		if sp, use, err := s.board.Spare(ctx, cc.SpareID(r.GetSpare().GetSpareId())); err == nil {
			return spareOut(sp, use)
		}
	case *adminv1.DeleteAbsenceRequest:
		absences, err := s.board.Absences(ctx, "")
		if err != nil {
			return nil
		}
		for _, a := range absences {
			if a.ID == r.GetAbsenceId() {
				return absenceOut(a)
			}
		}
	case *adminv1.RevokeApiKeyRequest:
		keys, err := s.keys.APIKeys(ctx, true)
		if err == nil {
			for _, k := range keys {
				if k.ID == r.GetKeyId() {
					return apiKeyOut(k)
				}
			}
		}
	case *adminv1.SetRetentionRequest:
		if r, err := s.retention.get(ctx); err == nil {
			return r
		}
	case *presencev1.GoReadyRequest:
		return view(r.GetOperatorId())
	case *presencev1.GoAwayRequest:
		return view(r.GetOperatorId())
	case *presencev1.EndWrapUpRequest:
		return view(r.GetOperatorId())
	case *assignmentv1.LiftBanRequest:
		return view(r.GetOperatorId())
	case *assignmentv1.WithdrawOfferRequest:
		if of, err := s.store.Offer(ctx, cc.OfferID(r.GetOfferId())); err == nil {
			return offerOut(of)
		}
	case *assignmentv1.RequeueCallRequest:
		if c, offers, err := s.store.Call(ctx, cc.CallID(r.GetCallId())); err == nil {
			return callOut(c, 0, offers)
		}
	}
	return nil
}

// maxAuditPage is the most entries one ListAuditEntries returns.
const maxAuditPage = 1000

func (h adminHandler) ListAuditEntries(ctx context.Context, req *connect.Request[adminv1.ListAuditEntriesRequest]) (*connect.Response[adminv1.ListAuditEntriesResponse], error) {
	m := req.Msg
	q := cc.AuditQuery{Since: timeOf(m.GetSince()), Until: timeOf(m.GetUntil()), Actor: m.GetActor(),
		Procedure: strings.TrimSpace(m.GetProcedure()), BeforeID: int64(m.GetBeforeId()), Limit: int(m.GetLimit())}
	if m.GetLimit() > maxAuditPage {
		return nil, toConnect(ctx, cc.Invalid("limit", "at most %d", maxAuditPage))
	}
	if m.GetBeforeId() > 1<<62 {
		return nil, toConnect(ctx, cc.Invalid("before_id", "out of range"))
	}
	if q.Limit == 0 {
		q.Limit = 100
	}
	entries, err := h.s.audit.AuditEntries(ctx, q)
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	out := &adminv1.ListAuditEntriesResponse{}
	for _, e := range entries {
		out.Entries = append(out.Entries, &adminv1.AuditEntry{
			EntryId: uint64(e.ID), At: ts(e.At), Actor: e.Actor, ActorRole: e.ActorRole, Procedure: e.Procedure,
			RequestJson: e.Request, BeforeJson: e.Before, AfterJson: e.After,
		})
	}
	if len(entries) == q.Limit {
		out.NextBeforeId = uint64(entries[len(entries)-1].ID)
	}
	return connect.NewResponse(out), nil
}
