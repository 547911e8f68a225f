package main

import (
	"io"

	"connectrpc.com/connect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
)

// Absences are operators' vacations and sick leaves: their clients' calls do not wait for them,
// and the callers hear why.
var absencesCommands = []command{
	{"absences", "list", "[--operator OPERATOR]", "list the absences, earliest first", absencesList},
	{"absences", "create", "OPERATOR --kind vacation|sick --from 2026-12-01 --to 2026-12-14", "record an operator's vacation or sick leave", absencesCreate},
	{"absences", "delete", "ABSENCE_ID", "remove an absence", absencesDelete},
}

func absencesList(c *cli, args []string) error {
	fs := c.flags()
	operator := fs.String("operator", "", "only this operator's absences (his id or login name)")
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	id, err := c.names.operator(*operator, nameRef{"--operator", "operator_id"})
	if err != nil {
		return err
	}
	res, err := c.client.Admin.ListAbsences(c.ctx, connect.NewRequest(&adminv1.ListAbsencesRequest{OperatorId: id}))
	if err != nil {
		return err
	}
	// The columns are the flags of "absences create" (the operator is its argument).
	return c.show(res.Msg, func(w io.Writer) {
		row(w, "id", "operator", "kind", "from", "to")
		for _, a := range res.Msg.GetAbsences() {
			row(w, a.GetAbsenceId(), a.GetOperatorId(), a.GetKind(), a.GetFrom(), a.GetTo())
		}
	})
}

func absencesCreate(c *cli, args []string) error {
	fs := c.flags()
	kind := fs.String("kind", "", "vacation or sick")
	from := fs.String("from", "", "first day away, like 2026-12-01, in his time zone")
	to := fs.String("to", "", "last day away (included)")
	pos, err := c.parse(fs, args, "OPERATOR")
	if err != nil {
		return err
	}
	id, err := c.names.operator(pos[0], nameRef{"the OPERATOR argument", "operator_id"})
	if err != nil {
		return err
	}
	res, err := c.client.Admin.CreateAbsence(c.ctx, connect.NewRequest(&adminv1.CreateAbsenceRequest{OperatorId: id, Kind: *kind, From: *from, To: *to}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) {
		a := res.Msg.GetAbsence()
		row(w, "ID", a.GetAbsenceId())
		row(w, "Operator", a.GetOperatorId())
		row(w, "Kind", a.GetKind())
		row(w, "From", a.GetFrom())
		row(w, "To", a.GetTo())
	})
}

func absencesDelete(c *cli, args []string) error {
	pos, err := c.parse(c.flags(), args, "ABSENCE_ID")
	if err != nil {
		return err
	}
	res, err := c.client.Admin.DeleteAbsence(c.ctx, connect.NewRequest(&adminv1.DeleteAbsenceRequest{AbsenceId: pos[0]}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { row(w, "Deleted", pos[0]) })
}
