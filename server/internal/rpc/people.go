package rpc

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"connectrpc.com/connect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// This file serves personal managers (clients), absences and spare numbers.

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// hoursIn reads week hours; the domain checks them (the time zone, spans within a day).
func hoursIn(field string, h *adminv1.WeekHours) (cc.WeekHours, error) {
	var out cc.WeekHours
	if h == nil {
		return out, nil
	}
	out.TimeZone = h.GetTimeZone()
	for day, spans := range h.GetDays() {
		wd, ok := weekdays[strings.ToLower(day)]
		if !ok {
			return out, cc.Invalid(field+".days", "unknown day %q (mon, tue, … sun)", day)
		}
		parsed, err := cc.ParseSpans(spans)
		if err != nil {
			return out, cc.Invalid(field+".days["+day+"]", "%v", err)
		}
		out.Days[wd] = parsed
	}
	return out, nil
}

func hoursOut(h cc.WeekHours) *adminv1.WeekHours {
	out := &adminv1.WeekHours{TimeZone: h.TimeZone, Days: map[string]string{}}
	for name, wd := range weekdays {
		if spans := h.Days[wd]; len(spans) > 0 {
			out.Days[name] = cc.FormatSpans(spans)
		}
	}
	return out
}

func clientOut(c cc.Client) *adminv1.Client {
	return &adminv1.Client{Number: c.Number, ManagerId: string(c.Manager), How: string(c.How), AssignedAt: ts(c.AssignedAt), DeclinedAt: ts(c.DeclinedAt)}
}

func (h adminHandler) SetClient(ctx context.Context, req *connect.Request[adminv1.SetClientRequest]) (*connect.Response[adminv1.SetClientResponse], error) {
	n, err := cc.CheckNumber("number", req.Msg.GetNumber())
	if err == nil {
		err = required("manager_id", req.Msg.GetManagerId())
	}
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	cl, err := h.s.board.SetClient(ctx, n, cc.OperatorID(req.Msg.GetManagerId()))
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.SetClientResponse{Client: clientOut(cl)}), nil
}

func (h adminHandler) RemoveClient(ctx context.Context, req *connect.Request[adminv1.RemoveClientRequest]) (*connect.Response[adminv1.RemoveClientResponse], error) {
	n, err := cc.CheckNumber("number", req.Msg.GetNumber())
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	cl, err := h.s.board.RemoveClient(ctx, n)
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.RemoveClientResponse{Client: clientOut(cl)}), nil
}

func (h adminHandler) GetClient(ctx context.Context, req *connect.Request[adminv1.GetClientRequest]) (*connect.Response[adminv1.GetClientResponse], error) {
	n, err := cc.CheckNumber("number", req.Msg.GetNumber())
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	cl, err := h.s.board.Client(ctx, n)
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.GetClientResponse{Client: clientOut(cl)}), nil
}

func (h adminHandler) ListClients(ctx context.Context, req *connect.Request[adminv1.ListClientsRequest]) (*connect.Response[adminv1.ListClientsResponse], error) {
	clients, err := h.s.board.Clients(ctx, cc.OperatorID(req.Msg.GetManagerId()), req.Msg.GetOrphans())
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	out := &adminv1.ListClientsResponse{}
	for _, cl := range clients {
		out.Clients = append(out.Clients, clientOut(cl))
	}
	return connect.NewResponse(out), nil
}

// maxImportLines bounds one import; bigger lists go in several requests.
const maxImportLines = 100000

func (h adminHandler) ImportClients(ctx context.Context, req *connect.Request[adminv1.ImportClientsRequest]) (*connect.Response[adminv1.ImportClientsResponse], error) {
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
			return nil, toConnect(ctx, cc.Invalid("csv", "line %d: %v", line, err))
		}
		if len(lines) >= maxImportLines {
			return nil, toConnect(ctx, cc.Invalid("csv", "more than %d lines: import in parts", maxImportLines))
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
	imported, failed, err := h.s.board.ImportClients(ctx, lines)
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	out.Imported = uint32(imported)
	for _, f := range failed {
		out.Errors = append(out.Errors, &adminv1.ImportError{Line: uint32(f.Line), Message: f.Message})
	}
	return connect.NewResponse(out), nil
}

func absenceOut(a cc.Absence) *adminv1.Absence {
	return &adminv1.Absence{AbsenceId: a.ID, OperatorId: string(a.Operator), Kind: string(a.Kind), From: a.From, To: a.To}
}

func (h adminHandler) CreateAbsence(ctx context.Context, req *connect.Request[adminv1.CreateAbsenceRequest]) (*connect.Response[adminv1.CreateAbsenceResponse], error) {
	m := req.Msg
	a, err := cc.Absence{ID: newID("abs"), Operator: cc.OperatorID(m.GetOperatorId()), Kind: cc.AbsenceKind(m.GetKind()), From: m.GetFrom(), To: m.GetTo()}.Check()
	if err == nil {
		err = h.s.board.PutAbsence(ctx, a)
	}
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.CreateAbsenceResponse{Absence: absenceOut(a)}), nil
}

func (h adminHandler) DeleteAbsence(ctx context.Context, req *connect.Request[adminv1.DeleteAbsenceRequest]) (*connect.Response[adminv1.DeleteAbsenceResponse], error) {
	err := required("absence_id", req.Msg.GetAbsenceId())
	if err == nil {
		err = h.s.board.DeleteAbsence(ctx, req.Msg.GetAbsenceId())
	}
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.DeleteAbsenceResponse{}), nil
}

func (h adminHandler) ListAbsences(ctx context.Context, req *connect.Request[adminv1.ListAbsencesRequest]) (*connect.Response[adminv1.ListAbsencesResponse], error) {
	absences, err := h.s.board.Absences(ctx, cc.OperatorID(req.Msg.GetOperatorId()))
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	out := &adminv1.ListAbsencesResponse{}
	for _, a := range absences {
		out.Absences = append(out.Absences, absenceOut(a))
	}
	return connect.NewResponse(out), nil
}

// spareIn reads a spare number and checks it (see cc.Spare.Check).
func spareIn(s *adminv1.Spare) (cc.Spare, error) {
	if s == nil {
		return cc.Spare{}, cc.Invalid("spare", "required")
	}
	out := cc.Spare{ID: cc.SpareID(s.GetSpareId()), Name: s.GetName(), Holidays: s.GetHolidays(), MaxConcurrent: int(s.GetMaxConcurrent()),
		DailyCap: int(s.GetDailyCap()), Priority: int(s.GetPriority()), Cooldown: seconds(s.GetCooldownS()), Disabled: s.GetDisabled()}
	var err error
	if out.Contact, err = contactIn("spare.contact", s.GetContact()); err != nil {
		return out, err
	}
	if out.Hours, err = hoursIn("spare.hours", s.GetHours()); err != nil {
		return out, err
	}
	return out.Check()
}

func spareOut(s cc.Spare, use cc.SpareStatus) *adminv1.Spare {
	return &adminv1.Spare{
		SpareId: string(s.ID), Name: s.Name, Contact: contactOut(s.Contact), Hours: hoursOut(s.Hours), Holidays: s.Holidays,
		MaxConcurrent: uint32(s.MaxConcurrent), DailyCap: uint32(s.DailyCap), Priority: uint32(s.Priority),
		CooldownS: uint32(s.Cooldown / time.Second), Disabled: s.Disabled,
		Use: &adminv1.SpareUse{Active: uint32(use.Active), CallsToday: uint32(use.CallsToday), CooldownUntil: ts(use.CooldownUntil), Misses: uint32(use.Misses)},
	}
}

func (h adminHandler) CreateSpare(ctx context.Context, req *connect.Request[adminv1.CreateSpareRequest]) (*connect.Response[adminv1.CreateSpareResponse], error) {
	sp, err := spareIn(req.Msg.GetSpare())
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	use, err := h.s.board.CreateSpare(ctx, sp)
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.CreateSpareResponse{Spare: spareOut(sp, use)}), nil
}

func (h adminHandler) UpdateSpare(ctx context.Context, req *connect.Request[adminv1.UpdateSpareRequest]) (*connect.Response[adminv1.UpdateSpareResponse], error) {
	sp, err := spareIn(req.Msg.GetSpare())
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	use, err := h.s.board.UpdateSpare(ctx, sp)
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.UpdateSpareResponse{Spare: spareOut(sp, use)}), nil
}

func (h adminHandler) ListSpares(ctx context.Context, req *connect.Request[adminv1.ListSparesRequest]) (*connect.Response[adminv1.ListSparesResponse], error) {
	spares, use, err := h.s.board.Spares(ctx)
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	out := &adminv1.ListSparesResponse{}
	for i, sp := range spares {
		out.Spares = append(out.Spares, spareOut(sp, use[i]))
	}
	return connect.NewResponse(out), nil
}

func (h adminHandler) PreviewOverflow(ctx context.Context, req *connect.Request[adminv1.PreviewOverflowRequest]) (*connect.Response[adminv1.PreviewOverflowResponse], error) {
	if err := required("queue_id", req.Msg.GetQueueId()); err != nil {
		return nil, toConnect(ctx, err)
	}
	d, err := h.s.board.PreviewOverflow(ctx, cc.QueueID(req.Msg.GetQueueId()), timeOf(req.Msg.GetAt()))
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	out := &adminv1.PreviewOverflowResponse{SpareId: string(d.Spare), Rule: d.Rule}
	for _, c := range d.Candidates {
		out.Candidates = append(out.Candidates, &adminv1.SpareCandidate{SpareId: string(c.Spare), Eligible: c.Eligible, ExcludedBecause: c.ExcludedBecause, CallsToday: uint32(c.CallsToday)})
	}
	return connect.NewResponse(out), nil
}
