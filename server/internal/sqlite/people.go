package sqlite

import (
	"context"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/sqlstore"
)

// This file stores clients with their personal managers, absences, and spare numbers.

const (
	clientSQL        = sqlstore.ClientUpsert
	deleteAbsenceSQL = sqlstore.AbsenceDelete
	absenceSQL       = sqlstore.AbsenceUpsert
	spareSQL         = sqlstore.SpareUpsert
	spareStatusSQL   = sqlstore.SpareStatusUpsert
)

func putClients(ctx context.Context, tx wtx, cs []callcenter.Client) error {
	return eachRow(ctx, tx, "client", clientSQL, len(cs), func(i int) ([]any, error) { return sqlstore.ClientRow(cs[i]), nil })
}

func putAbsences(ctx context.Context, tx wtx, as []callcenter.Absence, deleted []string) error {
	err := eachRow(ctx, tx, "deleted absence", deleteAbsenceSQL, len(deleted), func(i int) ([]any, error) {
		return []any{deleted[i]}, nil
	})
	if err != nil {
		return err
	}
	return eachRow(ctx, tx, "absence", absenceSQL, len(as), func(i int) ([]any, error) { return sqlstore.AbsenceRow(as[i]), nil })
}

func putSpares(ctx context.Context, tx wtx, ss []callcenter.Spare, use []callcenter.SpareStatus) error {
	err := eachRow(ctx, tx, "spare", spareSQL, len(ss), func(i int) ([]any, error) { return dialect.SpareRow(ss[i]), nil })
	if err != nil {
		return err
	}
	return eachRow(ctx, tx, "spare status", spareStatusSQL, len(use), func(i int) ([]any, error) { return dialect.SpareStatusRow(use[i]), nil })
}
