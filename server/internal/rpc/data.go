package rpc

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"connectrpc.com/connect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// This file serves callers' personal data: how long call details are kept (and the purge that
// keeps to it), and the export and erasure of one caller's data.

// DataStore is what personal data needs of storage.
type DataStore interface {
	Setting(ctx context.Context, name string) (string, bool, error)
	SetSetting(ctx context.Context, name, value string) error
	PurgeCallDetails(ctx context.Context, before, now time.Time) (cc.PurgeResult, error)
	CallerCalls(ctx context.Context, number string) ([]cc.Call, error)
	EraseCaller(ctx context.Context, number string, now time.Time) (calls int, client bool, err error)
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)
}

const (
	settingRetentionDays = "retention_days"
	settingLastPurgeAt   = "retention_last_purge_at" // unix milliseconds
	settingLastPurged    = "retention_last_purged_calls"
	maxRetentionDays     = 3650
	// purgeEvery is how often the retention is applied.
	purgeEvery = time.Hour
)

// retention purges call details older than the configured number of days.
type retention struct {
	store DataStore
	clock clock.Clock
	log   *slog.Logger
	mu    sync.Mutex // one purge at a time
}

func (r *retention) setting(ctx context.Context, name string) (int64, error) {
	v, ok, err := r.store.Setting(ctx, name)
	if err != nil || !ok {
		return 0, err
	}
	return strconv.ParseInt(v, 10, 64)
}

func (r *retention) get(ctx context.Context) (*adminv1.GetRetentionResponse, error) {
	days, err := r.setting(ctx, settingRetentionDays)
	if err != nil {
		return nil, err
	}
	at, err := r.setting(ctx, settingLastPurgeAt)
	if err != nil {
		return nil, err
	}
	n, err := r.setting(ctx, settingLastPurged)
	if err != nil {
		return nil, err
	}
	out := &adminv1.GetRetentionResponse{CallDays: uint32(days), LastPurgedCalls: uint32(n)}
	if at > 0 {
		out.LastPurgeAt = ts(time.UnixMilli(at))
	}
	return out, nil
}

// purge applies the retention now and returns how many calls it anonymised.
func (r *retention) purge(ctx context.Context) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	days, err := r.setting(ctx, settingRetentionDays)
	if err != nil || days <= 0 {
		return 0, err
	}
	now := r.clock.Now()
	res, err := r.store.PurgeCallDetails(ctx, now.Add(-time.Duration(days)*24*time.Hour), now)
	if err != nil {
		return 0, err
	}
	if err := r.store.SetSetting(ctx, settingLastPurgeAt, strconv.FormatInt(now.UnixMilli(), 10)); err != nil {
		return 0, err
	}
	if err := r.store.SetSetting(ctx, settingLastPurged, strconv.Itoa(res.Calls)); err != nil {
		return 0, err
	}
	if res != (cc.PurgeResult{}) {
		r.log.InfoContext(ctx, "retention purge", "days", days, "calls", res.Calls, "decisions", res.Decisions, "cloud_requests", res.Requests)
	}
	return res.Calls, nil
}

// run purges at once and then every purgeEvery until closing is closed; it also deletes the
// sessions that have expired (their hashes are no use to anyone).
func (r *retention) run(closing <-chan struct{}) {
	for {
		if _, err := r.purge(context.Background()); err != nil {
			r.log.Error("retention purge failed", "err", err)
		}
		if _, err := r.store.DeleteExpiredSessions(context.Background(), r.clock.Now()); err != nil {
			r.log.Error("expired sessions not deleted", "err", err)
		}
		select {
		case <-closing:
			return
		case <-r.clock.After(purgeEvery):
		}
	}
}

func (h adminHandler) GetRetention(ctx context.Context, req *connect.Request[adminv1.GetRetentionRequest]) (*connect.Response[adminv1.GetRetentionResponse], error) {
	out, err := h.s.retention.get(ctx)
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(out), nil
}

func (h adminHandler) SetRetention(ctx context.Context, req *connect.Request[adminv1.SetRetentionRequest]) (*connect.Response[adminv1.SetRetentionResponse], error) {
	days := req.Msg.GetCallDays()
	if days > maxRetentionDays {
		return nil, toConnect(ctx, cc.Invalid("call_days", "at most %d (0 keeps call details)", maxRetentionDays))
	}
	if err := h.s.data.SetSetting(ctx, settingRetentionDays, strconv.Itoa(int(days))); err != nil {
		return nil, toConnect(ctx, err)
	}
	n, err := h.s.retention.purge(ctx)
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	return connect.NewResponse(&adminv1.SetRetentionResponse{CallDays: days, PurgedCalls: uint32(n)}), nil
}

func callerCallOut(c cc.Call) *adminv1.CallerCall {
	return &adminv1.CallerCall{
		CallId: string(c.ID), QueueId: string(c.Queue), State: callStates[c.State],
		ArrivedAt: ts(c.ArrivedAt), AnsweredAt: ts(c.AnsweredAt), EndedAt: ts(c.EndedAt),
		CallerNumber: c.CallerNumber, CallerName: c.CallerName, DialedNumber: c.DialedNumber,
		SipHeaders: c.SIPHeaders, CustomData: c.CustomData, OperatorId: string(c.Operator),
		TalkTimeMs: ms(c.TalkTime), HungUpBy: hangupParties[c.HungUpBy],
	}
}

func (h adminHandler) ExportCallerData(ctx context.Context, req *connect.Request[adminv1.ExportCallerDataRequest]) (*connect.Response[adminv1.ExportCallerDataResponse], error) {
	n, err := cc.CheckNumber("number", req.Msg.GetNumber())
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	out := &adminv1.ExportCallerDataResponse{Number: n}
	switch cl, err := h.s.board.Client(ctx, n); {
	case err == nil:
		out.Client = clientOut(cl)
	case cc.ErrorCode(err) != cc.CodeNotFound:
		return nil, toConnect(ctx, err)
	}
	calls, err := h.s.data.CallerCalls(ctx, n)
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	for _, c := range calls {
		out.Calls = append(out.Calls, callerCallOut(c))
	}
	return connect.NewResponse(out), nil
}

func (h adminHandler) DeleteCallerData(ctx context.Context, req *connect.Request[adminv1.DeleteCallerDataRequest]) (*connect.Response[adminv1.DeleteCallerDataResponse], error) {
	n, err := cc.CheckNumber("number", req.Msg.GetNumber())
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	calls, err := h.s.data.CallerCalls(ctx, n)
	if err != nil {
		return nil, toConnect(ctx, err)
	}
	for _, c := range calls {
		if c.State == cc.CallWaiting || c.State == cc.CallConnected {
			return nil, toConnect(ctx, cc.Errorf(cc.CodeFailedPrecondition, "%s has a call in progress (%s): erase his data once it ended", n, c.ID))
		}
	}
	// The engine holds client records in memory: it forgets him first, so routing does at once;
	// then the stored row and his calls' details are erased.
	if err := h.s.board.ForgetClient(ctx, n); err != nil {
		return nil, toConnect(ctx, err)
	}
	erased, client, err := h.s.data.EraseCaller(ctx, n, h.s.clock.Now())
	if err != nil {
		return nil, toConnect(ctx, fmt.Errorf("erase caller data: %w", err))
	}
	return connect.NewResponse(&adminv1.DeleteCallerDataResponse{Number: n, CallsErased: uint32(erased), ClientRemoved: client}), nil
}
