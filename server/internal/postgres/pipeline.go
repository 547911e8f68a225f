package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/tandemcc/tandem/server/internal/sqlstore"
)

// WriteRows runs s for each of rows (pgx keeps the statement prepared on the connection).
func (t txn) WriteRows(ctx context.Context, s *sqlstore.Statement, rows [][]any) error {
	for _, a := range rows {
		if _, err := t.ExecContext(ctx, s.SQL, a...); err != nil {
			return s.Err(a, err)
		}
	}
	return nil
}

// pipeline is a write transaction's statements, queued to be sent in one round trip (send).
type pipeline struct {
	batch pgx.Batch
	fails []func(error) error // each statement's error as returned
}

// WriteRows queues s for each of rows.
func (p *pipeline) WriteRows(_ context.Context, s *sqlstore.Statement, rows [][]any) error {
	query := rebind(s.SQL)
	for _, a := range rows {
		p.batch.Queue(query, a...)
		p.fails = append(p.fails, func(err error) error { return s.Err(a, err) })
	}
	return nil
}

// sendRows runs fn's writes in one write transaction, sent in one round trip.
func (db *DB) sendRows(ctx context.Context, fn func(sqlstore.RowWriter) error) error {
	var p pipeline
	if err := fn(&p); err != nil {
		return err
	}
	return db.send(ctx, &p)
}

// fenceSQL is checkFence in one statement that fails, with division_by_zero, unless the
// leadership row holds the epoch $1; it holds the row FOR SHARE as checkFence does.
const fenceSQL = `SELECT 1 / coalesce((SELECT (epoch = $1)::int FROM tandem_leader WHERE id = 1 FOR SHARE), 0)`

// send runs p's statements in one transaction as write does, but in one round trip: BEGIN,
// the fence check (of a fenced store), the statements and COMMIT go in one pipeline on one
// connection. The server skips what follows a failed statement, COMMIT included, so a
// failure leaves the transaction aborted, and it is rolled back.
func (db *DB) send(ctx context.Context, p *pipeline) error {
	conn, err := db.pool.Conn(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin write: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c := dc.(*stdlib.Conn).Conn()
		stmts := p.batch.QueuedQueries
		b := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(stmts)+3)}
		b.Queue("begin")
		if db.fence != 0 {
			b.Queue(fenceSQL, db.fence)
		}
		b.QueuedQueries = append(b.QueuedQueries, stmts...)
		b.Queue("commit")

		br := c.SendBatch(ctx, b)
		fenced := false
		err := func() error {
			if _, err := br.Exec(); err != nil { // or the batch was not sent: preparing it failed
				return fmt.Errorf("postgres: write: %w", err)
			}
			if db.fence != 0 {
				if _, err := br.Exec(); err != nil {
					var pe *pgconn.PgError
					fenced = errors.As(err, &pe) && pe.Code == "22012"
					return fmt.Errorf("postgres: check the fence: %w", err)
				}
			}
			for _, fail := range p.fails {
				if _, err := br.Exec(); err != nil {
					return fail(err)
				}
			}
			if _, err := br.Exec(); err != nil {
				return fmt.Errorf("postgres: commit: %w", err)
			}
			return nil
		}()
		if cerr := br.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("postgres: commit: %w", cerr)
		}
		if err == nil {
			return nil
		}
		if !c.IsClosed() && c.PgConn().TxStatus() != 'I' {
			// Should the rollback fail, the driver discards the connection: it is not idle.
			c.Exec(ctx, "rollback")
		}
		if fenced {
			var now int64
			if qerr := c.QueryRow(ctx, `SELECT epoch FROM tandem_leader WHERE id = 1`).Scan(&now); qerr != nil {
				if errors.Is(qerr, pgx.ErrNoRows) {
					qerr = errNoRows
				}
				return fmt.Errorf("postgres: check the fence: %w", qerr)
			}
			return fmt.Errorf("%w (mine %d, the database's %d)", ErrFenced, db.fence, now)
		}
		return uniqueViolation(err)
	})
}
