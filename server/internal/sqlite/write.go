package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tandemcc/tandem/server/internal/sqlstore"
)

// This file sends Apply's writes: its statements are prepared once on the writer's connection
// when the store opens and reused by every transaction (there is one writer), where preparing
// them in each transaction cost a compile of each per batch; and the rows of a statement that
// takes several at once (call events, cloud requests) go up to 32 in one statement.

// rowsAtOnce are the numbers of rows of the statements prepared for a statement that takes
// several rows, largest first.
var rowsAtOnce = [...]int{32, 8, 1}

// prepared names a prepared statement: the SQL of a Statement's one row, and how many rows the
// statement takes.
type prepared struct {
	sql  string
	rows int
}

// query is the SQL of p for s.
func (p prepared) query(s *sqlstore.Statement) string {
	if s.Head == "" {
		return s.SQL
	}
	return s.Rows(p.rows)
}

// prepareApply prepares Apply's statements on the writer.
func prepareApply(ctx context.Context, w *sql.DB) (map[prepared]*sql.Stmt, error) {
	stmts := map[prepared]*sql.Stmt{}
	for _, s := range sqlstore.Statements(dialect) {
		sizes := rowsAtOnce[:]
		if s.Head == "" {
			sizes = sizes[len(sizes)-1:]
		}
		for _, n := range sizes {
			p := prepared{s.SQL, n}
			stmt, err := w.PrepareContext(ctx, p.query(s))
			if err != nil {
				for _, s := range stmts {
					s.Close()
				}
				return nil, fmt.Errorf("sqlite: prepare %q: %w", p.query(s), err)
			}
			stmts[p] = stmt
		}
	}
	return stmts, nil
}

// wtx is a write transaction, with Apply's statements prepared for it.
type wtx struct {
	*sql.Tx
	stmts map[prepared]*sql.Stmt
}

// stmt returns s for rows rows, prepared in the transaction: the writer's prepared statement
// when there is one, else prepared now.
func (tx wtx) stmt(ctx context.Context, s *sqlstore.Statement, rows int) (*sql.Stmt, error) {
	p := prepared{s.SQL, rows}
	if stmt := tx.stmts[p]; stmt != nil {
		return tx.StmtContext(ctx, stmt), nil
	}
	return tx.PrepareContext(ctx, p.query(s))
}

// WriteRows writes rows with s: as many at a time as it can when s takes several, since one
// statement for 32 rows costs about what one for a single row does (the rows' own work
// aside), and the call events and cloud requests come several per call.
func (tx wtx) WriteRows(ctx context.Context, s *sqlstore.Statement, rows [][]any) error {
	if s.Head == "" || len(rows) == 1 {
		return tx.each(ctx, s, 1, rows)
	}
	var buf []any
	for i := 0; i < len(rows); {
		k := rowsAtOnce[len(rowsAtOnce)-1]
		for _, size := range rowsAtOnce {
			if len(rows)-i >= size {
				k = size
				break
			}
		}
		buf = buf[:0]
		for _, r := range rows[i : i+k] {
			buf = append(buf, r...)
		}
		if err := tx.each(ctx, s, k, [][]any{buf}); err != nil {
			return fmt.Errorf("%w (in rows from %d)", err, i)
		}
		i += k
	}
	return nil
}

// each runs s, taking n rows at once, with each of values.
func (tx wtx) each(ctx context.Context, s *sqlstore.Statement, n int, values [][]any) error {
	stmt, err := tx.stmt(ctx, s, n)
	if err != nil {
		return fmt.Errorf("sqlite: write %s: %w", s.What, err)
	}
	defer stmt.Close()
	for _, v := range values {
		if _, err := stmt.ExecContext(ctx, v...); err != nil {
			return s.Err(v, err)
		}
	}
	return nil
}
