package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// loadPeople reads clients, absences and spares into rt.
func (d Dialect) loadPeople(ctx context.Context, tx Tx, rt *callcenter.Runtime) error {
	var err error
	rt.Clients, err = queryAll(ctx, tx, func(s Scanner) (callcenter.Client, error) {
		var c callcenter.Client
		var assigned, declined sql.NullInt64
		err := s.Scan(&c.Number, &c.Manager, &c.How, &assigned, &declined)
		c.AssignedAt, c.DeclinedAt = timeMS(assigned), timeMS(declined)
		return c, err
	}, `SELECT number, manager_id, how, assigned_at, declined_at FROM clients ORDER BY number`)
	if err != nil {
		return d.errorf("load clients: %w", err)
	}
	rt.Absences, err = queryAll(ctx, tx, func(s Scanner) (callcenter.Absence, error) {
		var a callcenter.Absence
		err := s.Scan(&a.ID, &a.Operator, &a.Kind, &a.From, &a.To)
		return a, err
	}, `SELECT id, operator_id, kind, from_date, to_date FROM absences ORDER BY operator_id, from_date`)
	if err != nil {
		return d.errorf("load absences: %w", err)
	}
	rt.Spares, err = queryAll(ctx, tx, func(s Scanner) (callcenter.Spare, error) {
		var sp callcenter.Spare
		var config string
		if err := s.Scan(&sp.ID, &config); err != nil {
			return sp, err
		}
		return sp, json.Unmarshal([]byte(config), &sp)
	}, `SELECT id, config FROM spares ORDER BY id`)
	if err != nil {
		return d.errorf("load spares: %w", err)
	}
	rt.SpareUse, err = queryAll(ctx, tx, func(s Scanner) (callcenter.SpareStatus, error) {
		var st callcenter.SpareStatus
		var status string
		if err := s.Scan(&st.Spare, &status); err != nil {
			return st, err
		}
		return st, json.Unmarshal([]byte(status), &st)
	}, `SELECT spare_id, status FROM spare_status ORDER BY spare_id`)
	if err != nil {
		return d.errorf("load spare use: %w", err)
	}
	rt.Menus, err = queryAll(ctx, tx, func(s Scanner) (callcenter.Menu, error) {
		var m callcenter.Menu
		var config string
		if err := s.Scan(&m.ID, &config); err != nil {
			return m, err
		}
		return m, json.Unmarshal([]byte(config), &m)
	}, `SELECT id, config FROM menus ORDER BY id`)
	if err != nil {
		return d.errorf("load menus: %w", err)
	}
	return nil
}
