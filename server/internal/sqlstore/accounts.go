package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// This file stores people's accounts and their sessions.

const accountColumns = `name, display_name, role, password_hash, disabled, created_at, created_by`

func scanAccount(s Scanner) (callcenter.Account, error) {
	var a callcenter.Account
	var disabled int
	var created sql.NullInt64
	err := s.Scan(&a.Name, &a.DisplayName, &a.Role, &a.PasswordHash, &disabled, &created, &a.CreatedBy)
	a.Disabled, a.CreatedAt = disabled != 0, timeMS(created)
	return a, err
}

// CreateAccount stores a new account; a name in use is already_exists.
func (db *DB) CreateAccount(ctx context.Context, a callcenter.Account) error {
	return db.c.Write(ctx, func(tx WriteTx) error {
		taken, err := rowExists(ctx, tx, `SELECT 1 FROM accounts WHERE name = ?`, a.Name)
		if err != nil {
			return db.d.errorf("create account: %w", err)
		}
		if taken {
			return &callcenter.Error{Code: callcenter.CodeAlreadyExists, Field: "name", Message: "an account named " + a.Name + " exists"}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO accounts (`+accountColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			a.Name, a.DisplayName, a.Role, a.PasswordHash, boolInt(a.Disabled), msTime(a.CreatedAt), a.CreatedBy)
		if err != nil {
			return db.d.errorf("create account %q: %w", a.Name, err)
		}
		return nil
	})
}

// Account returns the account named name.
func (db *DB) Account(ctx context.Context, name string) (callcenter.Account, error) {
	a, err := scanAccount(db.c.QueryRow(ctx, `SELECT `+accountColumns+` FROM accounts WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return callcenter.Account{}, callcenter.NotFound("name", "no account %q", name)
	}
	if err != nil {
		return callcenter.Account{}, db.d.errorf("account: %w", err)
	}
	return a, nil
}

// Accounts lists the accounts by name.
func (db *DB) Accounts(ctx context.Context) ([]callcenter.Account, error) {
	var out []callcenter.Account
	err := db.c.Read(ctx, func(tx Tx) error {
		var err error
		out, err = queryAll(ctx, tx, scanAccount, `SELECT `+accountColumns+` FROM accounts ORDER BY name`)
		return err
	})
	if err != nil {
		return nil, db.d.errorf("accounts: %w", err)
	}
	return out, nil
}

// UpdateAccount replaces the stored account a.Name with a (all but its creation). A disabled
// account, or one whose role or password changed, loses its sessions in the same transaction:
// what a person may do is what his account says now.
func (db *DB) UpdateAccount(ctx context.Context, a callcenter.Account) error {
	return db.c.Write(ctx, func(tx WriteTx) error {
		old, err := scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE name = ?`, a.Name))
		if errors.Is(err, sql.ErrNoRows) {
			return callcenter.NotFound("name", "no account %q", a.Name)
		}
		if err != nil {
			return db.d.errorf("update account %q: %w", a.Name, err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE accounts SET display_name = ?, role = ?, password_hash = ?, disabled = ? WHERE name = ?`,
			a.DisplayName, a.Role, a.PasswordHash, boolInt(a.Disabled), a.Name)
		if err != nil {
			return db.d.errorf("update account %q: %w", a.Name, err)
		}
		if a.Disabled || a.Role != old.Role || a.PasswordHash != old.PasswordHash {
			_, err = tx.ExecContext(ctx, `DELETE FROM account_sessions WHERE account = ? AND sign_in = ?`, a.Name, callcenter.SignInPassword)
			if err != nil {
				return db.d.errorf("end sessions of account %q: %w", a.Name, err)
			}
		}
		return nil
	})
}

// CreateAccountSession stores a person's sign-in.
func (db *DB) CreateAccountSession(ctx context.Context, s callcenter.AccountSession) error {
	return db.c.Write(ctx, func(tx WriteTx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO account_sessions (token_hash, account, display_name, role, sign_in, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			s.TokenHash, s.Account, s.DisplayName, s.Role, s.SignIn, msTime(s.CreatedAt), msTime(s.ExpiresAt))
		if err != nil {
			return db.d.errorf("create account session: %w", err)
		}
		return nil
	})
}

// AccountSession returns the session whose token hashes to tokenHash. Expiry is the caller's
// to judge.
func (db *DB) AccountSession(ctx context.Context, tokenHash string) (callcenter.AccountSession, error) {
	s := callcenter.AccountSession{TokenHash: tokenHash}
	var created, expires sql.NullInt64
	err := db.c.QueryRow(ctx, `SELECT account, display_name, role, sign_in, created_at, expires_at FROM account_sessions WHERE token_hash = ?`, tokenHash).
		Scan(&s.Account, &s.DisplayName, &s.Role, &s.SignIn, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return callcenter.AccountSession{}, callcenter.NotFound("token", "no such session")
	}
	if err != nil {
		return callcenter.AccountSession{}, db.d.errorf("account session: %w", err)
	}
	s.CreatedAt, s.ExpiresAt = timeMS(created), timeMS(expires)
	return s, nil
}

// DeleteAccountSession ends one session. Ending an unknown session is not an error.
func (db *DB) DeleteAccountSession(ctx context.Context, tokenHash string) error {
	return db.c.Write(ctx, func(tx WriteTx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM account_sessions WHERE token_hash = ?`, tokenHash); err != nil {
			return db.d.errorf("delete account session: %w", err)
		}
		return nil
	})
}
