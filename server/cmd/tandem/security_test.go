package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"

	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// apiFiles are the services of the API, walked by the matrix test.
var apiFiles = []protoreflect.FileDescriptor{
	adminv1.File_tandem_admin_v1_admin_proto,
	analyticsv1.File_tandem_analytics_v1_analytics_proto,
	assignmentv1.File_tandem_assignment_v1_assignment_proto,
	callintakev1.File_tandem_callintake_v1_callintake_proto,
	presencev1.File_tandem_operatorpresence_v1_operatorpresence_proto,
}

// mayCall is the README's "Who may call what", written out on its own so the test checks the
// server against the documentation, not against its own table.
func mayCall(role string, m protoreflect.MethodDescriptor) bool {
	service, method := string(m.Parent().(protoreflect.ServiceDescriptor).Name()), string(m.Name())
	readers := role == "supervisor" || role == "readonly" || role == "admin"
	supervisors := role == "supervisor" || role == "admin"
	switch service {
	case "CallIntakeService":
		return role == "cloud"
	case "OperatorPresenceService":
		switch method {
		case "LogIn":
			return true
		case "SaveCallNote":
			return role == "operator"
		case "SignSoftphoneKey", "GetSoftphone": // the caller's own browser phone
			return supervisors || role == "operator"
		case "WatchOperator":
			return readers || role == "operator"
		}
		return supervisors || role == "operator"
	case "AssignmentService":
		if method == "ListCalls" || method == "GetCall" || method == "ExplainCall" {
			return readers
		}
		switch method {
		case "DeclineOffer", "HoldCall", "ResumeCall", "AddToCall", "TransferCall", "CompleteTransfer", "CancelTransfer", "ListTransferTargets":
			return role == "operator"
		}
		if method == "RemoveFromCall" {
			return supervisors || role == "operator"
		}
		return supervisors
	case "AnalyticsService":
		if method == "AcknowledgeAlert" || method == "ListVoicemails" { // ListVoicemails gives recordings
			return supervisors
		}
		return readers || (method == "GetOperatorStats" && role == "operator")
	case "AdminService":
		if method == "ListApiKeys" || method == "ListAuditEntries" || method == "ExportCallerData" {
			return role == "admin"
		}
		if method == "ListLoginFailures" || method == "UnlockLogin" || method == "SignOut" {
			return supervisors
		}
		if method == "SignIn" || method == "GetSignInOptions" {
			return true
		}
		if method == "ListAccounts" || method == "ListPersonSoftphones" {
			return role == "admin"
		}
		if strings.HasPrefix(method, "Get") || strings.HasPrefix(method, "List") || method == "PreviewOverflow" || method == "WhoAmI" {
			return readers
		}
		return role == "admin"
	}
	return false
}

// httpClientFor is the Go client's HTTP client for a protocol and a caller's credentials,
// with a timeout.
func httpClientFor(p tandem.Protocol, creds []tandem.Option) *http.Client {
	return tandem.HTTPClient(append([]tandem.Option{tandem.WithProtocol(p), tandem.WithHTTPClient(&http.Client{Timeout: 10 * time.Second})}, creds...)...)
}

// callEmpty calls a procedure with an empty request, as the given caller, over a protocol, and
// returns its error (nil also when a stream delivered its first message).
func callEmpty(url string, p tandem.Protocol, creds []tandem.Option, m protoreflect.MethodDescriptor) error {
	opts := []connect.ClientOption{connect.WithSchema(m), connect.WithResponseInitializer(func(spec connect.Spec, msg any) error {
		*msg.(*dynamicpb.Message) = *dynamicpb.NewMessage(spec.Schema.(protoreflect.MethodDescriptor).Output())
		return nil
	})}
	switch p {
	case tandem.GRPC:
		opts = append(opts, connect.WithGRPC())
	case tandem.ConnectJSON:
		opts = append(opts, connect.WithProtoJSON())
	}
	procedure := "/" + string(m.Parent().FullName()) + "/" + string(m.Name())
	client := connect.NewClient[dynamicpb.Message, dynamicpb.Message](httpClientFor(p, creds), url+procedure, opts...)
	req := connect.NewRequest(dynamicpb.NewMessage(m.Input()))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if m.IsStreamingServer() {
		stream, err := client.CallServerStream(ctx, req)
		if err != nil {
			return err
		}
		defer stream.Close()
		if stream.Receive() {
			return nil
		}
		return stream.Err()
	}
	_, err := client.CallUnary(ctx, req)
	return err
}

// restPaths are the JSON shim's paths for CallIntake.
var restPaths = map[protoreflect.Name]string{"RegisterCall": "/v1/calls", "ReportCallEvent": "/v1/calls/call_x/events"}

// postJSON posts {} to a REST path as the given caller and returns the HTTP status.
func postJSON(t *testing.T, url string, creds []tandem.Option, path string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+path, strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	res, err := httpClientFor(tandem.Connect, creds).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}

func newKey(t *testing.T, admin *tandem.Client, name string, role adminv1.KeyRole) string {
	t.Helper()
	res, err := admin.Admin.CreateApiKey(context.Background(), connect.NewRequest(&adminv1.CreateApiKeyRequest{Name: name, Role: role}))
	if err != nil {
		t.Fatal(err)
	}
	return res.Msg.GetSecret()
}

// TestEveryRoleCallsEveryRPC calls every RPC of the API as every kind of caller, over Connect
// (binary and JSON), gRPC and, for CallIntake, the REST/JSON shim: what the README's table
// allows is not refused for want of credentials or permission; the rest is refused with
// unauthenticated (no or the wrong kind of credentials) or permission_denied.
func TestEveryRoleCallsEveryRPC(t *testing.T) {
	t.Parallel() // a long one: it runs beside the other long ones, after the rest
	clk := clock.NewFake(time.Now())
	srv := startServer(t, filepath.Join(t.TempDir(), "tandem.db"), clk)
	url := srv.m.URL
	admin := tandem.New(url, tandem.WithToken(testAdminKey))
	setup(t, admin)
	keys := map[string]string{
		"supervisor": newKey(t, admin, "floor", adminv1.KeyRole_KEY_ROLE_SUPERVISOR),
		"readonly":   newKey(t, admin, "wallboard", adminv1.KeyRole_KEY_ROLE_READONLY),
		"admin":      newKey(t, admin, "ops", adminv1.KeyRole_KEY_ROLE_ADMIN),
	}
	for name, role := range map[string]adminv1.KeyRole{"olga": adminv1.KeyRole_KEY_ROLE_SUPERVISOR, "ivan": adminv1.KeyRole_KEY_ROLE_ADMIN} {
		if _, err := admin.Admin.CreateAccount(context.Background(), connect.NewRequest(&adminv1.CreateAccountRequest{Name: name, Role: role, Password: "password-" + name})); err != nil {
			t.Fatal(err)
		}
	}
	// A signed-in person may what a key of his role may: "supervisor-account" is checked
	// against the supervisor's row, "admin-account" against the admin's.
	roles := []string{"anonymous", "operator", "supervisor", "readonly", "admin", "admin-key", "cloud", "supervisor-account", "admin-account"}
	var methods []protoreflect.MethodDescriptor
	for _, f := range apiFiles {
		for i := range f.Services().Len() {
			svc := f.Services().Get(i)
			for j := range svc.Methods().Len() {
				methods = append(methods, svc.Methods().Get(j))
			}
		}
	}
	// LogOut ends an operator's session and SignOut a person's: each is called last, after the
	// other (which the caller may not call, and which must find him still signed in).
	slices.SortStableFunc(methods, func(a, b protoreflect.MethodDescriptor) int {
		return boolInt(a.Name() == "LogOut" || a.Name() == "SignOut") - boolInt(b.Name() == "LogOut" || b.Name() == "SignOut")
	})
	n := len(methods)
	if methods[n-2].Name() == "LogOut" {
		methods[n-2], methods[n-1] = methods[n-1], methods[n-2]
	}
	personOrder := slices.Clone(methods)
	personOrder[n-2], personOrder[n-1] = methods[n-1], methods[n-2]
	calls := 0
	for _, p := range []tandem.Protocol{tandem.Connect, tandem.ConnectJSON, tandem.GRPC} {
		for _, role := range roles {
			clk.Advance(10 * time.Second) // every caller's request bucket full again
			creds := []tandem.Option{tandem.WithSigningClock(clk.Now)}
			switch role {
			case "operator":
				res, err := tandem.New(url).Presence.LogIn(context.Background(), connect.NewRequest(&presencev1.LogInRequest{Name: "anna", Password: "password-anna"}))
				if err != nil {
					t.Fatal(err)
				}
				creds = append(creds, tandem.WithToken(res.Msg.GetToken()))
			case "admin-key":
				creds = append(creds, tandem.WithToken(testAdminKey))
			case "supervisor-account", "admin-account":
				name := map[string]string{"supervisor-account": "olga", "admin-account": "ivan"}[role]
				res, err := tandem.New(url).Admin.SignIn(context.Background(), connect.NewRequest(&adminv1.SignInRequest{Name: name, Password: "password-" + name}))
				if err != nil {
					t.Fatal(err)
				}
				creds = append(creds, tandem.WithToken(res.Msg.GetToken()))
			case "cloud":
				creds = append(creds, tandem.WithCloudSecret(testSecret))
			case "anonymous":
			default:
				creds = append(creds, tandem.WithToken(keys[role]))
			}
			docRole := strings.TrimSuffix(role, "-account")
			if role == "admin-key" {
				docRole = "admin"
			}
			order := methods // …, SignOut, LogOut
			if strings.HasSuffix(role, "-account") {
				order = personOrder // …, LogOut, SignOut
			}
			for _, m := range order {
				err := callEmpty(url, p, creds, m)
				code := connect.CodeOf(err)
				calls++
				what := fmt.Sprintf("%s %s as %s: %v", p, m.FullName(), role, err)
				if mayCall(docRole, m) {
					if err != nil && (code == connect.CodeUnauthenticated || code == connect.CodePermissionDenied || code == connect.CodeResourceExhausted || code == connect.CodeUnknown) {
						t.Errorf("allowed, refused: %s", what)
					}
					continue
				}
				want := connect.CodePermissionDenied
				if role == "anonymous" || role == "cloud" || m.Parent().Name() == "CallIntakeService" {
					want = connect.CodeUnauthenticated // no credentials of the kind the path takes
				}
				if code != want {
					t.Errorf("not allowed, want %v: %s", want, what)
				}
			}
			if p != tandem.Connect {
				continue
			}
			for name, path := range restPaths {
				status := postJSON(t, url, creds, path)
				calls++
				if role == "cloud" && status != http.StatusBadRequest {
					t.Errorf("REST %s as cloud: HTTP %d, want 400 (an empty request)", name, status)
				}
				if role != "cloud" && status != http.StatusUnauthorized {
					t.Errorf("REST %s as %s: HTTP %d, want 401", name, role, status)
				}
			}
		}
	}
	t.Logf("%d calls", calls)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestOperatorActsOnlyAsHimself names another operator in every operator RPC, over Connect and
// JSON: each is permission_denied on operator_id and the other operator is untouched; calls and
// configuration are out of his reach whatever ids he sends.
func TestOperatorActsOnlyAsHimself(t *testing.T) {
	clk := clock.NewFake(time.Now())
	srv := startServer(t, filepath.Join(t.TempDir(), "tandem.db"), clk)
	url := srv.m.URL
	admin := tandem.New(url, tandem.WithToken(testAdminKey))
	setup(t, admin)
	ctx := context.Background()
	boris := logIn(t, url, tandem.Connect, "boris")
	boris.ready()
	cloud := newCloud(t, url, tandem.Connect, false, clk)
	sess := newSession(t)
	reg, err := cloud.register(intake(sess.srv.URL, "/bola"))
	if err != nil {
		t.Fatal(err)
	}
	offer := sess.next("/bola")

	for _, p := range []tandem.Protocol{tandem.Connect, tandem.ConnectJSON} {
		anna := logIn(t, url, p, "anna")
		c := anna.client
		denied := func(what string, err error) {
			t.Helper()
			if code, field := fieldOf(t, err); code != connect.CodePermissionDenied || field != "operator_id" {
				t.Errorf("%s %s: %v %q", p, what, code, field)
			}
		}
		_, err := c.Presence.GoReady(ctx, connect.NewRequest(&presencev1.GoReadyRequest{OperatorId: boris.id}))
		denied("GoReady", err)
		_, err = c.Presence.GoAway(ctx, connect.NewRequest(&presencev1.GoAwayRequest{OperatorId: boris.id, Reason: "lunch"}))
		denied("GoAway", err)
		_, err = c.Presence.EndWrapUp(ctx, connect.NewRequest(&presencev1.EndWrapUpRequest{OperatorId: boris.id}))
		denied("EndWrapUp", err)
		_, err = c.Analytics.GetOperatorStats(ctx, connect.NewRequest(&analyticsv1.GetOperatorStatsRequest{OperatorId: boris.id}))
		denied("GetOperatorStats", err)
		stream, err := c.Presence.WatchOperator(ctx, connect.NewRequest(&presencev1.WatchOperatorRequest{OperatorId: boris.id}))
		if err == nil {
			stream.Receive()
			err = stream.Err()
		}
		denied("WatchOperator", err)

		// His own figures are his, also when he names himself; the figures of all are not.
		res, err := c.Analytics.GetOperatorStats(ctx, connect.NewRequest(&analyticsv1.GetOperatorStatsRequest{}))
		if err != nil || len(res.Msg.GetOperators()) != 1 || res.Msg.GetOperators()[0].GetOperatorId() != anna.id {
			t.Errorf("%s anna's own stats: %v %v", p, res, err)
		}
		if _, err := c.Analytics.GetOperatorStats(ctx, connect.NewRequest(&analyticsv1.GetOperatorStatsRequest{OperatorId: anna.id})); err != nil {
			t.Errorf("%s anna names herself: %v", p, err)
		}
		// Boris's call and offer are not hers to see, touch or note.
		if code, field := fieldOf(t, second(c.Presence.SaveCallNote(ctx, connect.NewRequest(&presencev1.SaveCallNoteRequest{CallId: reg.GetCallId(), Note: "mine"})))); code != connect.CodePermissionDenied || field != "call_id" {
			t.Errorf("%s anna notes boris's call: %v %q", p, code, field)
		}
		for what, err := range map[string]error{
			"GetCall":       second(c.Assignment.GetCall(ctx, connect.NewRequest(&assignmentv1.GetCallRequest{CallId: reg.GetCallId()}))),
			"WithdrawOffer": second(c.Assignment.WithdrawOffer(ctx, connect.NewRequest(&assignmentv1.WithdrawOfferRequest{OfferId: offer.GetOfferId()}))),
			"LiftBan":       second(c.Assignment.LiftBan(ctx, connect.NewRequest(&assignmentv1.LiftBanRequest{OperatorId: boris.id}))),
			"UpdateOperator": second(c.Admin.UpdateOperator(ctx, connect.NewRequest(&adminv1.UpdateOperatorRequest{OperatorId: anna.id,
				Queues: []*adminv1.QueueSkill{{QueueId: "support", Level: 5}}}))),
			"GetOperator": second(c.Admin.GetOperator(ctx, connect.NewRequest(&adminv1.GetOperatorRequest{OperatorId: anna.id}))),
		} {
			if connect.CodeOf(err) != connect.CodePermissionDenied {
				t.Errorf("%s anna %s: %v", p, what, err)
			}
		}
		anna.cancel()
	}
	// Boris still has his offer, and nothing about him changed.
	got, err := admin.Assignment.GetCall(ctx, connect.NewRequest(&assignmentv1.GetCallRequest{CallId: reg.GetCallId()}))
	if err != nil {
		t.Fatal(err)
	}
	if offers := got.Msg.GetCall().GetOffers(); len(offers) != 1 || offers[0].GetOperatorId() != boris.id || offers[0].GetState().String() != "OFFER_STATE_PENDING" {
		t.Fatalf("boris's offer = %v", offers)
	}
	op, err := admin.Admin.GetOperator(ctx, connect.NewRequest(&adminv1.GetOperatorRequest{OperatorId: boris.id}))
	if err != nil || op.Msg.GetOperator().GetQueues()[0].GetLevel() != 3 {
		t.Fatalf("boris = %v %v", op, err)
	}
}

func second[T any](_ T, err error) error { return err }

// TestSessionsEnd checks that logging out, a new password, dismissal and time each end a
// session: the token is refused and the open stream ends.
func TestSessionsEnd(t *testing.T) {
	clk := clock.NewFake(time.Now())
	srv := startServer(t, filepath.Join(t.TempDir(), "tandem.db"), clk)
	url := srv.m.URL
	admin := tandem.New(url, tandem.WithToken(testAdminKey))
	setup(t, admin)
	ctx := context.Background()
	ended := func(what string, app *operatorApp) {
		t.Helper()
		timeout := time.After(5 * time.Second)
		for {
			select {
			case _, ok := <-app.seen:
				if !ok {
					if _, err := app.client.Presence.GoReady(ctx, connect.NewRequest(&presencev1.GoReadyRequest{})); connect.CodeOf(err) != connect.CodeUnauthenticated {
						t.Errorf("%s: the token still works: %v", what, err)
					}
					return
				}
			case <-timeout:
				t.Fatalf("%s: the stream is still open", what)
			}
		}
	}
	anna := logIn(t, url, tandem.Connect, "anna")
	if _, err := anna.client.Presence.LogOut(ctx, connect.NewRequest(&presencev1.LogOutRequest{})); err != nil {
		t.Fatal(err)
	}
	ended("log out", anna)

	anna = logIn(t, url, tandem.Connect, "anna")
	newPassword := "a-new-password"
	if _, err := admin.Admin.UpdateOperator(ctx, connect.NewRequest(&adminv1.UpdateOperatorRequest{OperatorId: anna.id, Password: &newPassword})); err != nil {
		t.Fatal(err)
	}
	ended("new password", anna)
	if _, err := tandem.New(url).Presence.LogIn(ctx, connect.NewRequest(&presencev1.LogInRequest{Name: "anna", Password: "password-anna"})); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Errorf("the old password: %v", err)
	}

	boris := logIn(t, url, tandem.Connect, "boris")
	disabled := true
	if _, err := admin.Admin.UpdateOperator(ctx, connect.NewRequest(&adminv1.UpdateOperatorRequest{OperatorId: boris.id, Disabled: &disabled})); err != nil {
		t.Fatal(err)
	}
	ended("dismissal", boris)

	// A session lasts 12 hours.
	res, err := tandem.New(url).Presence.LogIn(ctx, connect.NewRequest(&presencev1.LogInRequest{Name: "anna", Password: newPassword}))
	if err != nil {
		t.Fatal(err)
	}
	token := tandem.New(url, tandem.WithToken(res.Msg.GetToken()))
	stream, err := token.Presence.WatchOperator(ctx, connect.NewRequest(&presencev1.WatchOperatorRequest{}))
	if err != nil || !stream.Receive() {
		t.Fatalf("watch: %v", err)
	}
	clk.Advance(12 * time.Hour)
	for stream.Receive() {
	}
	if connect.CodeOf(stream.Err()) != connect.CodeUnauthenticated {
		t.Errorf("stream at the end of the session: %v", stream.Err())
	}
	if _, err := token.Presence.GoReady(ctx, connect.NewRequest(&presencev1.GoReadyRequest{})); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Errorf("an expired token: %v", err)
	}
}

// signedPost posts body to a REST path signed with secret under webhook-id id at time at.
func signedPost(t *testing.T, url, path, secret, id string, at time.Time, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	tandem.Sign(req.Header, secret, id, at, body)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

// TestCloudRequestsThatMustNotCount sends the cloud's intake signed with the new and the old
// secret during a rotation, then replayed, reused, stale, truncated, oversized and malformed
// requests: each gets a clear error (or, for a retry, the first answer) and nothing changes.
func TestCloudRequestsThatMustNotCount(t *testing.T) {
	t.Parallel() // a long one: it runs beside the other long ones, after the rest
	clk := clock.NewFake(time.Now())
	m := NewMain()
	m.Addr, m.DBPath = "127.0.0.1:0", filepath.Join(t.TempDir(), "tandem.db")
	m.CloudSecrets, m.AdminKey = []string{"new-secret", testSecret}, testAdminKey
	m.Clock, m.Logger = clk, quietLogger(t)
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	url := m.URL
	admin := tandem.New(url, tandem.WithToken(testAdminKey))
	setup(t, admin)
	sess := newSession(t)
	body := func(requestID string) []byte {
		return []byte(`{"request_id":"` + requestID + `","access_url":"` + sess.url("/"+requestID) + `","caller_number":"+15557654321","dialed_number":"` + supportLine + `"}`)
	}

	// Rotation: the new secret and the old one both sign; another does not.
	for _, secret := range []string{"new-secret", testSecret} {
		if status, out := signedPost(t, url, "/v1/calls", secret, "wh-"+secret, clk.Now(), body("r-"+secret)); status != http.StatusOK {
			t.Fatalf("signed with %s: HTTP %d %s", secret, status, out)
		}
	}
	waiting := len(waitingCalls(t, admin))
	if waiting != 2 {
		t.Fatalf("%d calls waiting", waiting)
	}

	// A retry (same webhook-id, same body) gets the first answer, even minutes later.
	_, first := signedPost(t, url, "/v1/calls", testSecret, "wh-retry", clk.Now(), body("r-retry"))
	clk.Advance(2 * time.Minute)
	if status, again := signedPost(t, url, "/v1/calls", testSecret, "wh-retry", clk.Now(), body("r-retry")); status != http.StatusOK || again != first {
		t.Fatalf("retry: HTTP %d %s, first %s", status, again, first)
	}
	waiting++

	big := append(body("r-big")[:len(body("r-big"))-1], []byte(`,"custom_data":"`+strings.Repeat("x", 1<<20)+`"}`)...)
	full := body("r-cut")
	for _, tc := range []struct {
		name   string
		secret string
		id     string
		at     time.Time
		body   []byte
		sign   []byte // what the signature covers, when not the body
		status int
	}{
		{"the same webhook-id for another body", testSecret, "wh-retry", clk.Now(), body("r-other"), nil, http.StatusUnauthorized},
		{"another secret", "guessed", "wh-guess", clk.Now(), body("r-guess"), nil, http.StatusUnauthorized},
		{"stale", testSecret, "wh-stale", clk.Now().Add(-6 * time.Minute), body("r-stale"), nil, http.StatusUnauthorized},
		{"from the future", testSecret, "wh-future", clk.Now().Add(6 * time.Minute), body("r-future"), nil, http.StatusUnauthorized},
		{"truncated", testSecret, "wh-cut", clk.Now(), full[:len(full)/2], full, http.StatusUnauthorized},
		{"oversized", testSecret, "wh-big", clk.Now(), big, nil, http.StatusRequestEntityTooLarge},
		{"malformed JSON", testSecret, "wh-bad", clk.Now(), []byte(`{"request_id":`), nil, http.StatusBadRequest},
		{"wrong types", testSecret, "wh-types", clk.Now(), []byte(`{"request_id":1,"priority":"high"}`), nil, http.StatusBadRequest},
		{"unknown field", testSecret, "wh-field", clk.Now(), []byte(`{"request_id":"r-f","drop_table":"calls"}`), nil, http.StatusBadRequest},
	} {
		signed := tc.sign
		if signed == nil {
			signed = tc.body
		}
		req, _ := http.NewRequest(http.MethodPost, url+"/v1/calls", bytes.NewReader(tc.body))
		req.Header.Set("Content-Type", "application/json")
		tandem.Sign(req.Header, tc.secret, tc.id, tc.at, signed)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		out, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status || !strings.Contains(string(out), `"message"`) {
			t.Errorf("%s: HTTP %d %s, want %d with a message", tc.name, res.StatusCode, out, tc.status)
		}
	}
	// The signature does not cover the path: the same webhook-id and body elsewhere is refused.
	if status, out := signedPost(t, url, "/v1/calls/call_x/events", testSecret, "wh-retry", clk.Now(), body("r-retry")); status != http.StatusUnauthorized {
		t.Errorf("a signed request sent to another path: HTTP %d %s", status, out)
	}
	// A oneof set twice is a bad request (the transcoder alone would call it internal).
	if status, out := signedPost(t, url, "/v1/calls/call_x/events", testSecret, "wh-oneof", clk.Now(),
		[]byte(`{"request_id":"r-oneof","dial_failed":{"code":486},"caller_abandoned":{}}`)); status != http.StatusBadRequest {
		t.Errorf("two events in one: HTTP %d %s", status, out)
	}
	if n := len(waitingCalls(t, admin)); n != waiting {
		t.Fatalf("%d calls waiting after the bad requests, want %d", n, waiting)
	}
}

func quietLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(testWriter{t}, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// TestAPIKeysAndTheAuditLog makes a supervisor key and a read-only key with the bootstrap admin
// key, uses them, revokes one, and reads who changed what in the audit log.
func TestAPIKeysAndTheAuditLog(t *testing.T) {
	clk := clock.NewFake(time.Now())
	srv := startServer(t, filepath.Join(t.TempDir(), "tandem.db"), clk)
	url := srv.m.URL
	admin := tandem.New(url, tandem.WithToken(testAdminKey))
	setup(t, admin)
	ctx := context.Background()
	anna := logIn(t, url, tandem.Connect, "anna")
	anna.ready()

	res, err := admin.Admin.CreateApiKey(ctx, connect.NewRequest(&adminv1.CreateApiKeyRequest{Name: "floor", Role: adminv1.KeyRole_KEY_ROLE_SUPERVISOR}))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Msg.GetSecret(), "tdk_") || res.Msg.GetApiKey().GetCreatedBy() != "admin-key" {
		t.Fatalf("key = %v", res.Msg)
	}
	floorID := res.Msg.GetApiKey().GetKeyId()
	sup := tandem.New(url, tandem.WithToken(res.Msg.GetSecret()))
	if _, err := admin.Admin.CreateApiKey(ctx, connect.NewRequest(&adminv1.CreateApiKeyRequest{Name: "floor", Role: adminv1.KeyRole_KEY_ROLE_READONLY})); connect.CodeOf(err) != connect.CodeAlreadyExists {
		t.Fatalf("a second key named floor: %v", err)
	}
	ro := tandem.New(url, tandem.WithToken(newKey(t, admin, "wallboard", adminv1.KeyRole_KEY_ROLE_READONLY)))

	// The supervisor runs the floor but does not configure it.
	if _, err := sup.Presence.GoAway(ctx, connect.NewRequest(&presencev1.GoAwayRequest{OperatorId: anna.id, Reason: "coaching"})); err != nil {
		t.Fatal(err)
	}
	anna.await(commonv1.OperatorState_OPERATOR_STATE_AWAY)
	if _, err := sup.Admin.CreateQueue(ctx, connect.NewRequest(&adminv1.CreateQueueRequest{Queue: &adminv1.Queue{QueueId: "sales"}})); connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Fatalf("supervisor creates a queue: %v", err)
	}
	if _, err := sup.Admin.CreateApiKey(ctx, connect.NewRequest(&adminv1.CreateApiKeyRequest{Name: "mine", Role: adminv1.KeyRole_KEY_ROLE_ADMIN})); connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Fatalf("supervisor makes himself an admin key: %v", err)
	}
	// The read-only key reads.
	if _, err := ro.Assignment.ListCalls(ctx, connect.NewRequest(&assignmentv1.ListCallsRequest{})); err != nil {
		t.Fatal(err)
	}
	if _, err := ro.Presence.GoReady(ctx, connect.NewRequest(&presencev1.GoReadyRequest{OperatorId: anna.id})); connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Fatalf("read-only key readies anna: %v", err)
	}
	// The admin changes a password and a queue.
	password := "changed-password"
	if _, err := admin.Admin.UpdateOperator(ctx, connect.NewRequest(&adminv1.UpdateOperatorRequest{OperatorId: anna.id, Password: &password})); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Admin.UpdateQueue(ctx, connect.NewRequest(&adminv1.UpdateQueueRequest{Queue: &adminv1.Queue{
		QueueId: "support", Name: "Support", DialedNumbers: []string{supportLine}, OfferTimeoutS: 30, WrapUpS: 10, IsDefault: true}})); err != nil {
		t.Fatal(err)
	}

	keys, err := admin.Admin.ListApiKeys(ctx, connect.NewRequest(&adminv1.ListApiKeysRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys.Msg.GetApiKeys() {
		if k.GetLastUsedAt() == nil {
			t.Errorf("key %s: no last use", k.GetName())
		}
	}
	if _, err := admin.Admin.RevokeApiKey(ctx, connect.NewRequest(&adminv1.RevokeApiKeyRequest{KeyId: floorID})); err != nil {
		t.Fatal(err)
	}
	if _, err := sup.Assignment.ListCalls(ctx, connect.NewRequest(&assignmentv1.ListCallsRequest{})); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("revoked key: %v", err)
	}

	log, err := admin.Admin.ListAuditEntries(ctx, connect.NewRequest(&adminv1.ListAuditEntriesRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	byMethod := map[string]*adminv1.AuditEntry{}
	for _, e := range log.Msg.GetEntries() {
		method := e.GetProcedure()[strings.LastIndex(e.GetProcedure(), "/")+1:]
		got = append(got, e.GetActor()+" "+method)
		if byMethod[method] == nil {
			byMethod[method] = e
		}
	}
	// Newest first; setup's changes at the end; refused calls and reads are not there.
	want := []string{"admin-key RevokeApiKey", "admin-key UpdateQueue", "admin-key UpdateOperator", "floor GoAway",
		"admin-key CreateApiKey", "admin-key CreateApiKey", "admin-key CreateOperator", "admin-key CreateOperator", "admin-key CreateQueue"}
	if !slices.Equal(got, want) {
		t.Fatalf("audit log:\n got %q\nwant %q", got, want)
	}
	if e := byMethod["GoAway"]; e.GetActorRole() != "supervisor" || !strings.Contains(e.GetBeforeJson(), "OPERATOR_STATE_READY") || !strings.Contains(e.GetAfterJson(), "OPERATOR_STATE_AWAY") {
		t.Errorf("GoAway entry = %v", e)
	}
	if e := byMethod["UpdateQueue"]; !strings.Contains(e.GetBeforeJson(), `"offerTimeoutS":20`) || !strings.Contains(e.GetAfterJson(), `"offerTimeoutS":30`) {
		t.Errorf("UpdateQueue entry = %v", e)
	}
	if e := byMethod["UpdateOperator"]; strings.Contains(e.GetRequestJson(), password) || !strings.Contains(e.GetRequestJson(), "[redacted]") {
		t.Errorf("UpdateOperator entry = %v", e)
	}
	if e := byMethod["CreateApiKey"]; !strings.Contains(e.GetAfterJson(), `"secret":"[redacted]"`) || strings.Contains(e.GetAfterJson(), "tdk_") {
		t.Errorf("CreateApiKey entry = %v", e)
	}
	if e := byMethod["RevokeApiKey"]; e.GetBeforeJson() == "" || !strings.Contains(e.GetAfterJson(), "revokedAt") {
		t.Errorf("RevokeApiKey entry = %v", e)
	}
	page, err := admin.Admin.ListAuditEntries(ctx, connect.NewRequest(&adminv1.ListAuditEntriesRequest{Actor: "admin-key", Procedure: "CreateOperator", Limit: 1}))
	if err != nil || len(page.Msg.GetEntries()) != 1 || page.Msg.GetNextBeforeId() == 0 {
		t.Fatalf("one CreateOperator: %v %v", page, err)
	}
	next, err := admin.Admin.ListAuditEntries(ctx, connect.NewRequest(&adminv1.ListAuditEntriesRequest{Procedure: "CreateOperator", BeforeId: page.Msg.GetNextBeforeId()}))
	if err != nil || len(next.Msg.GetEntries()) != 1 || next.Msg.GetNextBeforeId() != 0 {
		t.Fatalf("the next page: %v %v", next, err)
	}
}

// TestRetentionAndCallerData exports one caller's data, refuses to erase it while he is on a
// call, erases it after, and purges old call details while the figures stay as they were.
func TestRetentionAndCallerData(t *testing.T) {
	clk := clock.NewFake(time.Now())
	srv := startServer(t, filepath.Join(t.TempDir(), "tandem.db"), clk)
	url := srv.m.URL
	admin := tandem.New(url, tandem.WithToken(testAdminKey))
	setup(t, admin)
	ctx := context.Background()
	cloud := newCloud(t, url, tandem.Connect, false, clk)
	sess := newSession(t)
	start := clk.Now()
	anna := logIn(t, url, tandem.Connect, "anna")
	const jane, john = "+15557654321", "+15550009999"

	// Jane calls twice (one abandoned, one answered), John once; Jane has a manager.
	callFrom := func(number, path string) string {
		req := intake(sess.srv.URL, path)
		req.CallerNumber, req.DisplayName, req.CustomData = number, "Caller "+number, `{"crm":"`+number+`"}`
		reg, err := cloud.register(req)
		if err != nil {
			t.Fatal(err)
		}
		return reg.GetCallId()
	}
	report := func(call, offer string, ev *callintakev1.ReportCallEventRequest) {
		ev.RequestId, ev.CallId, ev.OfferId = tandem.NewRequestID(), call, offer
		if _, err := cloud.report(ev); err != nil {
			t.Fatal(err)
		}
	}
	abandoned := callFrom(jane, "/j1")
	report(abandoned, "", &callintakev1.ReportCallEventRequest{Event: &callintakev1.ReportCallEventRequest_CallerAbandoned{CallerAbandoned: &callintakev1.CallerAbandoned{}}})
	callFrom(john, "/o1")
	if _, err := admin.Admin.SetClient(ctx, connect.NewRequest(&adminv1.SetClientRequest{Number: "+1 (555) 765-4321", ManagerId: anna.id})); err != nil {
		t.Fatal(err)
	}
	anna.ready()
	dial := sess.next("/o1") // John's call goes to anna first: it waited longer
	report(dial.GetCallId(), dial.GetOfferId(), &callintakev1.ReportCallEventRequest{Event: &callintakev1.ReportCallEventRequest_OperatorAnswered{OperatorAnswered: &callintakev1.OperatorAnswered{RingTimeMs: 1000}}})
	report(dial.GetCallId(), dial.GetOfferId(), &callintakev1.ReportCallEventRequest{Event: &callintakev1.ReportCallEventRequest_CallEnded{CallEnded: &callintakev1.CallEnded{HungUpBy: commonv1.HangupParty_HANGUP_PARTY_CALLER, TalkTimeMs: 5000}}})
	live := callFrom(jane, "/j2")

	export, err := admin.Admin.ExportCallerData(ctx, connect.NewRequest(&adminv1.ExportCallerDataRequest{Number: "001 555 765 4321"}))
	if err != nil {
		t.Fatal(err)
	}
	if e := export.Msg; e.GetNumber() != jane || e.GetClient().GetManagerId() != anna.id || len(e.GetCalls()) != 2 || e.GetCalls()[0].GetCallId() != abandoned ||
		e.GetCalls()[0].GetCallerName() != "Caller "+jane || e.GetCalls()[1].GetCallId() != live {
		t.Fatalf("export = %v", e)
	}
	if _, err := admin.Admin.DeleteCallerData(ctx, connect.NewRequest(&adminv1.DeleteCallerDataRequest{Number: jane})); connect.CodeOf(err) != connect.CodeFailedPrecondition {
		t.Fatalf("erase during a call: %v", err)
	}
	if _, err := admin.Admin.DeleteCallerData(ctx, connect.NewRequest(&adminv1.DeleteCallerDataRequest{Number: "anonymous"})); connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Fatalf("erase a number that is none: %v", err)
	}
	report(live, "", &callintakev1.ReportCallEventRequest{Event: &callintakev1.ReportCallEventRequest_CallerAbandoned{CallerAbandoned: &callintakev1.CallerAbandoned{}}})
	erased, err := admin.Admin.DeleteCallerData(ctx, connect.NewRequest(&adminv1.DeleteCallerDataRequest{Number: jane}))
	if err != nil {
		t.Fatal(err)
	}
	if e := erased.Msg; e.GetCallsErased() != 2 || !e.GetClientRemoved() {
		t.Fatalf("erase = %v", e)
	}
	if again, err := admin.Admin.ExportCallerData(ctx, connect.NewRequest(&adminv1.ExportCallerDataRequest{Number: jane})); err != nil || len(again.Msg.GetCalls()) != 0 || again.Msg.GetClient().GetManagerId() != "" {
		t.Fatalf("export after erasure = %v %v", again, err)
	}
	if _, err := admin.Admin.GetClient(ctx, connect.NewRequest(&adminv1.GetClientRequest{Number: jane})); connect.CodeOf(err) != connect.CodeNotFound {
		t.Fatalf("the engine still knows the erased caller: %v", err)
	}
	call, err := admin.Assignment.GetCall(ctx, connect.NewRequest(&assignmentv1.GetCallRequest{CallId: abandoned}))
	if err != nil || call.Msg.GetCall().GetCallerNumber() != "" || call.Msg.GetCall().GetState() != commonv1.CallState_CALL_STATE_ABANDONED {
		t.Fatalf("erased call = %v %v", call, err)
	}
	audit, err := admin.Admin.ListAuditEntries(ctx, connect.NewRequest(&adminv1.ListAuditEntriesRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range audit.Msg.GetEntries() {
		if strings.Contains(e.GetRequestJson()+e.GetBeforeJson()+e.GetAfterJson(), "5557654321") {
			t.Errorf("the audit log keeps jane's number: %v", e)
		}
	}

	// Retention: two days on, a retention of one day purges John's call; the figures stay.
	stats := func() *analyticsv1.QueueStats {
		res, err := admin.Analytics.GetQueueStats(ctx, connect.NewRequest(&analyticsv1.GetQueueStatsRequest{QueueId: "support",
			Range: &analyticsv1.TimeRange{From: timestamppb.New(start.Add(-time.Hour)), To: timestamppb.New(start.Add(time.Hour))}}))
		if err != nil {
			t.Fatal(err)
		}
		return res.Msg.GetQueues()[0]
	}
	before := stats()
	if before.GetCallsReceived() != 3 || before.GetCallsAnswered() != 1 || before.GetCallsAbandoned() != 2 {
		t.Fatalf("figures = %v", before)
	}
	clk.Advance(48 * time.Hour)
	set, err := admin.Admin.SetRetention(ctx, connect.NewRequest(&adminv1.SetRetentionRequest{CallDays: 1}))
	if err != nil || set.Msg.GetPurgedCalls() != 1 {
		t.Fatalf("set retention = %v %v", set, err)
	}
	// The operator's wrap-up ended meanwhile: it adds to the queue's wrap-up time, not the purge.
	after := stats()
	for _, f := range []*analyticsv1.Figures{after.GetFigures(), before.GetFigures()} {
		f.WrapUpTimeMs, f.AhtMs = 0, nil
	}
	if !proto.Equal(after, before) {
		t.Fatalf("figures after the purge = %v, before %v", after, before)
	}
	johns, err := admin.Admin.ExportCallerData(ctx, connect.NewRequest(&adminv1.ExportCallerDataRequest{Number: john}))
	if err != nil || len(johns.Msg.GetCalls()) != 0 {
		t.Fatalf("john after the purge = %v %v", johns, err)
	}
	got, err := admin.Admin.GetRetention(ctx, connect.NewRequest(&adminv1.GetRetentionRequest{}))
	// (The hourly purge may have run since: it found nothing more to purge.)
	if err != nil || got.Msg.GetCallDays() != 1 || !got.Msg.GetLastPurgeAt().AsTime().Equal(clk.Now().Truncate(time.Millisecond)) {
		t.Fatalf("retention = %v %v", got, err)
	}
	if _, err := admin.Admin.SetRetention(ctx, connect.NewRequest(&adminv1.SetRetentionRequest{CallDays: 5000})); connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Fatalf("retention of 5000 days: %v", err)
	}
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestSecretsAreNotLogged runs logins, keys, a password change and forged cloud requests with
// the most verbose log, and finds no secret, password or token in it.
func TestSecretsAreNotLogged(t *testing.T) {
	clk := clock.NewFake(time.Now())
	var logs syncBuffer
	m := NewMain()
	m.Addr, m.DBPath = "127.0.0.1:0", filepath.Join(t.TempDir(), "tandem.db")
	m.CloudSecrets, m.AdminKey = []string{testSecret}, testAdminKey
	m.Clock, m.PasswordCost = clk, 4
	m.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	url := m.URL
	ctx := context.Background()
	admin := tandem.New(url, tandem.WithToken(testAdminKey))
	setup(t, admin)
	anon := tandem.New(url)
	_, _ = anon.Presence.LogIn(ctx, connect.NewRequest(&presencev1.LogInRequest{Name: "anna", Password: "wrong-password-1"}))
	res, err := anon.Presence.LogIn(ctx, connect.NewRequest(&presencev1.LogInRequest{Name: "anna", Password: "password-anna"}))
	if err != nil {
		t.Fatal(err)
	}
	token := res.Msg.GetToken()
	anna := tandem.New(url, tandem.WithToken(token))
	_, _ = anna.Admin.ListQueues(ctx, connect.NewRequest(&adminv1.ListQueuesRequest{}))
	key := newKey(t, admin, "tool", adminv1.KeyRole_KEY_ROLE_READONLY)
	_, _ = tandem.New(url, tandem.WithToken(key)).Admin.CreateQueue(ctx, connect.NewRequest(&adminv1.CreateQueueRequest{}))
	password := "brand-new-password"
	if _, err := admin.Admin.UpdateOperator(ctx, connect.NewRequest(&adminv1.UpdateOperatorRequest{OperatorId: res.Msg.GetOperatorId(), Password: &password})); err != nil {
		t.Fatal(err)
	}
	_, _ = anna.Presence.GoReady(ctx, connect.NewRequest(&presencev1.GoReadyRequest{}))
	signedPost(t, url, "/v1/calls", "forged-secret", "wh-1", clk.Now(), []byte(`{"request_id":"r"}`))
	signedPost(t, url, "/v1/calls", testSecret, "wh-2", clk.Now(), []byte(`{"request_id":"r"}`))
	_, _ = tandem.New(url, tandem.WithToken("tdk_not-a-key")).Admin.ListQueues(ctx, connect.NewRequest(&adminv1.ListQueuesRequest{}))

	out := logs.String()
	if !strings.Contains(out, "rpc failed") {
		t.Fatalf("nothing logged? %s", out)
	}
	for _, secret := range []string{testSecret, testAdminKey, "wrong-password-1", "password-anna", password, token, key, "forged-secret", "tdk_not-a-key"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns their files and a pool
// that trusts it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tandem test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, pool
}

// TestServeTLSWithSecretsFromFiles starts tandem as `tandem serve --tls-cert --tls-key
// --cloud-secret-file --admin-key-file` would, and speaks HTTP/2 over TLS to it: Connect,
// gRPC and the cloud's REST path.
func TestServeTLSWithSecretsFromFiles(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	dir := t.TempDir()
	secrets, adminKey := filepath.Join(dir, "cloud-secret"), filepath.Join(dir, "admin-key")
	if err := os.WriteFile(secrets, []byte("new-secret\n"+testSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(adminKey, []byte(testAdminKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m := NewMain()
	err := m.ParseFlags("serve", []string{"--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "tandem.db"), "--tls-cert", certFile, "--tls-key", keyFile,
		"--cloud-secret-file", secrets, "--admin-key-file", adminKey, "--rate-limit", "operator=5/50,cloud=100/200",
		"--allowed-origins", "https://crm.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.CloudSecrets, []string{"new-secret", testSecret}) || m.AdminKey != testAdminKey {
		t.Fatalf("secrets from files: %d cloud secrets, admin key read %v", len(m.CloudSecrets), m.AdminKey == testAdminKey)
	}
	if m.Limits.Rates["operator"].Burst != 50 || m.Limits.Rates["cloud"].PerSecond != 100 {
		t.Fatalf("rates = %v", m.Limits.Rates)
	}
	clk := clock.NewFake(time.Now())
	m.Clock, m.Logger, m.PasswordCost = clk, quietLogger(t), 4
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	if !strings.HasPrefix(m.URL, "https://") {
		t.Fatalf("URL %s", m.URL)
	}
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
	hc := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	res, err := hc.Get(m.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.ProtoMajor != 2 || res.TLS == nil {
		t.Fatalf("served %s, TLS %v", res.Proto, res.TLS != nil)
	}
	for _, p := range []tandem.Protocol{tandem.Connect, tandem.GRPC} {
		admin := tandem.New(m.URL, tandem.WithProtocol(p), tandem.WithHTTPClient(hc), tandem.WithToken(testAdminKey))
		if _, err := admin.Admin.ListQueues(context.Background(), connect.NewRequest(&adminv1.ListQueuesRequest{})); err != nil {
			t.Fatalf("%s over TLS: %v", p, err)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, m.URL+"/v1/calls", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	tandem.Sign(req.Header, "new-secret", "wh-tls", clk.Now(), []byte(`{}`))
	res, err = hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest { // signed and read: an empty request is invalid
		t.Fatalf("REST over TLS: HTTP %d", res.StatusCode)
	}
	// --allowed-origins reaches the API: a page on the listed origin gets its CORS answer, one
	// on any other origin none.
	for origin, want := range map[string]string{"https://crm.example.com": "https://crm.example.com", "https://evil.example.net": ""} {
		pre, _ := http.NewRequest(http.MethodOptions, m.URL+"/tandem.admin.v1.AdminService/ListQueues", nil)
		pre.Header.Set("Origin", origin)
		pre.Header.Set("Access-Control-Request-Method", "POST")
		res, err := hc.Do(pre)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != want {
			t.Errorf("preflight from %s: Access-Control-Allow-Origin %q, want %q", origin, got, want)
		}
	}
	// Plain HTTP to the TLS port gets nowhere.
	if res, err := http.Get("http" + strings.TrimPrefix(m.URL, "https") + "/"); err == nil {
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			t.Fatal("plain HTTP served")
		}
	}

	for _, bad := range [][]string{{"--tls-cert", certFile}, {"--rate-limit", "root=1"}, {"--cloud-secret-file", filepath.Join(dir, "missing")},
		{"--advertise", "db1:8080"}, {"--advertise", "ftp://db1"}, {"--advertise", "http://"},
		{"--allowed-origins", "https://crm.example.com/app"}, {"--allowed-origins", "*,https://crm.example.com"},
		{"--voximplant-emulator", "127.0.0.1:9100"}, {"--voximplant-emulator", "http://127.0.0.1:9100/v1"}, {"--voximplant-emulator", "ws://127.0.0.1:9100"},
		{"--voximplant-emulator", "http://127.0.0.1:9100;script-src"}, {"--voximplant-emulator", "http://*.example.com"}} {
		if err := NewMain().ParseFlags("serve", bad); err == nil {
			t.Errorf("ParseFlags(%q) accepted", bad)
		}
	}
	em := NewMain()
	if err := em.ParseFlags("serve", []string{"--voximplant-emulator", "http://127.0.0.1:9100/"}); err != nil || em.VoxEmulator != "http://127.0.0.1:9100" {
		t.Errorf("--voximplant-emulator http://127.0.0.1:9100/: %q, %v", em.VoxEmulator, err)
	}
}
