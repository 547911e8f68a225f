package postgres

import (
	"context"
	"fmt"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/sqlstore"
)

// This file stores clients with their personal managers, absences, and spare numbers.

func putClients(ctx context.Context, w writes, cs []callcenter.Client) error {
	return eachRow(ctx, w, "client", sqlstore.ClientUpsert, len(cs), func(i int) ([]any, error) { return sqlstore.ClientRow(cs[i]), nil })
}

func putAbsences(ctx context.Context, w writes, as []callcenter.Absence, deleted []string) error {
	for _, id := range deleted {
		err := w.exec(ctx, func(err error) error { return fmt.Errorf("postgres: delete absence %q: %w", id, err) },
			sqlstore.AbsenceDelete, id)
		if err != nil {
			return err
		}
	}
	return eachRow(ctx, w, "absence", sqlstore.AbsenceUpsert, len(as), func(i int) ([]any, error) { return sqlstore.AbsenceRow(as[i]), nil })
}

func putSpares(ctx context.Context, w writes, ss []callcenter.Spare, use []callcenter.SpareStatus) error {
	err := eachRow(ctx, w, "spare", sqlstore.SpareUpsert, len(ss), func(i int) ([]any, error) { return dialect.SpareRow(ss[i]), nil })
	if err != nil {
		return err
	}
	return eachRow(ctx, w, "spare status", sqlstore.SpareStatusUpsert, len(use), func(i int) ([]any, error) { return dialect.SpareStatusRow(use[i]), nil })
}
