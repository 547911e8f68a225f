// Package retention keeps callers' personal data to its time: how long call details are kept
// (and the hourly purge that keeps to it, which also drops expired sessions), and the export
// and erasure of one caller's data.
package retention

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"connectrpc.com/connect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
)

const (
	settingRetentionDays = "retention_days"
	settingLastPurgeAt   = "retention_last_purge_at" // unix milliseconds
	settingLastPurged    = "retention_last_purged_calls"
	maxRetentionDays     = 3650
	// purgeEvery is how often the retention is applied.
	purgeEvery = time.Hour
)

// Store is what personal data needs of storage.
type Store interface {
	Setting(ctx context.Context, name string) (string, bool, error)
	SetSetting(ctx context.Context, name, value string) error
	PurgeCallDetails(ctx context.Context, before, now time.Time) (cc.PurgeResult, error)
	CallerCalls(ctx context.Context, number string) ([]cc.Call, error)
	EraseCaller(ctx context.Context, number string, now time.Time) (calls int, client bool, err error)
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)
}

// Switchboard is what erasing a caller asks of the engine, which holds client records in memory.
type Switchboard interface {
	Client(ctx context.Context, number string) (cc.Client, error)
	ForgetClient(ctx context.Context, number string) error
}

// Handler purges call details older than the configured number of days, and serves the
// retention and caller-data RPCs of AdminService.
type Handler struct {
	store Store
	board Switchboard
	clock clock.Clock
	log   *slog.Logger
	mu    sync.Mutex // one purge at a time
}

// New returns the retention of store.
func New(store Store, board Switchboard, c clock.Clock, log *slog.Logger) *Handler {
	return &Handler{store: store, board: board, clock: c, log: log}
}

func (h *Handler) setting(ctx context.Context, name string) (int64, error) {
	v, ok, err := h.store.Setting(ctx, name)
	if err != nil || !ok {
		return 0, err
	}
	return strconv.ParseInt(v, 10, 64)
}

// Current is the retention setting and the last purge, as GetRetention answers.
func (h *Handler) Current(ctx context.Context) (*adminv1.GetRetentionResponse, error) {
	days, err := h.setting(ctx, settingRetentionDays)
	if err != nil {
		return nil, err
	}
	at, err := h.setting(ctx, settingLastPurgeAt)
	if err != nil {
		return nil, err
	}
	n, err := h.setting(ctx, settingLastPurged)
	if err != nil {
		return nil, err
	}
	out := &adminv1.GetRetentionResponse{CallDays: uint32(days), LastPurgedCalls: uint32(n)}
	if at > 0 {
		out.LastPurgeAt = convert.Timestamp(time.UnixMilli(at))
	}
	return out, nil
}

// purge applies the retention now and returns how many calls it anonymised.
func (h *Handler) purge(ctx context.Context) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	days, err := h.setting(ctx, settingRetentionDays)
	if err != nil || days <= 0 {
		return 0, err
	}
	now := h.clock.Now()
	res, err := h.store.PurgeCallDetails(ctx, now.Add(-time.Duration(days)*24*time.Hour), now)
	if err != nil {
		return 0, err
	}
	if err := h.store.SetSetting(ctx, settingLastPurgeAt, strconv.FormatInt(now.UnixMilli(), 10)); err != nil {
		return 0, err
	}
	if err := h.store.SetSetting(ctx, settingLastPurged, strconv.Itoa(res.Calls)); err != nil {
		return 0, err
	}
	if res != (cc.PurgeResult{}) {
		h.log.InfoContext(ctx, "retention purge", "days", days, "calls", res.Calls, "decisions", res.Decisions, "cloud_requests", res.Requests, "operator_history", res.OperatorHistory)
	}
	return res.Calls, nil
}

// Run purges at once and then every purgeEvery until closing is closed; it also deletes the
// sessions that have expired (their hashes are no use to anyone).
func (h *Handler) Run(closing <-chan struct{}) {
	for {
		if _, err := h.purge(context.Background()); err != nil {
			h.log.Error("retention purge failed", "err", err)
		}
		if _, err := h.store.DeleteExpiredSessions(context.Background(), h.clock.Now()); err != nil {
			h.log.Error("expired sessions not deleted", "err", err)
		}
		select {
		case <-closing:
			return
		case <-h.clock.After(purgeEvery):
		}
	}
}

func (h *Handler) GetRetention(ctx context.Context, req *connect.Request[adminv1.GetRetentionRequest]) (*connect.Response[adminv1.GetRetentionResponse], error) {
	out, err := h.Current(ctx)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(out), nil
}

func (h *Handler) SetRetention(ctx context.Context, req *connect.Request[adminv1.SetRetentionRequest]) (*connect.Response[adminv1.SetRetentionResponse], error) {
	days := req.Msg.GetCallDays()
	if days > maxRetentionDays {
		return nil, codes.ToConnect(ctx, cc.Invalid("call_days", "at most %d (0 keeps call details)", maxRetentionDays))
	}
	if err := h.store.SetSetting(ctx, settingRetentionDays, strconv.Itoa(int(days))); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	n, err := h.purge(ctx)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.SetRetentionResponse{CallDays: days, PurgedCalls: uint32(n)}), nil
}
