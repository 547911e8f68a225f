// Package audit keeps the audit log: every change an admin or a supervisor makes (and every
// export of a caller's data) is stored with who made it, the procedure, the request, and what it
// touched before and after. Secrets and callers' personal data are left out.
package audit

import (
	"context"
	"log/slog"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	"github.com/tandemcc/tandem/gen/go/tandem/admin/v1/adminv1connect"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/rpc/auth"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
)

// Store is where the audit log is kept.
type Store interface {
	AddAuditEntry(ctx context.Context, e cc.AuditEntry) (int64, error)
	AuditEntries(ctx context.Context, q cc.AuditQuery) ([]cc.AuditEntry, error)
}

// Reads is what the log reads of stored configuration and calls, to record what a change is
// about to touch.
type Reads interface {
	Operator(ctx context.Context, id cc.OperatorID) (cc.Operator, error)
	Queue(ctx context.Context, id cc.QueueID) (cc.Queue, error)
	Call(ctx context.Context, id cc.CallID) (cc.Call, []cc.Offer, error)
	Offer(ctx context.Context, id cc.OfferID) (cc.Offer, error)
}

// Switchboard is what the log reads of the engine's live records, for the same reason.
type Switchboard interface {
	OperatorView(ctx context.Context, id cc.OperatorID) (cc.OperatorView, error)
	Client(ctx context.Context, number string) (cc.Client, error)
	Spare(ctx context.Context, id cc.SpareID) (cc.Spare, cc.SpareStatus, error)
	Menu(ctx context.Context, id cc.MenuID) (cc.Menu, error)
	Absences(ctx context.Context, id cc.OperatorID) ([]cc.Absence, error)
}

// Keys lists the API keys, for what RevokeApiKey changes.
type Keys interface {
	APIKeys(ctx context.Context, includeRevoked bool) ([]cc.APIKey, error)
}

// Accounts reads people's accounts, for what UpdateAccount and SetAccountPassword change.
type Accounts interface {
	Account(ctx context.Context, name string) (cc.Account, error)
}

// Retention reads the retention setting, for what SetRetention changes.
type Retention interface {
	Current(ctx context.Context) (*adminv1.GetRetentionResponse, error)
}

// Config is what the audit log works with.
type Config struct {
	Store       Store
	Reads       Reads
	Switchboard Switchboard
	Keys        Keys
	Accounts    Accounts
	Retention   Retention
	Clock       clock.Clock
}

// Log is the audit log. As an interceptor it writes an entry for every successful change made
// by an admin or a supervisor (it runs after the policy, so only allowed calls get there); it
// also serves ListAuditEntries.
type Log struct {
	entries   Store
	store     Reads
	board     Switchboard
	keys      Keys
	accounts  Accounts
	retention Retention
	clock     clock.Clock
}

// New returns the audit log for cfg.
func New(cfg Config) *Log {
	return &Log{entries: cfg.Store, store: cfg.Reads, board: cfg.Switchboard, keys: cfg.Keys, accounts: cfg.Accounts, retention: cfg.Retention, clock: cfg.Clock}
}

func audited(p auth.Principal, procedure string) bool {
	if p.Role != auth.RoleAdmin && p.Role != auth.RoleSupervisor {
		return false
	}
	return !auth.IsRead(procedure) || procedure == adminv1connect.AdminServiceExportCallerDataProcedure
}

func (a *Log) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		p, ok := auth.From(ctx)
		procedure := req.Spec().Procedure
		if !ok || !audited(p, procedure) {
			return next(ctx, req)
		}
		in, _ := req.Any().(proto.Message)
		before := a.before(ctx, in)
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
			At: a.clock.Now(), Actor: p.Name, ActorRole: string(p.Role), ActorSignIn: p.HowSignedIn(), Procedure: procedure,
			Request: auditJSON(auditRequest(in)), Before: auditJSON(before), After: auditJSON(after),
		}
		if _, aerr := a.entries.AddAuditEntry(context.WithoutCancel(ctx), e); aerr != nil {
			// The change is made and cannot be taken back; say loudly that it went unrecorded.
			slog.ErrorContext(ctx, "audit entry not stored", "procedure", procedure, "actor", p.Name, "err", aerr)
		}
		return res, nil
	}
}

func (*Log) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (*Log) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// before is what a change is about to touch, as the API shows it; nil for a creation or when
// it cannot be read (the change itself will then say why).
func (a *Log) before(ctx context.Context, m proto.Message) proto.Message {
	view := func(id string) proto.Message {
		if id == "" {
			return nil
		}
		v, err := a.board.OperatorView(ctx, cc.OperatorID(id))
		if err != nil {
			return nil
		}
		return convert.StatusOut(v)
	}
	client := func(raw string) proto.Message {
		n, ok := cc.NormalizeNumber(raw)
		if !ok {
			return nil
		}
		cl, err := a.board.Client(ctx, n)
		if err != nil {
			return nil
		}
		return convert.ClientOut(cl)
	}
	switch r := m.(type) {
	case *adminv1.UpdateOperatorRequest:
		if op, err := a.store.Operator(ctx, cc.OperatorID(r.GetOperatorId())); err == nil {
			return convert.OperatorOut(op)
		}
	case *adminv1.UpdateQueueRequest:
		if q, err := a.store.Queue(ctx, cc.QueueID(r.GetQueue().GetQueueId())); err == nil {
			return convert.QueueOut(q)
		}
	case *adminv1.SetClientRequest:
		return client(r.GetNumber())
	case *adminv1.RemoveClientRequest:
		return client(r.GetNumber())
	case *adminv1.UpdateSpareRequest:
		if sp, use, err := a.board.Spare(ctx, cc.SpareID(r.GetSpare().GetSpareId())); err == nil {
			return convert.SpareOut(sp, use)
		}
	case *adminv1.PutMenuRequest:
		if m, err := a.board.Menu(ctx, cc.MenuID(r.GetMenu().GetMenuId())); err == nil {
			return convert.MenuOut(m)
		}
	case *adminv1.DeleteMenuRequest:
		if m, err := a.board.Menu(ctx, cc.MenuID(r.GetMenuId())); err == nil {
			return convert.MenuOut(m)
		}
	case *adminv1.DeleteAbsenceRequest:
		absences, err := a.board.Absences(ctx, "")
		if err != nil {
			return nil
		}
		for _, a := range absences {
			if a.ID == r.GetAbsenceId() {
				return convert.AbsenceOut(a)
			}
		}
	case *adminv1.RevokeApiKeyRequest:
		return a.apiKey(ctx, r.GetKeyId())
	case *adminv1.SetApiKeySoftphoneRequest:
		return a.apiKey(ctx, r.GetKeyId())
	case *adminv1.UpdateAccountRequest:
		return a.account(ctx, r.GetName())
	case *adminv1.SetAccountPasswordRequest:
		return a.account(ctx, r.GetName())
	case *adminv1.SetRetentionRequest:
		if r, err := a.retention.Current(ctx); err == nil {
			return r
		}
	case *presencev1.GoReadyRequest:
		return view(r.GetOperatorId())
	case *presencev1.GoAwayRequest:
		return view(r.GetOperatorId())
	case *presencev1.EndWrapUpRequest:
		return view(r.GetOperatorId())
	case *presencev1.LogOutRequest:
		return view(r.GetOperatorId())
	case *assignmentv1.LiftBanRequest:
		return view(r.GetOperatorId())
	case *assignmentv1.WithdrawOfferRequest:
		if of, err := a.store.Offer(ctx, cc.OfferID(r.GetOfferId())); err == nil {
			return convert.OfferOut(of)
		}
	case *assignmentv1.RequeueCallRequest:
		if c, offers, err := a.store.Call(ctx, cc.CallID(r.GetCallId())); err == nil {
			return convert.CallOut(c, 0, offers)
		}
	}
	return nil
}

// apiKey is key id as the API shows it, for an entry's "before"; nil when it cannot be read.
func (a *Log) apiKey(ctx context.Context, id string) proto.Message {
	keys, err := a.keys.APIKeys(ctx, true)
	if err == nil {
		for _, k := range keys {
			if k.ID == id {
				return convert.APIKeyOut(k)
			}
		}
	}
	return nil
}

// account is a person's account as the API shows it, for an entry's "before"; nil when it
// cannot be read.
func (a *Log) account(ctx context.Context, name string) proto.Message {
	if acc, err := a.accounts.Account(ctx, name); err == nil {
		return convert.AccountOut(acc)
	}
	return nil
}
