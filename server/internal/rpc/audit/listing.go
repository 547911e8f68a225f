package audit

import (
	"context"
	"strings"

	"connectrpc.com/connect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
)

// maxAuditPage is the most entries one ListAuditEntries returns.
const maxAuditPage = 1000

// ListAuditEntries lists the log, newest first, a page at a time.
func (a *Log) ListAuditEntries(ctx context.Context, req *connect.Request[adminv1.ListAuditEntriesRequest]) (*connect.Response[adminv1.ListAuditEntriesResponse], error) {
	m := req.Msg
	q := cc.AuditQuery{Since: convert.TimeOf(m.GetSince()), Until: convert.TimeOf(m.GetUntil()), Actor: m.GetActor(),
		Procedure: strings.TrimSpace(m.GetProcedure()), BeforeID: int64(m.GetBeforeId()), Limit: int(m.GetLimit())}
	if m.GetLimit() > maxAuditPage {
		return nil, codes.ToConnect(ctx, cc.Invalid("limit", "at most %d", maxAuditPage))
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Since.Before(q.Until) {
		return nil, codes.ToConnect(ctx, cc.Invalid("until", "must be after since (entries at or after since and before until)"))
	}
	if m.GetBeforeId() > 1<<62 {
		return nil, codes.ToConnect(ctx, cc.Invalid("before_id", "out of range"))
	}
	if q.Limit == 0 {
		q.Limit = 100
	}
	entries, err := a.entries.AuditEntries(ctx, q)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &adminv1.ListAuditEntriesResponse{}
	for _, e := range entries {
		out.Entries = append(out.Entries, &adminv1.AuditEntry{
			EntryId: uint64(e.ID), At: convert.Timestamp(e.At), Actor: e.Actor, ActorRole: e.ActorRole, ActorSignIn: e.ActorSignIn, Procedure: e.Procedure,
			RequestJson: e.Request, BeforeJson: e.Before, AfterJson: e.After,
		})
	}
	if len(entries) == q.Limit {
		out.NextBeforeId = uint64(entries[len(entries)-1].ID)
	}
	return connect.NewResponse(out), nil
}
