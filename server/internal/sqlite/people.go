package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/sqlstore"
)

// This file stores clients with their personal managers, absences, and spare numbers.

const (
	clientSQL = `
		INSERT INTO clients (number, manager_id, how, assigned_at, declined_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (number) DO UPDATE SET manager_id = excluded.manager_id, how = excluded.how,
			assigned_at = excluded.assigned_at, declined_at = excluded.declined_at`
	deleteAbsenceSQL = `DELETE FROM absences WHERE id = ?`
	absenceSQL       = `
		INSERT INTO absences (id, operator_id, kind, from_date, to_date) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET operator_id = excluded.operator_id, kind = excluded.kind,
			from_date = excluded.from_date, to_date = excluded.to_date`
	spareSQL = `
		INSERT INTO spares (id, config) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config`
	spareStatusSQL = `
		INSERT INTO spare_status (spare_id, status) VALUES (?, ?) ON CONFLICT (spare_id) DO UPDATE SET status = excluded.status`
)

func putClients(ctx context.Context, tx wtx, cs []callcenter.Client) error {
	return eachRow(ctx, tx, "client", clientSQL, len(cs), func(i int) ([]any, error) {
		c := cs[i]
		return []any{c.Number, c.Manager, c.How, sqlstore.MSTime(c.AssignedAt), sqlstore.MSTime(c.DeclinedAt)}, nil
	})
}

func putAbsences(ctx context.Context, tx wtx, as []callcenter.Absence, deleted []string) error {
	err := eachRow(ctx, tx, "deleted absence", deleteAbsenceSQL, len(deleted), func(i int) ([]any, error) {
		return []any{deleted[i]}, nil
	})
	if err != nil {
		return err
	}
	return eachRow(ctx, tx, "absence", absenceSQL, len(as), func(i int) ([]any, error) {
		a := as[i]
		return []any{a.ID, a.Operator, a.Kind, a.From, a.To}, nil
	})
}

func putSpares(ctx context.Context, tx wtx, ss []callcenter.Spare, use []callcenter.SpareStatus) error {
	err := eachRow(ctx, tx, "spare", spareSQL, len(ss), func(i int) ([]any, error) { return []any{ss[i].ID, jsonText(ss[i])}, nil })
	if err != nil {
		return err
	}
	return eachRow(ctx, tx, "spare status", spareStatusSQL, len(use), func(i int) ([]any, error) { return []any{use[i].Spare, jsonText(use[i])}, nil })
}

// loadPeople reads clients, absences and spares into rt.
func loadPeople(ctx context.Context, tx *sql.Tx, rt *callcenter.Runtime) error {
	var err error
	rt.Clients, err = sqlstore.QueryAll(ctx, tx, func(s scanner) (callcenter.Client, error) {
		var c callcenter.Client
		var assigned, declined sql.NullInt64
		err := s.Scan(&c.Number, &c.Manager, &c.How, &assigned, &declined)
		c.AssignedAt, c.DeclinedAt = sqlstore.TimeMS(assigned), sqlstore.TimeMS(declined)
		return c, err
	}, `SELECT number, manager_id, how, assigned_at, declined_at FROM clients ORDER BY number`)
	if err != nil {
		return fmt.Errorf("sqlite: load clients: %w", err)
	}
	rt.Absences, err = sqlstore.QueryAll(ctx, tx, func(s scanner) (callcenter.Absence, error) {
		var a callcenter.Absence
		err := s.Scan(&a.ID, &a.Operator, &a.Kind, &a.From, &a.To)
		return a, err
	}, `SELECT id, operator_id, kind, from_date, to_date FROM absences ORDER BY operator_id, from_date`)
	if err != nil {
		return fmt.Errorf("sqlite: load absences: %w", err)
	}
	rt.Spares, err = sqlstore.QueryAll(ctx, tx, func(s scanner) (callcenter.Spare, error) {
		var sp callcenter.Spare
		var config string
		if err := s.Scan(&sp.ID, &config); err != nil {
			return sp, err
		}
		return sp, json.Unmarshal([]byte(config), &sp)
	}, `SELECT id, config FROM spares ORDER BY id`)
	if err != nil {
		return fmt.Errorf("sqlite: load spares: %w", err)
	}
	rt.SpareUse, err = sqlstore.QueryAll(ctx, tx, func(s scanner) (callcenter.SpareStatus, error) {
		var st callcenter.SpareStatus
		var status string
		if err := s.Scan(&st.Spare, &status); err != nil {
			return st, err
		}
		return st, json.Unmarshal([]byte(status), &st)
	}, `SELECT spare_id, status FROM spare_status ORDER BY spare_id`)
	if err != nil {
		return fmt.Errorf("sqlite: load spare use: %w", err)
	}
	return nil
}
