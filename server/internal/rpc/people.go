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
	"github.com/tandemcc/tandem/server/internal/routing"
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
	var cl cc.Client
	err = h.s.board.Engine(ctx, func(now time.Time, e *routing.Engine) (ch cc.Changes, err error) {
		cl, ch, err = e.SetClient(now, n, cc.OperatorID(req.Msg.GetManagerId()), cc.AssignedByAdmin)
		return ch, err
	})
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
	var cl cc.Client
	err = h.s.board.Engine(ctx, func(now time.Time, e *routing.Engine) (ch cc.Changes, err error) {
		if _, ok := e.Client(n); !ok {
			return ch, cc.NotFound("number", "no client %s", n)
		}
		cl, ch, err = e.SetClient(now, n, "", cc.AssignedByAdmin)
		return ch, err
	})
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
	var cl cc.Client
	err = h.s.board.Engine(ctx, func(_ time.Time, e *routing.Engine) (cc.Changes, error) {
		var ok bool
		if cl, ok = e.Client(n); !ok {
			return cc.Changes{}, cc.NotFound("number", "Tandem knows nothing of %s", n)
		}
		return cc.Changes{}, nil
	})
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.GetClientResponse{Client: clientOut(cl)}), nil
}

func (h adminHandler) ListClients(ctx context.Context, req *connect.Request[adminv1.ListClientsRequest]) (*connect.Response[adminv1.ListClientsResponse], error) {
	out := &adminv1.ListClientsResponse{}
	err := h.s.board.Engine(ctx, func(_ time.Time, e *routing.Engine) (cc.Changes, error) {
		id := cc.OperatorID(req.Msg.GetManagerId())
		if _, ok := e.Operator(id); id != "" && !ok {
			return cc.Changes{}, cc.NotFound("manager_id", "no operator %q", id)
		}
		for _, cl := range e.Clients(id, req.Msg.GetOrphans()) {
			out.Clients = append(out.Clients, clientOut(cl))
		}
		return cc.Changes{}, nil
	})
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(out), nil
}

// maxImportLines bounds one import; bigger lists go in several requests.
const maxImportLines = 100000

func (h adminHandler) ImportClients(ctx context.Context, req *connect.Request[adminv1.ImportClientsRequest]) (*connect.Response[adminv1.ImportClientsResponse], error) {
	r := csv.NewReader(strings.NewReader(req.Msg.GetCsv()))
	r.FieldsPerRecord, r.TrimLeadingSpace = -1, true
	type row struct {
		line    int
		number  string
		manager string
	}
	var rows []row
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
		if len(rows) >= maxImportLines {
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
		rows = append(rows, row{line, n, strings.TrimSpace(rec[1])})
	}
	err := h.s.board.Engine(ctx, func(now time.Time, e *routing.Engine) (cc.Changes, error) {
		byName := map[string]cc.OperatorID{}
		ops, _ := h.s.store.Operators(ctx)
		for _, o := range ops {
			byName[o.Name] = o.ID
		}
		var all cc.Changes
		for _, rw := range rows {
			id := cc.OperatorID(rw.manager)
			if byID, ok := byName[rw.manager]; ok {
				id = byID
			}
			_, ch, err := e.SetClient(now, rw.number, id, cc.AssignedByImport)
			if err != nil {
				out.Errors = append(out.Errors, &adminv1.ImportError{Line: uint32(rw.line), Message: err.Error()})
				continue
			}
			all.Clients = append(all.Clients, ch.Clients...)
			out.Imported++
		}
		return all, nil
	})
	if err != nil {
		return nil, toConnect(ctx, err)
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
		err = h.s.board.Engine(ctx, func(now time.Time, e *routing.Engine) (cc.Changes, error) { return e.PutAbsence(now, a) })
	}
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.CreateAbsenceResponse{Absence: absenceOut(a)}), nil
}

func (h adminHandler) DeleteAbsence(ctx context.Context, req *connect.Request[adminv1.DeleteAbsenceRequest]) (*connect.Response[adminv1.DeleteAbsenceResponse], error) {
	err := required("absence_id", req.Msg.GetAbsenceId())
	if err == nil {
		err = h.s.board.Engine(ctx, func(now time.Time, e *routing.Engine) (cc.Changes, error) {
			return e.DeleteAbsence(now, req.Msg.GetAbsenceId())
		})
	}
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.DeleteAbsenceResponse{}), nil
}

func (h adminHandler) ListAbsences(ctx context.Context, req *connect.Request[adminv1.ListAbsencesRequest]) (*connect.Response[adminv1.ListAbsencesResponse], error) {
	out := &adminv1.ListAbsencesResponse{}
	err := h.s.board.Engine(ctx, func(_ time.Time, e *routing.Engine) (cc.Changes, error) {
		for _, a := range e.Absences(cc.OperatorID(req.Msg.GetOperatorId())) {
			out.Absences = append(out.Absences, absenceOut(a))
		}
		return cc.Changes{}, nil
	})
	if err != nil {
		return nil, toConnect(ctx, err)
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

// putSpare creates (exists false) or updates (exists true) a spare number.
func (h adminHandler) putSpare(ctx context.Context, in *adminv1.Spare, exists bool) (*adminv1.Spare, error) {
	sp, err := spareIn(in)
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	var out *adminv1.Spare
	err = h.s.board.Engine(ctx, func(now time.Time, e *routing.Engine) (cc.Changes, error) {
		switch _, _, ok := e.Spare(sp.ID, now); {
		case ok && !exists:
			return cc.Changes{}, &cc.Error{Code: cc.CodeAlreadyExists, Field: "spare.spare_id", Message: "spare " + string(sp.ID) + " already exists"}
		case !ok && exists:
			return cc.Changes{}, cc.NotFound("spare.spare_id", "no spare %q", sp.ID)
		}
		ch, err := e.PutSpare(now, sp)
		_, use, _ := e.Spare(sp.ID, now)
		out = spareOut(sp, use)
		return ch, err
	})
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return out, nil
}

func (h adminHandler) CreateSpare(ctx context.Context, req *connect.Request[adminv1.CreateSpareRequest]) (*connect.Response[adminv1.CreateSpareResponse], error) {
	s, err := h.putSpare(ctx, req.Msg.GetSpare(), false)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&adminv1.CreateSpareResponse{Spare: s}), nil
}

func (h adminHandler) UpdateSpare(ctx context.Context, req *connect.Request[adminv1.UpdateSpareRequest]) (*connect.Response[adminv1.UpdateSpareResponse], error) {
	s, err := h.putSpare(ctx, req.Msg.GetSpare(), true)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&adminv1.UpdateSpareResponse{Spare: s}), nil
}

func (h adminHandler) ListSpares(ctx context.Context, req *connect.Request[adminv1.ListSparesRequest]) (*connect.Response[adminv1.ListSparesResponse], error) {
	out := &adminv1.ListSparesResponse{}
	err := h.s.board.Engine(ctx, func(now time.Time, e *routing.Engine) (cc.Changes, error) {
		for _, sp := range e.Spares() {
			_, use, _ := e.Spare(sp.ID, now)
			out.Spares = append(out.Spares, spareOut(sp, use))
		}
		return cc.Changes{}, nil
	})
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(out), nil
}

func (h adminHandler) PreviewOverflow(ctx context.Context, req *connect.Request[adminv1.PreviewOverflowRequest]) (*connect.Response[adminv1.PreviewOverflowResponse], error) {
	if err := required("queue_id", req.Msg.GetQueueId()); err != nil {
		return nil, toConnect(ctx, err)
	}
	out := &adminv1.PreviewOverflowResponse{}
	err := h.s.board.Engine(ctx, func(now time.Time, e *routing.Engine) (cc.Changes, error) {
		at := timeOf(req.Msg.GetAt())
		if at.IsZero() {
			at = now
		}
		d, err := e.PreviewOverflow(cc.QueueID(req.Msg.GetQueueId()), at)
		out.SpareId, out.Rule = string(d.Spare), d.Rule
		for _, c := range d.Candidates {
			out.Candidates = append(out.Candidates, &adminv1.SpareCandidate{SpareId: string(c.Spare), Eligible: c.Eligible, ExcludedBecause: c.ExcludedBecause, CallsToday: uint32(c.CallsToday)})
		}
		return cc.Changes{}, err
	})
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(out), nil
}
