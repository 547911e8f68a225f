package postgres

import (
	"context"
	"fmt"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/sqlstore"
)

// This file stores clients with their personal managers, absences, and spare numbers.

func putClients(ctx context.Context, w writes, cs []callcenter.Client) error {
	return eachRow(ctx, w, "client", `
		INSERT INTO clients (number, manager_id, how, assigned_at, declined_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (number) DO UPDATE SET manager_id = excluded.manager_id, how = excluded.how,
			assigned_at = excluded.assigned_at, declined_at = excluded.declined_at`,
		len(cs), func(i int) ([]any, error) {
			c := cs[i]
			return []any{c.Number, c.Manager, c.How, sqlstore.MSTime(c.AssignedAt), sqlstore.MSTime(c.DeclinedAt)}, nil
		})
}

func putAbsences(ctx context.Context, w writes, as []callcenter.Absence, deleted []string) error {
	for _, id := range deleted {
		err := w.exec(ctx, func(err error) error { return fmt.Errorf("postgres: delete absence %q: %w", id, err) },
			`DELETE FROM absences WHERE id = ?`, id)
		if err != nil {
			return err
		}
	}
	return eachRow(ctx, w, "absence", `
		INSERT INTO absences (id, operator_id, kind, from_date, to_date) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET operator_id = excluded.operator_id, kind = excluded.kind,
			from_date = excluded.from_date, to_date = excluded.to_date`,
		len(as), func(i int) ([]any, error) {
			a := as[i]
			return []any{a.ID, a.Operator, a.Kind, a.From, a.To}, nil
		})
}

func putSpares(ctx context.Context, w writes, ss []callcenter.Spare, use []callcenter.SpareStatus) error {
	err := eachRow(ctx, w, "spare", `
		INSERT INTO spares (id, config) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config`,
		len(ss), func(i int) ([]any, error) { return []any{ss[i].ID, jsonText(ss[i])}, nil })
	if err != nil {
		return err
	}
	return eachRow(ctx, w, "spare status", `
		INSERT INTO spare_status (spare_id, status) VALUES (?, ?) ON CONFLICT (spare_id) DO UPDATE SET status = excluded.status`,
		len(use), func(i int) ([]any, error) { return []any{use[i].Spare, jsonText(use[i])}, nil })
}
