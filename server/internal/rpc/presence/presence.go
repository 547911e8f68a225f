// Package presence serves OperatorPresence: operators log in and out, say they are ready or
// away, end their wrap-up, note the calls they handled, and watch their own status (the stream that makes them present for
// routing).
package presence

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/crypto/bcrypt"

	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/rpc/auth"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
	"github.com/tandemcc/tandem/server/internal/rpc/convert"
	"github.com/tandemcc/tandem/server/internal/rpc/limits"
	"github.com/tandemcc/tandem/server/internal/softphone"
)

// Store is what presence reads and the sessions it keeps.
type Store interface {
	Operator(ctx context.Context, id cc.OperatorID) (cc.Operator, error)
	APIKey(ctx context.Context, id string) (cc.APIKey, error)
	PersonPhones(ctx context.Context) ([]cc.PersonPhone, error)
	OperatorByName(ctx context.Context, name string) (cc.Operator, error)
	CallerHistory(ctx context.Context, number string, but cc.CallID, limit int) ([]cc.Call, error)
	CreateSession(ctx context.Context, s cc.Session) error
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteOperatorSessions(ctx context.Context, id cc.OperatorID) error
}

// Switchboard is what operators at work ask of the engine.
type Switchboard interface {
	Watch(ctx context.Context, id cc.OperatorID, presence bool, session string) (cc.OperatorWatch, error)
	TakeOver(ctx context.Context, id cc.OperatorID, keep string) error
	GoReady(ctx context.Context, id cc.OperatorID) (cc.OperatorView, error)
	GoAway(ctx context.Context, id cc.OperatorID, reason string) (cc.OperatorView, error)
	LogOut(ctx context.Context, id cc.OperatorID, bySupervisor bool) (cc.OperatorView, error)
	EndWrapUp(ctx context.Context, id cc.OperatorID, note string) (cc.OperatorView, error)
	SaveCallNote(ctx context.Context, by cc.OperatorID, n cc.CallNote) error
	SetDisposition(ctx context.Context, by cc.OperatorID, d cc.CallDisposition) (cc.Disposition, error)
}

// Logins throttles wrong passwords by (name, address) and by address (limits.Logins): Begin
// refuses a try while its pair or address is backed off (RESOURCE_EXHAUSTED); a try it lets
// through ends as Failed, Succeeded (which returns the wrong passwords given for the name since
// its last login) or Cancel.
type Logins interface {
	CheckPassword(ctx context.Context, key, password string, dummy []byte, disabled error, find func() (hash string, off bool, err error)) (limits.FailedLogins, error)
}

// Config is what OperatorPresence works with.
type Config struct {
	Store        Store
	Switchboard  Switchboard
	Logins       Logins
	Clock        clock.Clock
	SessionTTL   time.Duration
	PasswordCost int // bcrypt cost of the stand-in hash checked for unknown names
	// VoximplantApp is the application's domain, "app.account.voximplant.com": a browser
	// phone logs in as user@VoximplantApp. Empty: no browser phones.
	VoximplantApp string
	// VoxEmulator is the emulated Web SDK endpoint browser phones use instead of Voximplant
	// (the demo and tests); "": Voximplant's own.
	VoxEmulator string
	Closing     <-chan struct{} // closed when the server shuts down: streams end
}

// Handler serves OperatorPresence.
type Handler struct {
	store       Store
	board       Switchboard
	logins      Logins
	clock       clock.Clock
	sessionTTL  time.Duration
	dummyHash   []byte
	closing     <-chan struct{}
	beats       *beats
	voxApp      string
	voxEmulator string
}

// New returns OperatorPresence for cfg.
func New(cfg Config) (*Handler, error) {
	dummy, err := bcrypt.GenerateFromPassword([]byte("not a password"), cfg.PasswordCost)
	if err != nil {
		return nil, err
	}
	return &Handler{store: cfg.Store, board: cfg.Switchboard, logins: cfg.Logins, clock: cfg.Clock, sessionTTL: cfg.SessionTTL, dummyHash: dummy, closing: cfg.Closing, beats: newBeats(cfg.Clock), voxApp: cfg.VoximplantApp, voxEmulator: cfg.VoxEmulator}, nil
}

var (
	errDisabled  = errors.New("this operator is disabled")
	errTakenOver = errors.New("taken over: this operator logged in elsewhere")
	errLoggedOut = errors.New(cc.ReasonLoggedOutBySupervisor)
)

func (h *Handler) LogIn(ctx context.Context, req *connect.Request[presencev1.LogInRequest]) (*connect.Response[presencev1.LogInResponse], error) {
	m := req.Msg
	if err := convert.Required("name", m.GetName()); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	if err := convert.Required("password", m.GetPassword()); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	var op cc.Operator
	failed, err := h.logins.CheckPassword(ctx, m.GetName(), m.GetPassword(), h.dummyHash, errDisabled, func() (string, bool, error) {
		var err error
		op, err = h.store.OperatorByName(ctx, m.GetName())
		return op.PasswordHash, op.Disabled, err
	})
	if err != nil {
		return nil, err
	}
	// One session per operator: this login takes over from any other.
	if err := h.store.DeleteOperatorSessions(ctx, op.ID); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	token, hash := auth.NewToken()
	now := h.clock.Now()
	sess := cc.Session{TokenHash: hash, Operator: op.ID, CreatedAt: now, ExpiresAt: now.Add(h.sessionTTL)}
	if err := h.store.CreateSession(ctx, sess); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	if err := h.board.TakeOver(ctx, op.ID, hash); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &presencev1.LogInResponse{Token: token, OperatorId: string(op.ID), ExpiresAt: convert.Timestamp(sess.ExpiresAt)}
	if failed.Count > 0 {
		out.FailedLogins = &presencev1.FailedLogins{Count: uint32(failed.Count), LastAt: convert.Timestamp(failed.LastAt), LastAddress: failed.LastAddress}
	}
	return connect.NewResponse(out), nil
}

// LogOut takes an operator offline. An operator logs himself out and his session ends; a
// supervisor or admin names one (operator_id), whose sessions all end and whose offer out, if
// any, is withdrawn. Nobody is logged out while he talks.
func (h *Handler) LogOut(ctx context.Context, req *connect.Request[presencev1.LogOutRequest]) (*connect.Response[presencev1.LogOutResponse], error) {
	p, _ := auth.From(ctx)
	id, err := auth.Self(ctx, req.Msg.GetOperatorId())
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	supervisor := p.Role != auth.RoleOperator
	if supervisor {
		if _, err := h.store.Operator(ctx, id); err != nil {
			return nil, codes.ToConnect(ctx, err)
		}
	}
	v, err := h.board.LogOut(ctx, id, supervisor)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	if supervisor {
		err = h.store.DeleteOperatorSessions(ctx, id)
	} else {
		err = h.store.DeleteSession(ctx, p.Token)
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	if err := h.board.TakeOver(ctx, id, ""); err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	out := &presencev1.LogOutResponse{}
	if supervisor {
		out.Status = convert.StatusOut(v)
	}
	return connect.NewResponse(out), nil
}

func (h *Handler) GoReady(ctx context.Context, req *connect.Request[presencev1.GoReadyRequest]) (*connect.Response[presencev1.GoReadyResponse], error) {
	id, err := auth.Self(ctx, req.Msg.GetOperatorId())
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	v, err := h.board.GoReady(ctx, id)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&presencev1.GoReadyResponse{Status: convert.StatusOut(v)}), nil
}

func (h *Handler) GoAway(ctx context.Context, req *connect.Request[presencev1.GoAwayRequest]) (*connect.Response[presencev1.GoAwayResponse], error) {
	id, err := auth.Self(ctx, req.Msg.GetOperatorId())
	if err == nil {
		err = convert.Required("reason", req.Msg.GetReason())
	}
	if err == nil {
		err = convert.MaxLen("reason", req.Msg.GetReason(), 200)
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	v, err := h.board.GoAway(ctx, id, req.Msg.GetReason())
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&presencev1.GoAwayResponse{Status: convert.StatusOut(v)}), nil
}

func (h *Handler) EndWrapUp(ctx context.Context, req *connect.Request[presencev1.EndWrapUpRequest]) (*connect.Response[presencev1.EndWrapUpResponse], error) {
	id, err := auth.Self(ctx, req.Msg.GetOperatorId())
	if err == nil {
		err = convert.MaxLen("note", req.Msg.GetNote(), cc.MaxNoteBytes)
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	v, err := h.board.EndWrapUp(ctx, id, req.Msg.GetNote())
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&presencev1.EndWrapUpResponse{Status: convert.StatusOut(v)}), nil
}

// SaveCallNote keeps the operator's note on a call he answered; only he may write it.
func (h *Handler) SaveCallNote(ctx context.Context, req *connect.Request[presencev1.SaveCallNoteRequest]) (*connect.Response[presencev1.SaveCallNoteResponse], error) {
	p, _ := auth.From(ctx)
	m := req.Msg
	err := convert.Required("call_id", m.GetCallId())
	if err == nil {
		err = convert.MaxLen("note", m.GetNote(), cc.MaxNoteBytes)
	}
	if err == nil {
		err = h.board.SaveCallNote(ctx, p.Operator, cc.CallNote{Call: cc.CallID(m.GetCallId()), Note: m.GetNote()})
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&presencev1.SaveCallNoteResponse{CallId: m.GetCallId(), Note: m.GetNote()}), nil
}

// maxSoftphoneKeyLen bounds the one-time key to sign (Voximplant's are far shorter).
const maxSoftphoneKeyLen = 256

// SignSoftphoneKey signs the one-time key Voximplant gave the caller's browser phone with the
// digest of its Voximplant password (see package softphone); the digest itself never leaves.
func (h *Handler) SignSoftphoneKey(ctx context.Context, req *connect.Request[presencev1.SignSoftphoneKeyRequest]) (*connect.Response[presencev1.SignSoftphoneKeyResponse], error) {
	key := req.Msg.GetKey()
	err := convert.Required("key", key)
	if err == nil {
		err = convert.MaxLen("key", key, maxSoftphoneKeyLen)
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	phone, err := h.softphone(ctx)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&presencev1.SignSoftphoneKeyResponse{Hash: softphone.Sign(key, phone.ha1), Username: phone.username}), nil
}

// GetSoftphone says whether the caller has a browser phone, and its login.
func (h *Handler) GetSoftphone(ctx context.Context, _ *connect.Request[presencev1.GetSoftphoneRequest]) (*connect.Response[presencev1.GetSoftphoneResponse], error) {
	phone, err := h.softphone(ctx)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&presencev1.GetSoftphoneResponse{Username: phone.username, EmulatorUrl: h.voxEmulator}), nil
}

// browserPhone is a caller's Voximplant login and the digest that signs for it.
type browserPhone struct {
	username string // user@app.account.voximplant.com
	ha1      string
}

// softphone is the browser phone of the credential the request carries, or why it has none. The
// phone is the credential's own and nothing in the request names it: an operator's token has his
// contact's user, an API key the user SetApiKeySoftphone gave that very key, a signed-in person
// the one SetPersonSoftphone gave his name.
func (h *Handler) softphone(ctx context.Context) (browserPhone, error) {
	p, _ := auth.From(ctx)
	var user, ha1 string
	switch {
	case p.Role == auth.RoleOperator:
		op, err := h.store.Operator(ctx, p.Operator)
		if err != nil {
			return browserPhone{}, err
		}
		switch {
		case op.Contact.Kind != cc.ContactUser:
			return browserPhone{}, &cc.Error{Code: cc.CodeFailedPrecondition, Field: "contact", Message: "his contact is not a Voximplant user: he has no browser phone"}
		case op.SoftphoneHA1 == "":
			return browserPhone{}, &cc.Error{Code: cc.CodeFailedPrecondition, Field: "softphone_password", Message: "no Voximplant password is set for him (AdminService.UpdateOperator softphone_password)"}
		}
		user, ha1 = op.Contact.Target, op.SoftphoneHA1
	case p.Person():
		people, err := h.store.PersonPhones(ctx)
		if err != nil {
			return browserPhone{}, err
		}
		i := slices.IndexFunc(people, func(x cc.PersonPhone) bool { return x.Person == p.Name })
		if i < 0 {
			return browserPhone{}, &cc.Error{Code: cc.CodeFailedPrecondition, Field: "softphone_user", Message: p.Name + " has no browser phone (AdminService.SetPersonSoftphone)"}
		}
		user, ha1 = people[i].User, people[i].HA1
	case p.KeyID == "":
		return browserPhone{}, &cc.Error{Code: cc.CodeFailedPrecondition, Field: "softphone_user", Message: "the --admin-key has no browser phone: use an API key given one (AdminService.SetApiKeySoftphone)"}
	default:
		k, err := h.store.APIKey(ctx, p.KeyID)
		if err != nil {
			return browserPhone{}, err
		}
		if k.SoftphoneUser == "" || k.SoftphoneHA1 == "" {
			return browserPhone{}, &cc.Error{Code: cc.CodeFailedPrecondition, Field: "softphone_user", Message: "the API key " + k.Name + " has no browser phone (AdminService.SetApiKeySoftphone)"}
		}
		user, ha1 = k.SoftphoneUser, k.SoftphoneHA1
	}
	if h.voxApp == "" {
		return browserPhone{}, &cc.Error{Code: cc.CodeFailedPrecondition, Field: "voximplant_app", Message: "the server has no Voximplant application (tandem serve --voximplant-app)"}
	}
	return browserPhone{username: user + "@" + h.voxApp, ha1: ha1}, nil
}

// SetDisposition sets the disposition of a call: its operator's, or any supervisor's.
func (h *Handler) SetDisposition(ctx context.Context, req *connect.Request[presencev1.SetDispositionRequest]) (*connect.Response[presencev1.SetDispositionResponse], error) {
	p, _ := auth.From(ctx)
	m := req.Msg
	d := cc.CallDisposition{Call: cc.CallID(m.GetCallId()), Code: m.GetCode(), By: string(p.Operator)}
	if p.Role != auth.RoleOperator {
		d.By, d.Supervisor = p.Name, true
	}
	err := convert.Required("call_id", m.GetCallId())
	if err == nil {
		err = convert.Required("code", m.GetCode())
	}
	if err == nil {
		err = convert.MaxLen("code", m.GetCode(), 63)
	}
	var kept cc.Disposition
	if err == nil {
		by := p.Operator
		if d.Supervisor {
			by = ""
		}
		kept, err = h.board.SetDisposition(ctx, by, d)
	}
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	return connect.NewResponse(&presencev1.SetDispositionResponse{CallId: m.GetCallId(), Disposition: convert.DispositionOut(kept)}), nil
}

// WatchOperator streams an operator's status: a snapshot, then every change, with keepalives.
// An operator watching himself is present for routing while the stream is open.
//
// Thousands of these wait at once, each on its own goroutine's stack under net/http's and
// Connect's frames: the waiting loop keeps a small frame (the work between waits is in
// functions of their own) so that the stack, which the runtime halves only while less than a
// quarter of it is in use, shrinks to 8 KiB.
func (h *Handler) WatchOperator(ctx context.Context, req *connect.Request[presencev1.WatchOperatorRequest], stream *connect.ServerStream[presencev1.WatchOperatorResponse]) error {
	ws, err := h.openWatch(ctx, req.Msg.GetOperatorId(), stream)
	if err != nil {
		return err
	}
	defer ws.close()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-h.closing:
			return codes.ShuttingDown()
		case <-ws.w.Ended():
			return ws.ended()
		case <-ws.w.Changed():
			if err := ws.changed(ctx); err != nil {
				return err
			}
		case <-h.beats.next(ws.slot):
			if err := ws.keepalive(); err != nil {
				return err
			}
		}
	}
}

// watchStream is one WatchOperator stream.
type watchStream struct {
	h       *Handler
	w       cc.OperatorWatch
	history callerHistory
	stream  *connect.ServerStream[presencev1.WatchOperatorResponse]
	slot    int // its keepalives' (beats)
}

// openWatch starts watching the operator and sends the snapshot.
//
//go:noinline
func (h *Handler) openWatch(ctx context.Context, operator string, stream *connect.ServerStream[presencev1.WatchOperatorResponse]) (*watchStream, error) {
	id, err := auth.Self(ctx, operator)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	p, _ := auth.From(ctx)
	w, err := h.board.Watch(ctx, id, p.Role == auth.RoleOperator, p.Token)
	if err != nil {
		return nil, codes.ToConnect(ctx, err)
	}
	// Only the operator himself hears the voicemail of the callback he makes (auth.Self: an
	// operator watches nobody else); a supervisor watching him sees it is one.
	ws := &watchStream{h: h, w: w, history: callerHistory{store: h.store, himself: p.Role == auth.RoleOperator}, stream: stream, slot: h.beats.join()}
	if err := stream.Send(&presencev1.WatchOperatorResponse{Event: &presencev1.WatchOperatorResponse_Snapshot{Snapshot: ws.history.status(ctx, w.View())}}); err != nil {
		ws.close()
		return nil, err
	}
	return ws, nil
}

//go:noinline
func (ws *watchStream) close() {
	ws.w.Stop()
	ws.h.beats.leave()
}

//go:noinline
func (ws *watchStream) changed(ctx context.Context) error {
	return ws.stream.Send(&presencev1.WatchOperatorResponse{Event: &presencev1.WatchOperatorResponse_Changed{Changed: ws.history.status(ctx, ws.w.View())}})
}

//go:noinline
func (ws *watchStream) keepalive() error {
	return ws.stream.Send(&presencev1.WatchOperatorResponse{Event: &presencev1.WatchOperatorResponse_Keepalive{Keepalive: &presencev1.Keepalive{At: convert.Timestamp(ws.h.clock.Now())}}})
}

//go:noinline
func (ws *watchStream) ended() error {
	if v := ws.w.View().Status; v.State == cc.OperatorOffline && v.Reason == cc.ReasonLoggedOutBySupervisor {
		return connect.NewError(connect.CodeUnauthenticated, errLoggedOut) // his app asks him to log in again
	}
	return connect.NewError(connect.CodeAborted, errTakenOver)
}

// exitKind is the exit that ended c, if one did.
func exitKind(c cc.Call) string {
	if c.Exit.Ended() {
		return string(c.Exit.Kind)
	}
	return ""
}

// callerHistory adds the caller's last calls to the status of an operator with an offer,
// reading the store once per offered call, and, when the operator watches himself, the
// voicemail of the callback he is offered or makes.
type callerHistory struct {
	store   Store
	himself bool
	call    cc.CallID
	calls   []*presencev1.PastCall
}

func (h *callerHistory) status(ctx context.Context, v cc.OperatorView) *presencev1.OperatorStatus {
	st := convert.StatusOut(v)
	if h.himself {
		convert.HearVoicemail(st, v)
	}
	if v.Offer == nil {
		return st
	}
	if c := v.Offer.Call; c.ID != h.call && c.CallerNumber != "" {
		h.call, h.calls = c.ID, nil
		past, err := h.store.CallerHistory(ctx, c.CallerNumber, c.ID, 5)
		if err != nil {
			slog.WarnContext(ctx, "caller history", "call_id", c.ID, "err", err)
		}
		names := h.names(ctx, past)
		for _, p := range past {
			h.calls = append(h.calls, &presencev1.PastCall{CallId: string(p.ID), ArrivedAt: convert.Timestamp(p.ArrivedAt), QueueId: string(p.Queue), State: convert.CallStates[p.State], OperatorName: names[p.Operator], TalkTimeMs: convert.Millis(p.TalkTime), ExitKind: exitKind(p)})
		}
	}
	st.Offer.RecentCalls = h.calls
	return st
}

// displayNamer is a store that reads several operators' display names at once.
type displayNamer interface {
	DisplayNames(ctx context.Context, ids []cc.OperatorID) (map[cc.OperatorID]string, error)
}

// names returns the display names of the operators of past calls: in one read when the store
// can, else one operator at a time.
func (h *callerHistory) names(ctx context.Context, past []cc.Call) map[cc.OperatorID]string {
	var ids []cc.OperatorID
	for _, p := range past {
		if p.Operator != "" && !slices.Contains(ids, p.Operator) {
			ids = append(ids, p.Operator)
		}
	}
	if dn, ok := h.store.(displayNamer); ok {
		names, err := dn.DisplayNames(ctx, ids)
		if err != nil {
			slog.WarnContext(ctx, "caller history: operator names", "err", err)
		}
		return names
	}
	names := map[cc.OperatorID]string{}
	for _, id := range ids {
		if op, err := h.store.Operator(ctx, id); err == nil {
			names[id] = op.DisplayName
		}
	}
	return names
}
