package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/sqlstore"
)

// The configuration's and the security half's SQL is sqlstore's, shared with the postgres
// store; this file and security.go run it in SQLite's transactions.

// dialect is SQLite's spelling of what the stores' SQL differs in.
var dialect = sqlstore.Dialect{
	Name:         "sqlite",
	DefaultQueue: "is_default",
	Strpos:       "instr",
	Arg1:         "?1",
	Seq:          "rowid", // the order decisions and call events were inserted in
}

// shared is db as the shared SQL runs it.
func (db *DB) shared() sqlstore.DB {
	return sqlstore.DB{Dialect: dialect, Read: db.readTx, Write: db.writeTx, QueryRow: db.r.QueryRowContext}
}

func (db *DB) readTx(ctx context.Context, fn func(sqlstore.Tx) error) error {
	return db.read(ctx, func(tx *sql.Tx) error { return fn(tx) })
}

func (db *DB) writeTx(ctx context.Context, fn func(sqlstore.Tx) error) error {
	return db.write(ctx, func(tx *sql.Tx) error { return fn(tx) })
}

// Operators -------------------------------------------------------------------------------

// CreateOperator stores a new operator. His id and name must both be free.
func (db *DB) CreateOperator(ctx context.Context, o callcenter.Operator) error {
	return db.shared().CreateOperator(ctx, o)
}

// UpdateOperator replaces every field of the operator with o's id, his queues included.
func (db *DB) UpdateOperator(ctx context.Context, o callcenter.Operator) error {
	return db.shared().UpdateOperator(ctx, o)
}

// putOperator inserts or replaces o and his queue skills (Apply's).
func putOperator(ctx context.Context, tx *sql.Tx, o callcenter.Operator) error {
	return dialect.PutOperator(ctx, tx, o)
}

// Operator returns the operator with id.
func (db *DB) Operator(ctx context.Context, id callcenter.OperatorID) (callcenter.Operator, error) {
	return db.shared().Operator(ctx, id)
}

// OperatorByName returns the operator whose login name is name.
func (db *DB) OperatorByName(ctx context.Context, name string) (callcenter.Operator, error) {
	return db.shared().OperatorByName(ctx, name)
}

// Operators returns every operator, ordered by name.
func (db *DB) Operators(ctx context.Context) ([]callcenter.Operator, error) {
	return db.shared().Operators(ctx)
}

// Queues ----------------------------------------------------------------------------------

// CreateQueue stores a new queue (see sqlstore.DB.CreateQueue).
func (db *DB) CreateQueue(ctx context.Context, q callcenter.Queue) error {
	return db.shared().CreateQueue(ctx, q)
}

// UpdateQueue replaces every field of the queue with q's id, its dialed numbers included.
func (db *DB) UpdateQueue(ctx context.Context, q callcenter.Queue) error {
	return db.shared().UpdateQueue(ctx, q)
}

// putQueues inserts or replaces qs and their dialed numbers (Apply's).
func putQueues(ctx context.Context, tx *sql.Tx, qs []callcenter.Queue) error {
	return dialect.PutQueues(ctx, tx, qs)
}

// Queue returns the queue with id.
func (db *DB) Queue(ctx context.Context, id callcenter.QueueID) (callcenter.Queue, error) {
	return db.shared().Queue(ctx, id)
}

// Queues returns every queue, ordered by id.
func (db *DB) Queues(ctx context.Context) ([]callcenter.Queue, error) {
	return db.shared().Queues(ctx)
}

// Sessions --------------------------------------------------------------------------------

// CreateSession stores a login of an existing operator.
func (db *DB) CreateSession(ctx context.Context, s callcenter.Session) error {
	return db.shared().CreateSession(ctx, s)
}

// Session returns the session whose token hashes to tokenHash. Expiry is the caller's to judge.
func (db *DB) Session(ctx context.Context, tokenHash string) (callcenter.Session, error) {
	// Read for every request an operator makes: prepared once.
	stmt, err := db.readStmt(ctx, sqlstore.SessionQuery)
	if err != nil {
		return callcenter.Session{}, fmt.Errorf("sqlite: session: %w", err)
	}
	return dialect.Session(tokenHash, stmt.QueryRowContext(ctx, tokenHash))
}

// DeleteSession ends one session. Ending an unknown session is not an error.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return db.shared().DeleteSession(ctx, tokenHash)
}

// DeleteOperatorSessions ends every session of operator id.
func (db *DB) DeleteOperatorSessions(ctx context.Context, id callcenter.OperatorID) error {
	return db.shared().DeleteOperatorSessions(ctx, id)
}
