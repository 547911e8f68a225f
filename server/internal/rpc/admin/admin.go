// Package admin serves AdminService: operators, queues, personal managers (clients), absences,
// spare numbers, API keys and failed logins. The retention and caller-data RPCs (package retention), the
// audit log's listing (package audit) and people's accounts (package accounts) are served by their own
// rooms, embedded here.
package admin

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"connectrpc.com/connect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	"github.com/tandemcc/tandem/gen/go/tandem/admin/v1/adminv1connect"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// Store is what the Admin service reads of stored configuration, and the sessions it ends.
type Store interface {
	Operator(ctx context.Context, id cc.OperatorID) (cc.Operator, error)
	Operators(ctx context.Context) ([]cc.Operator, error)
	Queue(ctx context.Context, id cc.QueueID) (cc.Queue, error)
	Queues(ctx context.Context) ([]cc.Queue, error)
	DeleteOperatorSessions(ctx context.Context, id cc.OperatorID) error
}

// Switchboard is what configuration asks of the engine, which holds it in memory.
type Switchboard interface {
	TakeOver(ctx context.Context, id cc.OperatorID, keep string) error
	CreateQueue(ctx context.Context, q cc.Queue) error
	UpdateQueue(ctx context.Context, q cc.Queue) error
	CreateOperator(ctx context.Context, op cc.Operator) error
	UpdateOperator(ctx context.Context, id cc.OperatorID, u cc.OperatorUpdate) (cc.Operator, error)
	CreateSpare(ctx context.Context, sp cc.Spare) (cc.SpareStatus, error)
	UpdateSpare(ctx context.Context, sp cc.Spare) (cc.SpareStatus, error)
	Spares(ctx context.Context) ([]cc.Spare, []cc.SpareStatus, error)
	PreviewOverflow(ctx context.Context, q cc.QueueID, at time.Time) (cc.Decision, error)
	SetClient(ctx context.Context, number string, manager cc.OperatorID) (cc.Client, error)
	RemoveClient(ctx context.Context, number string) (cc.Client, error)
	ImportClients(ctx context.Context, lines []cc.ClientLine) (imported int, failed []cc.LineError, err error)
	Client(ctx context.Context, number string) (cc.Client, error)
	Clients(ctx context.Context, manager cc.OperatorID, orphans bool) ([]cc.Client, error)
	PutAbsence(ctx context.Context, a cc.Absence) error
	DeleteAbsence(ctx context.Context, id string) error
	Absences(ctx context.Context, id cc.OperatorID) ([]cc.Absence, error)
	PutMenu(ctx context.Context, m cc.Menu) (cc.Menu, error)
	DeleteMenu(ctx context.Context, id cc.MenuID) error
	Menus(ctx context.Context) ([]cc.Menu, error)
}

// Keys is where API keys are made, listed and revoked.
type Keys interface {
	CreateAPIKey(ctx context.Context, k cc.APIKey) error
	APIKeys(ctx context.Context, includeRevoked bool) ([]cc.APIKey, error)
	RevokeAPIKey(ctx context.Context, id string, at time.Time) (cc.APIKey, error)
	APIKey(ctx context.Context, id string) (cc.APIKey, error)
	SetAPIKeySoftphone(ctx context.Context, id, user, ha1 string) (cc.APIKey, error)
	PersonPhones(ctx context.Context) ([]cc.PersonPhone, error)
	SetPersonPhone(ctx context.Context, p cc.PersonPhone) error
}

// Streams ends the open streams of a caller (limits.Limiters): a revoked key's watchers.
type Streams interface {
	EndStreams(identity string, cause error)
}

// CallerData serves the retention and caller-data RPCs (retention.Handler).
type CallerData interface {
	GetRetention(context.Context, *connect.Request[adminv1.GetRetentionRequest]) (*connect.Response[adminv1.GetRetentionResponse], error)
	SetRetention(context.Context, *connect.Request[adminv1.SetRetentionRequest]) (*connect.Response[adminv1.SetRetentionResponse], error)
	ExportCallerData(context.Context, *connect.Request[adminv1.ExportCallerDataRequest]) (*connect.Response[adminv1.ExportCallerDataResponse], error)
	DeleteCallerData(context.Context, *connect.Request[adminv1.DeleteCallerDataRequest]) (*connect.Response[adminv1.DeleteCallerDataResponse], error)
}

// Accounts serves the people's RPCs: accounts, signing in and out (accounts.Handler).
type Accounts interface {
	CreateAccount(context.Context, *connect.Request[adminv1.CreateAccountRequest]) (*connect.Response[adminv1.CreateAccountResponse], error)
	ListAccounts(context.Context, *connect.Request[adminv1.ListAccountsRequest]) (*connect.Response[adminv1.ListAccountsResponse], error)
	UpdateAccount(context.Context, *connect.Request[adminv1.UpdateAccountRequest]) (*connect.Response[adminv1.UpdateAccountResponse], error)
	SetAccountPassword(context.Context, *connect.Request[adminv1.SetAccountPasswordRequest]) (*connect.Response[adminv1.SetAccountPasswordResponse], error)
	SignIn(context.Context, *connect.Request[adminv1.SignInRequest]) (*connect.Response[adminv1.SignInResponse], error)
	SignOut(context.Context, *connect.Request[adminv1.SignOutRequest]) (*connect.Response[adminv1.SignOutResponse], error)
	GetSignInOptions(context.Context, *connect.Request[adminv1.GetSignInOptionsRequest]) (*connect.Response[adminv1.GetSignInOptionsResponse], error)
}

// AuditLog lists the audit log (audit.Log).
type AuditLog interface {
	ListAuditEntries(context.Context, *connect.Request[adminv1.ListAuditEntriesRequest]) (*connect.Response[adminv1.ListAuditEntriesResponse], error)
}

// Config is what the Admin service works with.
type Config struct {
	Store        Store
	Switchboard  Switchboard
	Keys         Keys
	Streams      Streams
	Logins       Logins
	CallerData   CallerData
	AuditLog     AuditLog
	Accounts     Accounts
	Clock        clock.Clock
	PasswordCost int // bcrypt cost of operators' passwords
}

// Handler serves AdminService; the caller-data, audit-log and account RPCs are their rooms' own.
type Handler struct {
	CallerData
	AuditLog
	Accounts
	store        Store
	board        Switchboard
	keys         Keys
	streams      Streams
	logins       Logins
	clock        clock.Clock
	passwordCost int
}

var _ adminv1connect.AdminServiceHandler = (*Handler)(nil)

// New returns AdminService for cfg.
func New(cfg Config) *Handler {
	return &Handler{CallerData: cfg.CallerData, AuditLog: cfg.AuditLog, Accounts: cfg.Accounts, store: cfg.Store, board: cfg.Switchboard, keys: cfg.Keys,
		streams: cfg.Streams, logins: cfg.Logins, clock: cfg.Clock, passwordCost: cfg.PasswordCost}
}

// newID makes an id for something an admin creates: a prefix and 64 random bits.
func newID(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return prefix + "_" + hex.EncodeToString(b[:])
}
