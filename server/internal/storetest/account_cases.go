package storetest

import (
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// Accounts are kept by name, listed by name, and replaced whole by UpdateAccount.
func (st suite) Accounts(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	olga := callcenter.Account{Name: "olga", DisplayName: "Olga Petrova", Role: "supervisor", PasswordHash: "$2a$bcrypt", CreatedAt: at(0), CreatedBy: "admin-key"}
	must(t, db.CreateAccount(ctx, olga))
	must(t, db.CreateAccount(ctx, callcenter.Account{Name: "ivan", Role: "admin", PasswordHash: "h", CreatedAt: at(time.Minute)}))
	wantErr(t, db.CreateAccount(ctx, callcenter.Account{Name: "olga", Role: "admin"}), callcenter.CodeAlreadyExists, "name")

	got, err := db.Account(ctx, "olga")
	must(t, err)
	equal(t, "olga", got, olga)
	_, err = db.Account(ctx, "nobody")
	wantErr(t, err, callcenter.CodeNotFound, "name")

	all, err := db.Accounts(ctx)
	must(t, err)
	if len(all) != 2 || all[0].Name != "ivan" || all[1].Name != "olga" {
		t.Fatalf("accounts = %+v", all)
	}

	olga.Role, olga.Disabled, olga.DisplayName = "admin", true, "Olga P."
	must(t, db.UpdateAccount(ctx, olga))
	got, err = db.Account(ctx, "olga")
	must(t, err)
	equal(t, "updated", got, olga)
	wantErr(t, db.UpdateAccount(ctx, callcenter.Account{Name: "nobody", Role: "admin"}), callcenter.CodeNotFound, "name")
}

// A person's sessions are found by token hash; changing his role, password or disabling him
// ends his password sessions (not the OpenID Connect ones, which his account does not grant),
// a new display name does not; expired ones are purged with the operators'.
func (st suite) AccountSessions(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	olga := callcenter.Account{Name: "olga", Role: "supervisor", PasswordHash: "h1", CreatedAt: at(0)}
	must(t, db.CreateAccount(ctx, olga))
	pw := callcenter.AccountSession{TokenHash: "t1", Account: "olga", DisplayName: "Olga", Role: "supervisor", SignIn: callcenter.SignInPassword, CreatedAt: at(0), ExpiresAt: at(time.Hour)}
	oidc := callcenter.AccountSession{TokenHash: "t2", Account: "olga", Role: "admin", SignIn: callcenter.SignInOIDC, CreatedAt: at(0), ExpiresAt: at(3 * time.Hour)}
	must(t, db.CreateAccountSession(ctx, pw))
	must(t, db.CreateAccountSession(ctx, oidc))
	got, err := db.AccountSession(ctx, "t1")
	must(t, err)
	equal(t, "password session", got, pw)
	_, err = db.AccountSession(ctx, "nope")
	wantErr(t, err, callcenter.CodeNotFound, "token")

	olga.DisplayName = "Olga P."
	must(t, db.UpdateAccount(ctx, olga))
	_, err = db.AccountSession(ctx, "t1")
	must(t, err)
	olga.PasswordHash = "h2"
	must(t, db.UpdateAccount(ctx, olga))
	_, err = db.AccountSession(ctx, "t1")
	wantErr(t, err, callcenter.CodeNotFound, "token")
	_, err = db.AccountSession(ctx, "t2")
	must(t, err)

	must(t, db.CreateAccountSession(ctx, pw))
	olga.Disabled = true
	must(t, db.UpdateAccount(ctx, olga))
	_, err = db.AccountSession(ctx, "t1")
	wantErr(t, err, callcenter.CodeNotFound, "token")

	must(t, db.CreateAccountSession(ctx, pw))
	must(t, db.DeleteAccountSession(ctx, "t1"))
	must(t, db.DeleteAccountSession(ctx, "t1"))
	_, err = db.AccountSession(ctx, "t1")
	wantErr(t, err, callcenter.CodeNotFound, "token")

	must(t, db.CreateAccountSession(ctx, pw)) // ends at 1h
	n, err := db.DeleteExpiredSessions(ctx, at(2*time.Hour))
	must(t, err)
	if n != 1 {
		t.Fatalf("deleted %d sessions", n)
	}
	_, err = db.AccountSession(ctx, "t2")
	must(t, err)
}

func (st suite) AuditEntryKeepsHowTheActorSignedIn(t *testing.T) {
	db := st.openTest(t)
	ctx := t.Context()
	e := callcenter.AuditEntry{At: at(0), Actor: "olga", ActorRole: "supervisor", ActorSignIn: callcenter.SignInOIDC, Procedure: "/p/LiftBan"}
	id, err := db.AddAuditEntry(ctx, e)
	must(t, err)
	es, err := db.AuditEntries(ctx, callcenter.AuditQuery{})
	must(t, err)
	e.ID = id
	if len(es) != 1 {
		t.Fatalf("entries = %+v", es)
	}
	equal(t, "entry", es[0], e)
}

// PersonPhones: set, replaced, listed by person, removed, kept on reopen.
func (st suite) PersonPhones(t *testing.T) {
	ctx := t.Context()
	open := st.open(t)
	db, err := open(ctx)
	must(t, err)
	must(t, db.SetPersonPhone(ctx, callcenter.PersonPhone{Person: "olga", User: "olga.sup", HA1: "h1"}))
	must(t, db.SetPersonPhone(ctx, callcenter.PersonPhone{Person: "ivan@acme.com", User: "ivan", HA1: "h2"}))
	must(t, db.SetPersonPhone(ctx, callcenter.PersonPhone{Person: "olga", User: "olga.2", HA1: "h3"}))
	must(t, db.SetPersonPhone(ctx, callcenter.PersonPhone{Person: "ivan@acme.com"}))
	must(t, db.SetPersonPhone(ctx, callcenter.PersonPhone{Person: "boris", User: "boris", HA1: "h4"}))
	must(t, db.Close())
	db, err = open(ctx)
	must(t, err)
	t.Cleanup(func() { _ = db.Close() })
	got, err := db.PersonPhones(ctx)
	must(t, err)
	equal(t, "phones", got, []callcenter.PersonPhone{{Person: "boris", User: "boris", HA1: "h4"}, {Person: "olga", User: "olga.2", HA1: "h3"}})
}
