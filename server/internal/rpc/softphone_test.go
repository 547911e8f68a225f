package rpc

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	"github.com/tandemcc/tandem/server/internal/rpc/limits"
)

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestSoftphoneKeyIsSignedWithTheStoredDigest: the admin sets anna's Voximplant password; her
// browser phone's one-time key comes back signed as Voximplant checks it, for her full login;
// the password and its digest never come back from a read nor reach the audit log; boris, with
// none set, gets failed_precondition naming the field; a bad key is invalid_argument.
func TestSoftphoneKeyIsSignedWithTheStoredDigest(t *testing.T) {
	a := newTestAPI(t, limits.Limits{}, func(c *Config) { c.VoximplantApp = "cc.acme.n2.voximplant.com" })
	a.setup("anna", "boris", "sipper")
	ctx := context.Background()
	admin := a.admin()
	ops, err := admin.Admin.ListOperators(ctx, connect.NewRequest(&adminv1.ListOperatorsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, o := range ops.Msg.GetOperators() {
		ids[o.GetName()] = o.GetOperatorId()
	}
	const password = "vox-secret-1"
	if _, err := admin.Admin.UpdateOperator(ctx, connect.NewRequest(&adminv1.UpdateOperatorRequest{
		OperatorId: ids["anna"], SoftphonePassword: new(password)})); err != nil {
		t.Fatal(err)
	}
	// A SIP operator has no browser phone: his password is refused, and nothing changes.
	_, err = admin.Admin.UpdateOperator(ctx, connect.NewRequest(&adminv1.UpdateOperatorRequest{OperatorId: ids["sipper"],
		Contact: &commonv1.Contact{Kind: commonv1.ContactKind_CONTACT_KIND_SIP, Target: "sip:s@pbx"}, SoftphonePassword: new(password)}))
	wantField(t, err, connect.CodeInvalidArgument, "softphone_password")

	anna := a.loggedIn("anna")
	const key = "3c6bf7f1a2d94e"
	res, err := anna.Presence.SignSoftphoneKey(ctx, connect.NewRequest(&presencev1.SignSoftphoneKeyRequest{Key: key}))
	if err != nil {
		t.Fatal(err)
	}
	if want := md5hex(key + "|" + md5hex("anna:voximplant.com:"+password)); res.Msg.GetHash() != want {
		t.Errorf("hash = %s, want %s", res.Msg.GetHash(), want)
	}
	if res.Msg.GetUsername() != "anna@cc.acme.n2.voximplant.com" {
		t.Errorf("username = %q", res.Msg.GetUsername())
	}
	if got, err := anna.Presence.GetSoftphone(ctx, connect.NewRequest(&presencev1.GetSoftphoneRequest{})); err != nil || got.Msg.GetUsername() != "anna@cc.acme.n2.voximplant.com" || got.Msg.GetEmulatorUrl() != "" {
		t.Errorf("GetSoftphone = %v, %v (no emulator: the real SDK)", got, err)
	}

	ha1 := md5hex("anna:voximplant.com:" + password)
	got, err := admin.Admin.GetOperator(ctx, connect.NewRequest(&adminv1.GetOperatorRequest{OperatorId: ids["anna"]}))
	if err != nil {
		t.Fatal(err)
	}
	list, err := admin.Admin.ListOperators(ctx, connect.NewRequest(&adminv1.ListOperatorsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	audit, err := admin.Admin.ListAuditEntries(ctx, connect.NewRequest(&adminv1.ListAuditEntriesRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	for what, text := range map[string]string{
		"GetOperator": protojson.Format(got.Msg), "ListOperators": protojson.Format(list.Msg), "ListAuditEntries": protojson.Format(audit.Msg),
	} {
		if strings.Contains(text, ha1) || strings.Contains(text, password) {
			t.Errorf("%s shows the softphone password or its digest: %s", what, text)
		}
	}

	boris := a.loggedIn("boris")
	_, err = boris.Presence.SignSoftphoneKey(ctx, connect.NewRequest(&presencev1.SignSoftphoneKeyRequest{Key: key}))
	wantField(t, err, connect.CodeFailedPrecondition, "softphone_password")
	_, err = boris.Presence.GetSoftphone(ctx, connect.NewRequest(&presencev1.GetSoftphoneRequest{}))
	wantField(t, err, connect.CodeFailedPrecondition, "softphone_password")
	for _, bad := range []string{"", strings.Repeat("k", 257)} {
		_, err = anna.Presence.SignSoftphoneKey(ctx, connect.NewRequest(&presencev1.SignSoftphoneKeyRequest{Key: bad}))
		wantField(t, err, connect.CodeInvalidArgument, "key")
	}
	// A new contact (another Voximplant user) drops the digest: it was of the old user's name.
	if _, err := admin.Admin.UpdateOperator(ctx, connect.NewRequest(&adminv1.UpdateOperatorRequest{OperatorId: ids["anna"],
		Contact: &commonv1.Contact{Kind: commonv1.ContactKind_CONTACT_KIND_USER, Target: "anna2"}})); err != nil {
		t.Fatal(err)
	}
	_, err = anna.Presence.SignSoftphoneKey(ctx, connect.NewRequest(&presencev1.SignSoftphoneKeyRequest{Key: key}))
	wantField(t, err, connect.CodeFailedPrecondition, "softphone_password")
	// An admin may not sign for anyone: the key is the operator's own.
	_, err = admin.Presence.SignSoftphoneKey(ctx, connect.NewRequest(&presencev1.SignSoftphoneKeyRequest{Key: key}))
	if connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Errorf("admin SignSoftphoneKey: %v, want permission_denied", err)
	}
}

// loggedIn is a client logged in as name (password "password-NAME", see setup).
func (a *testAPI) loggedIn(name string) *tandem.Client {
	a.t.Helper()
	res, err := a.logInFrom("127.0.0.1", name, "password-"+name)
	if err != nil {
		a.t.Fatal(err)
	}
	return a.client(tandem.WithToken(res.GetToken()))
}

// TestSoftphoneNamesTheEmulatedSDKOnlyWhenTheServerHasOne: a server started with
// --voximplant-emulator tells the browser phone to use that endpoint instead of Voximplant.
func TestSoftphoneNamesTheEmulatedSDKOnlyWhenTheServerHasOne(t *testing.T) {
	a := newTestAPI(t, limits.Limits{}, func(c *Config) {
		c.VoximplantApp = "cc.acme.n2.voximplant.com"
		c.VoxEmulator = "http://127.0.0.1:9100"
	})
	a.setup("anna")
	ctx := context.Background()
	admin := a.admin()
	ops, err := admin.Admin.ListOperators(ctx, connect.NewRequest(&adminv1.ListOperatorsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Admin.UpdateOperator(ctx, connect.NewRequest(&adminv1.UpdateOperatorRequest{
		OperatorId: ops.Msg.GetOperators()[0].GetOperatorId(), SoftphonePassword: new("vox-secret-1")})); err != nil {
		t.Fatal(err)
	}
	got, err := a.loggedIn("anna").Presence.GetSoftphone(ctx, connect.NewRequest(&presencev1.GetSoftphoneRequest{}))
	if err != nil || got.Msg.GetEmulatorUrl() != "http://127.0.0.1:9100" || got.Msg.GetUsername() != "anna@cc.acme.n2.voximplant.com" {
		t.Errorf("GetSoftphone = %v, %v", got, err)
	}
}
