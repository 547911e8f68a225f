// Package storetest is the store conformance suite: one set of tests that every implementation
// of Tandem's store (SQLite, PostgreSQL) must pass, so the switchboard, the API and the
// analytics see the same behaviour whichever database holds the data.
//
// An implementation runs it from its own tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.OpenFunc {
//			path := filepath.Join(t.TempDir(), "tandem.db")
//			return func(ctx context.Context) (storetest.Store, error) { return sqlite.Open(ctx, path) }
//		})
//	}
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// Store is everything a store offers: what the switchboard, the API (sessions, API keys, audit
// log, retention) and the analytics use. The record types of the security half (APIKey,
// AuditEntry…) are callcenter's, as the rpc package names them.
type Store interface {
	// Configuration
	CreateOperator(ctx context.Context, o callcenter.Operator) error
	UpdateOperator(ctx context.Context, o callcenter.Operator) error
	Operator(ctx context.Context, id callcenter.OperatorID) (callcenter.Operator, error)
	OperatorByName(ctx context.Context, name string) (callcenter.Operator, error)
	Operators(ctx context.Context) ([]callcenter.Operator, error)
	CreateQueue(ctx context.Context, q callcenter.Queue) error
	UpdateQueue(ctx context.Context, q callcenter.Queue) error
	Queue(ctx context.Context, id callcenter.QueueID) (callcenter.Queue, error)
	Queues(ctx context.Context) ([]callcenter.Queue, error)
	CreateSession(ctx context.Context, s callcenter.Session) error
	Session(ctx context.Context, tokenHash string) (callcenter.Session, error)
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteOperatorSessions(ctx context.Context, id callcenter.OperatorID) error

	// Runtime
	Apply(ctx context.Context, c callcenter.Changes) error
	LoadRuntime(ctx context.Context) (callcenter.Runtime, error)
	CloudRequest(ctx context.Context, id string) (callcenter.CloudRequest, bool, error)
	Call(ctx context.Context, id callcenter.CallID) (callcenter.Call, []callcenter.Offer, error)
	Offer(ctx context.Context, id callcenter.OfferID) (callcenter.Offer, error)
	CallerHistory(ctx context.Context, number string, but callcenter.CallID, limit int) ([]callcenter.Call, error)
	DisplayNames(ctx context.Context, ids []callcenter.OperatorID) (map[callcenter.OperatorID]string, error)
	Decisions(ctx context.Context, id callcenter.CallID) ([]callcenter.Decision, error)

	// History
	DayArrivals(ctx context.Context, queue callcenter.QueueID, from, to time.Time) ([]callcenter.RecordedCall, error)
	Tallies(ctx context.Context, scope callcenter.TallyScope, id string, from, to time.Time) ([]callcenter.Tally, error)
	TallyTotals(ctx context.Context, scope callcenter.TallyScope, id string, from, to time.Time) ([]callcenter.Tally, error)
	CallEvents(ctx context.Context, call callcenter.CallID) ([]callcenter.CallEvent, error)

	// Drill-down
	SearchCalls(ctx context.Context, q callcenter.CallQuery) ([]callcenter.Call, error)
	Voicemails(ctx context.Context, q callcenter.VoicemailQuery) ([]callcenter.Voicemail, error)
	OperatorStates(ctx context.Context, op callcenter.OperatorID, from, to time.Time) ([]callcenter.StateSpan, error)
	OperatorEvents(ctx context.Context, op callcenter.OperatorID, from, to time.Time) ([]callcenter.CallEvent, error)
	DayScores(ctx context.Context, op callcenter.OperatorID, from, to time.Time) ([]callcenter.DayScore, error)

	// Security
	CreateAPIKey(ctx context.Context, k callcenter.APIKey) error
	APIKeyByHash(ctx context.Context, hash string) (callcenter.APIKey, error)
	APIKeys(ctx context.Context, includeRevoked bool) ([]callcenter.APIKey, error)
	RevokeAPIKey(ctx context.Context, id string, at time.Time) (callcenter.APIKey, error)
	APIKey(ctx context.Context, id string) (callcenter.APIKey, error)
	SetAPIKeySoftphone(ctx context.Context, id, user, ha1 string) (callcenter.APIKey, error)
	TouchAPIKey(ctx context.Context, id string, at time.Time) error
	AddAuditEntry(ctx context.Context, e callcenter.AuditEntry) (int64, error)
	AuditEntries(ctx context.Context, q callcenter.AuditQuery) ([]callcenter.AuditEntry, error)
	Setting(ctx context.Context, name string) (string, bool, error)
	SetSetting(ctx context.Context, name, value string) error
	PurgeCallDetails(ctx context.Context, before, now time.Time) (callcenter.PurgeResult, error)
	CallerCalls(ctx context.Context, number string) ([]callcenter.Call, error)
	EraseCaller(ctx context.Context, number string, now time.Time) (calls int, client bool, err error)
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)
	CreateAccount(ctx context.Context, a callcenter.Account) error
	Account(ctx context.Context, name string) (callcenter.Account, error)
	Accounts(ctx context.Context) ([]callcenter.Account, error)
	UpdateAccount(ctx context.Context, a callcenter.Account) error
	CreateAccountSession(ctx context.Context, s callcenter.AccountSession) error
	AccountSession(ctx context.Context, tokenHash string) (callcenter.AccountSession, error)
	DeleteAccountSession(ctx context.Context, tokenHash string) error

	// Alerts
	RaiseAlert(ctx context.Context, a callcenter.Alert) (int64, error)
	ClearAlert(ctx context.Context, id int64, at time.Time) error
	AcknowledgeAlert(ctx context.Context, id int64, by string, at time.Time) (callcenter.Alert, error)
	Alerts(ctx context.Context, q callcenter.AlertQuery) ([]callcenter.Alert, error)
	PersonPhones(ctx context.Context) ([]callcenter.PersonPhone, error)
	SetPersonPhone(ctx context.Context, p callcenter.PersonPhone) error
	UnsentAlertEvents(ctx context.Context, since time.Time, limit int) ([]callcenter.AlertEvent, error)
	AlertEventSent(ctx context.Context, e callcenter.AlertEvent, at time.Time) error

	Close() error
}

// OpenFunc opens one database: every call opens the same one (migrating it as Open does), so a
// test can close and reopen it.
type OpenFunc func(ctx context.Context) (Store, error)

// Factory makes a new, empty database for test t (removed when t ends) and returns how to
// open it.
type Factory func(t *testing.T) OpenFunc

type suite struct{ factory Factory }

// Run runs every conformance test against the stores factory makes, in parallel, each on a
// database of its own.
func Run(t *testing.T, factory Factory) {
	s := suite{factory}
	for _, c := range []struct {
		name string
		test func(*testing.T)
	}{
		{"OperatorRoundTrip", s.OperatorRoundTrip},
		{"OperatorsOrderedByName", s.OperatorsOrderedByName},
		{"UpdateOperatorReplacesEverything", s.UpdateOperatorReplacesEverything},
		{"OperatorErrors", s.OperatorErrors},
		{"QueueRoundTrip", s.QueueRoundTrip},
		{"QueueErrors", s.QueueErrors},
		{"QueueNumbersMove", s.QueueNumbersMove},
		{"OneDefaultQueue", s.OneDefaultQueue},
		{"Sessions", s.Sessions},
		{"ApplyWritesEverythingAndIsIdempotent", s.ApplyWritesEverythingAndIsIdempotent},
		{"ApplyUpdates", s.ApplyUpdates},
		{"ApplyIsAtomic", s.ApplyIsAtomic},
		{"ApplyEmptyWritesNothing", s.ApplyEmptyWritesNothing},
		{"ApplyPeopleCursorsAndNotes", s.ApplyPeopleCursorsAndNotes},
		{"ApplyKeepsTheLastVersionOfARow", s.ApplyKeepsTheLastVersionOfARow},
		{"LoadRuntimeFilters", s.LoadRuntimeFilters},
		{"LookupsOfUnknown", s.LookupsOfUnknown},
		{"CallerHistory", s.CallerHistory},
		{"CallerHistoryAndDisplayNames", s.CallerHistoryAndDisplayNames},
		{"ManyRowsAtOnce", s.ManyRowsAtOnce},
		{"ApplyStoresEveryField", s.ApplyStoresEveryField},
		{"ReopenKeepsData", s.ReopenKeepsData},
		{"ConcurrentReadsAndWrites", s.ConcurrentReadsAndWrites},
		{"TalliesAddUp", s.TalliesAddUp},
		{"TallyTotalsPerID", s.TallyTotalsPerID},
		{"CallEventsInOrder", s.CallEventsInOrder},
		{"DayArrivals", s.DayArrivals},
		{"SearchCalls", s.SearchCalls},
		{"Voicemails", s.Voicemails},
		{"OperatorDrillDown", s.OperatorDrillDown},
		{"APIKeys", s.APIKeys},
		{"APIKeySoftphone", s.APIKeySoftphone},
		{"AuditEntries", s.AuditEntries},
		{"Settings", s.Settings},
		{"PurgeKeepsFigures", s.PurgeKeepsFigures},
		{"EraseCaller", s.EraseCaller},
		{"EraseCallerFromTheAuditLog", s.EraseCallerFromTheAuditLog},
		{"DeleteExpiredSessions", s.DeleteExpiredSessions},
		{"Accounts", s.Accounts},
		{"AccountSessions", s.AccountSessions},
		{"AuditEntryKeepsHowTheActorSignedIn", s.AuditEntryKeepsHowTheActorSignedIn},
		{"Alerts", s.Alerts},
		{"AlertWebhookOutbox", s.AlertWebhookOutbox},
		{"PurgeOperatorHistory", s.PurgeOperatorHistory},
		{"PersonPhones", s.PersonPhones},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel() // each on a database of its own
			c.test(t)
		})
	}
}

// open makes a new database for t and returns how to open it.
func (st suite) open(t *testing.T) OpenFunc {
	t.Helper()
	return st.factory(t)
}

// openTest opens a new database for t, closed when t ends.
func (st suite) openTest(t *testing.T) Store {
	t.Helper()
	db, err := st.open(t)(t.Context())
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}
