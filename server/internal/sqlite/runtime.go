package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/sqlstore"
)

// Apply writes everything in c in one transaction: either all of it is stored or none.
// Rows are upserted by id, so applying the same Changes twice stores them once. Commands are
// not stored.
func (db *DB) Apply(ctx context.Context, c callcenter.Changes) error {
	if c.Empty() {
		return nil
	}
	// A batch of steps may change one row several times: only its last version is written.
	c.Statuses = sqlstore.LastOf(c.Statuses, func(s callcenter.OperatorStatus) callcenter.OperatorID { return s.Operator })
	c.Calls = sqlstore.LastOf(c.Calls, func(x callcenter.Call) callcenter.CallID { return x.ID })
	c.Offers = sqlstore.LastOf(c.Offers, func(o callcenter.Offer) callcenter.OfferID { return o.ID })
	return db.write(ctx, func(stx *sql.Tx) error {
		tx := wtx{stx, db.stmts}
		for _, o := range c.Operators {
			if err := putOperator(ctx, stx, o); err != nil {
				return err
			}
		}
		if len(c.Queues) > 0 {
			if err := putQueues(ctx, stx, c.Queues); err != nil {
				return err
			}
		}
		if err := putStatuses(ctx, tx, c.Statuses); err != nil {
			return err
		}
		if err := putCalls(ctx, tx, c.Calls); err != nil {
			return err
		}
		if err := putOffers(ctx, tx, c.Offers); err != nil {
			return err
		}
		if err := putDecisions(ctx, tx, c.Decisions); err != nil {
			return err
		}
		if err := putRequests(ctx, tx, c.Requests); err != nil {
			return err
		}
		err := eachRow(ctx, tx, "note on call", noteSQL, len(c.Notes), func(i int) ([]any, error) {
			return []any{c.Notes[i].Call, c.Notes[i].Note}, nil
		})
		if err != nil {
			return err
		}
		if err := putTallies(ctx, tx, c.Tallies); err != nil {
			return err
		}
		if err := putEvents(ctx, tx, c.Events); err != nil {
			return err
		}
		if err := putClients(ctx, tx, c.Clients); err != nil {
			return err
		}
		if err := putAbsences(ctx, tx, c.Absences, c.Unabsent); err != nil {
			return err
		}
		if err := putSpares(ctx, tx, c.Spares, c.SpareUse); err != nil {
			return err
		}
		for q, op := range c.Cursors {
			if err := eachRow(ctx, tx, "cursor of queue", cursorSQL, 1, func(int) ([]any, error) { return []any{q, op}, nil }); err != nil {
				return err
			}
		}
		return nil
	})
}

const (
	noteSQL   = `UPDATE calls SET note = ?2 WHERE id = ?1`
	cursorSQL = `INSERT INTO queue_cursors (queue_id, operator_id) VALUES (?, ?)
		ON CONFLICT (queue_id) DO UPDATE SET operator_id = excluded.operator_id`
)

// applyQueries are the statements Apply runs: prepared once on the writer's connection when
// the store opens and reused by every transaction (there is one writer), where preparing them
// in each transaction cost a compile of each per batch.
var applyQueries = append(append([]string{statusSQL, callSQL, offerSQL, decisionSQL, noteSQL, putTallySQL,
	clientSQL, absenceSQL, deleteAbsenceSQL, spareSQL, spareStatusSQL, cursorSQL},
	requestSQL.queries()...), eventSQL.queries()...)

// prepareApply prepares applyQueries on the writer.
func prepareApply(ctx context.Context, w *sql.DB) (map[string]*sql.Stmt, error) {
	stmts := make(map[string]*sql.Stmt, len(applyQueries))
	for _, q := range applyQueries {
		s, err := w.PrepareContext(ctx, q)
		if err != nil {
			for _, s := range stmts {
				s.Close()
			}
			return nil, fmt.Errorf("sqlite: prepare %q: %w", q, err)
		}
		stmts[q] = s
	}
	return stmts, nil
}

// wtx is Apply's transaction, with the statements prepared for it.
type wtx struct {
	*sql.Tx
	stmts map[string]*sql.Stmt
}

// stmt returns query prepared in the transaction: the writer's prepared statement when there
// is one, else prepared now.
func (tx wtx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s := tx.stmts[query]; s != nil {
		return tx.StmtContext(ctx, s), nil
	}
	return tx.PrepareContext(ctx, query)
}

// multiRow is an INSERT that takes many rows in one statement: head ("INSERT INTO t (a, b)
// VALUES "), one row's placeholders, and what follows the rows (an ON CONFLICT clause).
type multiRow struct {
	sql [len(rowsAtOnce)]string // for each of rowsAtOnce
}

// rowsAtOnce are the numbers of rows of the statements a multiRow is prepared for, largest first.
var rowsAtOnce = [...]int{32, 8, 1}

func newMultiRow(head, row, tail string) *multiRow {
	m := &multiRow{}
	for i, n := range rowsAtOnce {
		m.sql[i] = head + strings.Repeat(row+", ", n-1) + row + " " + tail
	}
	return m
}

func (m *multiRow) queries() []string { return m.sql[:] }

// eachRows writes n rows with m, as many at a time as it can: one statement for 32 rows costs
// about what one for a single row does (the rows' own work aside), and the call events and
// cloud requests come several per call.
func eachRows(ctx context.Context, tx wtx, what string, m *multiRow, n int, args func(i int) ([]any, error)) error {
	var buf []any
	for i := 0; i < n; {
		s := len(rowsAtOnce) - 1
		for size := range rowsAtOnce {
			if n-i >= rowsAtOnce[size] {
				s = size
				break
			}
		}
		k := rowsAtOnce[s]
		buf = buf[:0]
		for j := i; j < i+k; j++ {
			a, err := args(j)
			if err != nil {
				return fmt.Errorf("sqlite: write %s (row %d): %w", what, j, err)
			}
			buf = append(buf, a...)
		}
		first := i
		err := eachRow(ctx, tx, what, m.sql[s], 1, func(int) ([]any, error) { return buf, nil })
		if err != nil {
			return fmt.Errorf("%w (in rows from %d)", err, first)
		}
		i += k
	}
	return nil
}

// eachRow runs query with the arguments args gives for each of n rows.
func eachRow(ctx context.Context, tx wtx, what, query string, n int, args func(i int) ([]any, error)) error {
	if n == 0 {
		return nil
	}
	stmt, err := tx.stmt(ctx, query)
	if err != nil {
		return fmt.Errorf("sqlite: write %s: %w", what, err)
	}
	defer stmt.Close()
	for i := range n {
		a, err := args(i)
		if err == nil {
			_, err = stmt.ExecContext(ctx, a...)
		}
		if err != nil {
			return fmt.Errorf("sqlite: write %s %v: %w", what, a[0], err) // a[0] is the row's id
		}
	}
	return nil
}

const (
	statusSQL   = sqlstore.StatusUpsert
	callSQL     = sqlstore.CallUpsert
	offerSQL    = sqlstore.OfferUpsert
	decisionSQL = sqlstore.DecisionInsert
)

func putStatuses(ctx context.Context, tx wtx, ss []callcenter.OperatorStatus) error {
	return eachRow(ctx, tx, "operator status", statusSQL, len(ss), func(i int) ([]any, error) { return dialect.StatusRow(ss[i]), nil })
}

func putCalls(ctx context.Context, tx wtx, cs []callcenter.Call) error {
	return eachRow(ctx, tx, "call", callSQL, len(cs), func(i int) ([]any, error) { return sqlstore.CallRow(cs[i]) })
}

func putOffers(ctx context.Context, tx wtx, os []callcenter.Offer) error {
	return eachRow(ctx, tx, "offer", offerSQL, len(os), func(i int) ([]any, error) { return sqlstore.OfferRow(os[i]), nil })
}

func putDecisions(ctx context.Context, tx wtx, ds []callcenter.Decision) error {
	// A decision is a record, not state: the first write of it stands.
	var buf []byte
	return eachRow(ctx, tx, "decision for call", decisionSQL, len(ds), func(i int) ([]any, error) {
		buf = appendDecisionJSON(buf[:0], ds[i])
		return sqlstore.DecisionRow(ds[i], string(buf)), nil
	})
}

var requestSQL = newMultiRow(`INSERT INTO cloud_requests (id, call_id, at, reply) VALUES `, `(?, ?, ?, ?)`,
	`ON CONFLICT (id) DO NOTHING`)

func putRequests(ctx context.Context, tx wtx, rs []callcenter.CloudRequest) error {
	// A retried request gets the first answer again, so the first write stands.
	return eachRows(ctx, tx, "cloud request", requestSQL, len(rs), func(i int) ([]any, error) { return sqlstore.RequestRow(rs[i]) })
}

// The runtime's reads are sqlstore's, shared with the postgres store.

// candidateRow is a decision's candidate as stored (decisionRecord's).
type candidateRow = sqlstore.CandidateRow

// LoadRuntime returns the live state to restart the switchboard from: every operator's status,
// the calls not finished (oldest first) and the offers still pending (oldest first).
func (db *DB) LoadRuntime(ctx context.Context) (callcenter.Runtime, error) {
	return db.shared().LoadRuntime(ctx)
}

// CloudRequest returns the request with id and true, or false if it was never carried out.
func (db *DB) CloudRequest(ctx context.Context, id string) (callcenter.CloudRequest, bool, error) {
	stmt, err := db.readStmt(ctx, sqlstore.CloudRequestQuery) // asked before every cloud request: prepared once
	if err != nil {
		return callcenter.CloudRequest{}, false, fmt.Errorf("sqlite: cloud request %q: %w", id, err)
	}
	return dialect.CloudRequest(id, stmt.QueryRowContext(ctx, id))
}

// Call returns the call with id and its offers, oldest first.
func (db *DB) Call(ctx context.Context, id callcenter.CallID) (callcenter.Call, []callcenter.Offer, error) {
	return db.shared().Call(ctx, id)
}

// Offer returns the offer with id.
func (db *DB) Offer(ctx context.Context, id callcenter.OfferID) (callcenter.Offer, error) {
	return db.shared().Offer(ctx, id)
}

// CallerHistory returns the last calls from a caller number, newest first, except the call
// named by but (the one in progress). It is read with every offer, so its statement is
// prepared once.
func (db *DB) CallerHistory(ctx context.Context, number string, but callcenter.CallID, limit int) ([]callcenter.Call, error) {
	stmt, err := db.readStmt(ctx, sqlstore.CallerHistoryQuery)
	if err != nil {
		return nil, fmt.Errorf("sqlite: calls from %q: %w", number, err)
	}
	rows, err := stmt.QueryContext(ctx, number, but, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: calls from %q: %w", number, err)
	}
	cs, err := sqlstore.ScanAll(rows, sqlstore.ScanCall)
	if err != nil {
		return nil, fmt.Errorf("sqlite: calls from %q: %w", number, err)
	}
	return cs, nil
}

// DisplayNames returns the display names of the operators ids that exist, in one read.
func (db *DB) DisplayNames(ctx context.Context, ids []callcenter.OperatorID) (map[callcenter.OperatorID]string, error) {
	out := make(map[callcenter.OperatorID]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := db.r.QueryContext(ctx, `SELECT id, display_name FROM operators WHERE id IN (?`+
		strings.Repeat(", ?", len(ids)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: display names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id callcenter.OperatorID
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("sqlite: display names: %w", err)
		}
		out[id] = name
	}
	return out, rows.Err()
}

// Decisions returns the routing decisions made for call id, oldest first.
func (db *DB) Decisions(ctx context.Context, id callcenter.CallID) ([]callcenter.Decision, error) {
	return db.shared().Decisions(ctx, id)
}
