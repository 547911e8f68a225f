package rpc

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	"github.com/tandemcc/tandem/server/internal/rpc/limits"
)

// TestAdminInputNamesTheRequestField: what the API reads (seconds, days, enums, day names,
// sub-messages) reaches the domain's checks, and a refusal names the field of the request,
// not of the domain value; nothing refused is kept.
func TestAdminInputNamesTheRequestField(t *testing.T) {
	a := newTestAPI(t, limits.Limits{})
	a.setup("anna")
	admin := a.admin().Admin
	ctx := context.Background()
	list, err := admin.ListOperators(ctx, connect.NewRequest(&adminv1.ListOperatorsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	anna := list.Msg.GetOperators()[0].GetOperatorId()
	pstn := func(n string) *commonv1.Contact {
		return &commonv1.Contact{Kind: commonv1.ContactKind_CONTACT_KIND_PSTN, Target: n}
	}
	user := &commonv1.Contact{Kind: commonv1.ContactKind_CONTACT_KIND_USER, Target: "x"}
	queue := func(f func(*adminv1.Queue)) error {
		q := &adminv1.Queue{QueueId: "sales"}
		f(q)
		_, err := admin.CreateQueue(ctx, connect.NewRequest(&adminv1.CreateQueueRequest{Queue: q}))
		return err
	}
	operator := func(f func(*adminv1.CreateOperatorRequest)) error {
		r := &adminv1.CreateOperatorRequest{Name: "boris", Password: "long-enough", Contact: user}
		f(r)
		_, err := admin.CreateOperator(ctx, connect.NewRequest(r))
		return err
	}
	spare := func(f func(*adminv1.Spare)) error {
		s := &adminv1.Spare{SpareId: "partner", Contact: pstn("+18005550900")}
		f(s)
		_, err := admin.CreateSpare(ctx, connect.NewRequest(&adminv1.CreateSpareRequest{Spare: s}))
		return err
	}
	absence := func(f func(*adminv1.CreateAbsenceRequest)) error {
		r := &adminv1.CreateAbsenceRequest{OperatorId: anna, Kind: "vacation", From: "2026-03-10", To: "2026-03-12"}
		f(r)
		_, err := admin.CreateAbsence(ctx, connect.NewRequest(r))
		return err
	}
	for _, tc := range []struct {
		field string
		err   error
	}{
		{"queue", func() error {
			_, err := admin.CreateQueue(ctx, connect.NewRequest(&adminv1.CreateQueueRequest{}))
			return err
		}()},
		{"queue.queue_id", queue(func(q *adminv1.Queue) { q.QueueId = "Sales" })},
		{"queue.offer_timeout_s", queue(func(q *adminv1.Queue) { q.OfferTimeoutS = 4 })},
		{"queue.ban_steps_s[1]", queue(func(q *adminv1.Queue) { q.BanStepsS = []uint32{60, 30} })},
		{"queue.opt_in_cooldown_days", queue(func(q *adminv1.Queue) { q.OptInCooldownDays = 1<<32 - 1 })},
		{"queue.absence_templates", queue(func(q *adminv1.Queue) { q.AbsenceTemplates = map[string]string{"holiday": "x"} })},
		{"queue.overflow.order", queue(func(q *adminv1.Queue) { q.Overflow = &adminv1.Overflow{Order: "loudest"} })},
		{"queue.overflow.spare_ids", queue(func(q *adminv1.Queue) { q.Overflow = &adminv1.Overflow{AfterS: 60} })},
		{"queue.service_level_abandoned", queue(func(q *adminv1.Queue) { q.ServiceLevelAbandoned = "forget" })},
		{"queue.dialed_numbers[0]", queue(func(q *adminv1.Queue) { q.DialedNumbers = []string{"555"} })},
		{"name", operator(func(r *adminv1.CreateOperatorRequest) { r.Name = "Boris" })},
		{"contact", operator(func(r *adminv1.CreateOperatorRequest) { r.Contact = nil })},
		{"contact.kind", operator(func(r *adminv1.CreateOperatorRequest) { r.Contact = &commonv1.Contact{Target: "x"} })},
		{"contact.target", operator(func(r *adminv1.CreateOperatorRequest) { r.Contact = pstn("12345") })},
		{"queues[0].level", operator(func(r *adminv1.CreateOperatorRequest) {
			r.Queues = []*adminv1.QueueSkill{{QueueId: "support", Level: 6}}
		})},
		{"hours.days", operator(func(r *adminv1.CreateOperatorRequest) {
			r.Hours = &adminv1.WeekHours{Days: map[string]string{"funday": "09:00-17:00"}}
		})},
		{"hours.days[Mon]", operator(func(r *adminv1.CreateOperatorRequest) {
			r.Hours = &adminv1.WeekHours{Days: map[string]string{"Mon": "9-5"}}
		})},
		{"hours.time_zone", operator(func(r *adminv1.CreateOperatorRequest) { r.Hours = &adminv1.WeekHours{TimeZone: "Local"} })},
		{"password", operator(func(r *adminv1.CreateOperatorRequest) { r.Password = "short" })},
		{"spare", func() error {
			_, err := admin.CreateSpare(ctx, connect.NewRequest(&adminv1.CreateSpareRequest{}))
			return err
		}()},
		{"spare.contact", spare(func(s *adminv1.Spare) { s.Contact = nil })},
		{"spare.contact.kind", spare(func(s *adminv1.Spare) { s.Contact = user })},
		{"spare.hours.time_zone", spare(func(s *adminv1.Spare) { s.Hours = &adminv1.WeekHours{TimeZone: "Mars/Olympus"} })},
		{"spare.holidays[0]", spare(func(s *adminv1.Spare) { s.Holidays = []string{"2026-02-30"} })},
		{"spare", spare(func(s *adminv1.Spare) { s.MaxConcurrent = 1001 })},
		{"operator_id", absence(func(r *adminv1.CreateAbsenceRequest) { r.OperatorId = "" })},
		{"kind", absence(func(r *adminv1.CreateAbsenceRequest) { r.Kind = "holiday" })},
		{"from", absence(func(r *adminv1.CreateAbsenceRequest) { r.From = "10 March" })},
		{"to", absence(func(r *adminv1.CreateAbsenceRequest) { r.To = "2026-03-09" })},
		{"number", func() error {
			_, err := admin.SetClient(ctx, connect.NewRequest(&adminv1.SetClientRequest{Number: "anonymous", ManagerId: anna}))
			return err
		}()},
		{"manager_id", func() error {
			_, err := admin.SetClient(ctx, connect.NewRequest(&adminv1.SetClientRequest{Number: "+14155550100"}))
			return err
		}()},
		// A window that ends before it starts contradicts itself: refused, not an empty page.
		{"until", func() error {
			since := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
			_, err := admin.ListAuditEntries(ctx, connect.NewRequest(&adminv1.ListAuditEntriesRequest{
				Since: timestamppb.New(since), Until: timestamppb.New(since.Add(-time.Hour))}))
			return err
		}()},
	} {
		wantField(t, tc.err, connect.CodeInvalidArgument, tc.field)
	}

	// An update names the skill by its place in the request, whatever anna has already.
	_, err = admin.UpdateOperator(ctx, connect.NewRequest(&adminv1.UpdateOperatorRequest{OperatorId: anna,
		Queues: []*adminv1.QueueSkill{{QueueId: "support", Level: 4}, {QueueId: "support", Level: 9}}}))
	wantField(t, err, connect.CodeInvalidArgument, "queues[1].level")
	long := strings.Repeat("a", 201)
	_, err = admin.UpdateOperator(ctx, connect.NewRequest(&adminv1.UpdateOperatorRequest{OperatorId: anna, DisplayName: &long}))
	wantField(t, err, connect.CodeInvalidArgument, "display_name")

	qs, err := admin.ListQueues(ctx, connect.NewRequest(&adminv1.ListQueuesRequest{}))
	if err != nil || len(qs.Msg.GetQueues()) != 1 {
		t.Fatalf("queues after refusals: %v %v", qs, err)
	}
	ops, err := admin.ListOperators(ctx, connect.NewRequest(&adminv1.ListOperatorsRequest{}))
	if err != nil || len(ops.Msg.GetOperators()) != 1 || ops.Msg.GetOperators()[0].GetDisplayName() != "anna" ||
		len(ops.Msg.GetOperators()[0].GetQueues()) != 1 || ops.Msg.GetOperators()[0].GetQueues()[0].GetLevel() != 3 {
		t.Fatalf("operators after refusals: %v %v", ops, err)
	}
	sp, err := admin.ListSpares(ctx, connect.NewRequest(&adminv1.ListSparesRequest{}))
	if err != nil || len(sp.Msg.GetSpares()) != 0 {
		t.Fatalf("spares after refusals: %v %v", sp, err)
	}
	abs, err := admin.ListAbsences(ctx, connect.NewRequest(&adminv1.ListAbsencesRequest{}))
	if err != nil || len(abs.Msg.GetAbsences()) != 0 {
		t.Fatalf("absences after refusals: %v %v", abs, err)
	}
	cls, err := admin.ListClients(ctx, connect.NewRequest(&adminv1.ListClientsRequest{}))
	if err != nil || len(cls.Msg.GetClients()) != 0 {
		t.Fatalf("clients after refusals: %v %v", cls, err)
	}
}

// TestAdminZerosTakeTheDefaults: a field the API documents with "0: the default" comes back
// with the default, and a zero that means something comes back zero.
func TestAdminZerosTakeTheDefaults(t *testing.T) {
	a := newTestAPI(t, limits.Limits{})
	admin := a.admin().Admin
	ctx := context.Background()
	spareRes, err := admin.CreateSpare(ctx, connect.NewRequest(&adminv1.CreateSpareRequest{Spare: &adminv1.Spare{SpareId: "partner",
		Contact: &commonv1.Contact{Kind: commonv1.ContactKind_CONTACT_KIND_SIP, Target: "sip:partner@pbx.example"}}}))
	if err != nil {
		t.Fatal(err)
	}
	if s := spareRes.Msg.GetSpare(); s.GetName() != "partner" || s.GetMaxConcurrent() != 1 || s.GetCooldownS() != 600 {
		t.Errorf("spare = %v", s)
	}
	res, err := admin.CreateQueue(ctx, connect.NewRequest(&adminv1.CreateQueueRequest{Queue: &adminv1.Queue{QueueId: "sales",
		Overflow: &adminv1.Overflow{AfterS: 60, SpareIds: []string{"partner"}}}}))
	if err != nil {
		t.Fatal(err)
	}
	q := res.Msg.GetQueue()
	if q.GetName() != "sales" || q.GetStrategy() != "longest_idle" || q.GetOfferTimeoutS() != 20 || q.GetWrapUpS() != 0 ||
		q.GetAnnounceEveryS() != 0 || q.GetAwayAfterMisses() != 1 || q.GetBanAfterMisses() != 3 || q.GetBanWindowS() != 3600 ||
		!slices.Equal(q.GetBanStepsS(), []uint32{300, 900, 3600}) || q.GetManagerWaitS() != 30 || q.GetNoOptIn() ||
		q.GetOptInCooldownDays() != 90 || q.GetOverflow().GetOrder() != "in_turn" || q.GetOverflow().GetAfterS() != 60 ||
		q.GetServiceLevelThresholdS() != 20 || q.GetServiceLevelTargetPercent() != 80 {
		t.Errorf("queue = %v", q)
	}
}
