package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// writes takes a write transaction's statements: a txn runs each at once, a pipeline queues
// them to send together. fail turns the statement's error into the error returned.
type writes interface {
	exec(ctx context.Context, fail func(error) error, query string, args ...any) error
}

func (t txn) exec(ctx context.Context, fail func(error) error, query string, args ...any) error {
	if _, err := t.ExecContext(ctx, query, args...); err != nil {
		return fail(err)
	}
	return nil
}

// pipeline is a write transaction's statements, queued to be sent in one round trip (send).
type pipeline struct {
	batch pgx.Batch
	fails []func(error) error
}

func (p *pipeline) exec(_ context.Context, fail func(error) error, query string, args ...any) error {
	p.batch.Queue(rebind(query), args...)
	p.fails = append(p.fails, fail)
	return nil
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
