package rpc

import (
	"context"
	"time"

	"github.com/tandemcc/tandem/server/internal/analytics"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// Switchboard is the one door into the routing engine (*switchboard.Switchboard): one named
// command or read per thing the API does, each one step of the engine's serial loop whose
// changes are stored before it returns.
type Switchboard interface {
	// The cloud's requests: a request id seen before gets its first reply again.
	RegisterCall(ctx context.Context, requestID string, in cc.Intake) (cc.Reply, error)
	ReportEvent(ctx context.Context, requestID string, id cc.CallID, ev cc.CloudEvent) (cc.Reply, error)

	// Operators at work.
	Watch(ctx context.Context, id cc.OperatorID, presence bool, session string) (cc.OperatorWatch, error)
	TakeOver(ctx context.Context, id cc.OperatorID, keep string) error
	GoReady(ctx context.Context, id cc.OperatorID) (cc.OperatorView, error)
	GoAway(ctx context.Context, id cc.OperatorID, reason string) (cc.OperatorView, error)
	LogOut(ctx context.Context, id cc.OperatorID) (cc.OperatorView, error)
	EndWrapUp(ctx context.Context, id cc.OperatorID, note string) (cc.OperatorView, error)
	LiftBan(ctx context.Context, id cc.OperatorID) (cc.OperatorView, error)
	OperatorView(ctx context.Context, id cc.OperatorID) (cc.OperatorView, error)

	// Calls in progress.
	Calls(ctx context.Context, q cc.QueueID) ([]cc.WaitingCall, error)
	WithdrawOffer(ctx context.Context, id cc.OfferID, reason string) (cc.Call, error)
	Requeue(ctx context.Context, id cc.CallID, to cc.QueueID) (cc.Call, error)

	// Configuration.
	CreateQueue(ctx context.Context, q cc.Queue) error
	UpdateQueue(ctx context.Context, q cc.Queue) error
	CreateOperator(ctx context.Context, op cc.Operator) error
	UpdateOperator(ctx context.Context, id cc.OperatorID, u cc.OperatorUpdate) (cc.Operator, error)
	CreateSpare(ctx context.Context, sp cc.Spare) (cc.SpareStatus, error)
	UpdateSpare(ctx context.Context, sp cc.Spare) (cc.SpareStatus, error)
	Spare(ctx context.Context, id cc.SpareID) (cc.Spare, cc.SpareStatus, error)
	Spares(ctx context.Context) ([]cc.Spare, []cc.SpareStatus, error)
	PreviewOverflow(ctx context.Context, q cc.QueueID, at time.Time) (cc.Decision, error)

	// Personal managers and absences.
	SetClient(ctx context.Context, number string, manager cc.OperatorID) (cc.Client, error)
	RemoveClient(ctx context.Context, number string) (cc.Client, error)
	ImportClients(ctx context.Context, lines []cc.ClientLine) (imported int, failed []cc.LineError, err error)
	ForgetClient(ctx context.Context, number string) error
	Client(ctx context.Context, number string) (cc.Client, error)
	Clients(ctx context.Context, manager cc.OperatorID, orphans bool) ([]cc.Client, error)
	PutAbsence(ctx context.Context, a cc.Absence) error
	DeleteAbsence(ctx context.Context, id string) error
	Absences(ctx context.Context, id cc.OperatorID) ([]cc.Absence, error)

	// The live floor, for the wallboards.
	Floor(ctx context.Context) (analytics.Floor, error)
	WatchFloor() (changed <-chan struct{}, stop func())
}

// Replayer runs a queue's recorded day again with another number of operators
// (simulate.Replay).
type Replayer func(ctx context.Context, day cc.Replay) (cc.ReplayResult, error)
