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
	// An admin may not sign for anyone: the key is the operator's own. (An admin's key signs
	// only for a phone of its own, which the --admin-key never has.)
	signed, err := admin.Presence.SignSoftphoneKey(ctx, connect.NewRequest(&presencev1.SignSoftphoneKeyRequest{Key: key}))
	if signed != nil {
		t.Errorf("admin SignSoftphoneKey signed: %v", signed.Msg)
	}
	wantField(t, err, connect.CodeFailedPrecondition, "softphone_user")
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

// TestSupervisorKeyHasItsOwnBrowserPhone: an admin gives a supervisor's key a Voximplant user;
// that key's GetSoftphone and SignSoftphoneKey answer for that user only, an operator's token
// still signs for his own user only (never the supervisor's), and neither the password nor its
// digest comes back from a read or reaches the audit log. Bad input names the field and changes
// nothing: a read-only key, an operator's user, another key's user, a missing password, a
// revoked key.
func TestSupervisorKeyHasItsOwnBrowserPhone(t *testing.T) {
	a := newTestAPI(t, limits.Limits{}, func(c *Config) { c.VoximplantApp = "cc.acme.n2.voximplant.com" })
	a.setup("anna")
	ctx := context.Background()
	admin := a.admin()
	newKey := func(name string, role adminv1.KeyRole) (string, string) {
		res, err := admin.Admin.CreateApiKey(ctx, connect.NewRequest(&adminv1.CreateApiKeyRequest{Name: name, Role: role}))
		if err != nil {
			t.Fatal(err)
		}
		return res.Msg.GetApiKey().GetKeyId(), res.Msg.GetSecret()
	}
	floorID, floorSecret := newKey("floor", adminv1.KeyRole_KEY_ROLE_SUPERVISOR)
	leadID, leadSecret := newKey("lead", adminv1.KeyRole_KEY_ROLE_ADMIN)
	wallID, _ := newKey("wall", adminv1.KeyRole_KEY_ROLE_READONLY)
	floor, lead := a.client(tandem.WithToken(floorSecret)), a.client(tandem.WithToken(leadSecret))
	set := func(id, user, password string) (*adminv1.ApiKey, error) {
		res, err := admin.Admin.SetApiKeySoftphone(ctx, connect.NewRequest(&adminv1.SetApiKeySoftphoneRequest{KeyId: id, SoftphoneUser: user, SoftphonePassword: password}))
		if err != nil {
			return nil, err
		}
		return res.Msg.GetApiKey(), nil
	}

	// Before: no phone, and the phone stays off.
	_, err := floor.Presence.GetSoftphone(ctx, connect.NewRequest(&presencev1.GetSoftphoneRequest{}))
	wantField(t, err, connect.CodeFailedPrecondition, "softphone_user")
	_, err = admin.Presence.GetSoftphone(ctx, connect.NewRequest(&presencev1.GetSoftphoneRequest{}))
	wantField(t, err, connect.CodeFailedPrecondition, "softphone_user")

	const password, annaPassword = "olga-vox-1", "anna-vox-1"
	k, err := set(floorID, "olga", password)
	if err != nil || k.GetSoftphoneUser() != "olga" {
		t.Fatalf("SetApiKeySoftphone = %v, %v", k, err)
	}
	if _, err := admin.Admin.UpdateOperator(ctx, connect.NewRequest(&adminv1.UpdateOperatorRequest{
		OperatorId: operatorID(t, a, "anna"), SoftphonePassword: new(annaPassword)})); err != nil {
		t.Fatal(err)
	}
	const key = "9f1c2e"
	sign := func(c *tandem.Client) (*presencev1.SignSoftphoneKeyResponse, error) {
		res, err := c.Presence.SignSoftphoneKey(ctx, connect.NewRequest(&presencev1.SignSoftphoneKeyRequest{Key: key}))
		if err != nil {
			return nil, err
		}
		return res.Msg, nil
	}
	got, err := sign(floor)
	if err != nil || got.GetUsername() != "olga@cc.acme.n2.voximplant.com" || got.GetHash() != md5hex(key+"|"+md5hex("olga:voximplant.com:"+password)) {
		t.Errorf("the supervisor's key signs: %v, %v", got, err)
	}
	if g, err := floor.Presence.GetSoftphone(ctx, connect.NewRequest(&presencev1.GetSoftphoneRequest{})); err != nil || g.Msg.GetUsername() != "olga@cc.acme.n2.voximplant.com" {
		t.Errorf("the supervisor's GetSoftphone = %v, %v", g, err)
	}
	got, err = sign(a.loggedIn("anna"))
	if err != nil || got.GetUsername() != "anna@cc.acme.n2.voximplant.com" || got.GetHash() != md5hex(key+"|"+md5hex("anna:voximplant.com:"+annaPassword)) {
		t.Errorf("the operator's token signs for her own user only: %v, %v", got, err)
	}
	// An admin's key without a phone of its own does not sign with the supervisor's.
	_, err = sign(lead)
	wantField(t, err, connect.CodeFailedPrecondition, "softphone_user")

	// Refused, and nothing changes.
	_, err = set(wallID, "wally", password)
	wantField(t, err, connect.CodeFailedPrecondition, "key_id")
	_, err = set(leadID, "anna", password)
	wantField(t, err, connect.CodeFailedPrecondition, "softphone_user")
	_, err = set(leadID, "olga", password)
	wantField(t, err, connect.CodeFailedPrecondition, "softphone_user")
	_, err = set(leadID, "lead", "")
	wantField(t, err, connect.CodeInvalidArgument, "softphone_password")
	_, err = set(leadID, "", password)
	wantField(t, err, connect.CodeInvalidArgument, "softphone_password")
	_, err = set(leadID, "lead@cc.acme", password)
	wantField(t, err, connect.CodeInvalidArgument, "softphone_user")
	_, err = set("", "lead", password)
	wantField(t, err, connect.CodeInvalidArgument, "key_id")
	_, err = set("key_nope", "lead", password)
	wantField(t, err, connect.CodeNotFound, "key_id")
	_, err = sign(lead)
	wantField(t, err, connect.CodeFailedPrecondition, "softphone_user")
	// Nor does an operator get the supervisor's user as his contact.
	olgaContact := &commonv1.Contact{Kind: commonv1.ContactKind_CONTACT_KIND_USER, Target: "olga"}
	_, err = admin.Admin.UpdateOperator(ctx, connect.NewRequest(&adminv1.UpdateOperatorRequest{OperatorId: operatorID(t, a, "anna"), Contact: olgaContact}))
	wantField(t, err, connect.CodeFailedPrecondition, "contact.target")
	_, err = admin.Admin.CreateOperator(ctx, connect.NewRequest(&adminv1.CreateOperatorRequest{Name: "olga.op", Password: "password-olga", Contact: olgaContact}))
	wantField(t, err, connect.CodeFailedPrecondition, "contact.target")
	got, err = sign(a.loggedIn("anna"))
	if err != nil || got.GetUsername() != "anna@cc.acme.n2.voximplant.com" {
		t.Errorf("anna after the refused update: %v, %v", got, err)
	}

	ha1 := md5hex("olga:voximplant.com:" + password)
	keys, err := admin.Admin.ListApiKeys(ctx, connect.NewRequest(&adminv1.ListApiKeysRequest{IncludeRevoked: true}))
	if err != nil {
		t.Fatal(err)
	}
	audit, err := admin.Admin.ListAuditEntries(ctx, connect.NewRequest(&adminv1.ListAuditEntriesRequest{Procedure: "SetApiKeySoftphone"}))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(audit.Msg.GetEntries()); n != 1 {
		t.Errorf("audit entries for SetApiKeySoftphone: %d, want the one change", n)
	}
	for what, text := range map[string]string{"ListApiKeys": protojson.Format(keys.Msg), "ListAuditEntries": protojson.Format(audit.Msg)} {
		if strings.Contains(text, ha1) || strings.Contains(text, password) {
			t.Errorf("%s shows the softphone password or its digest: %s", what, text)
		}
		if !strings.Contains(text, "olga") {
			t.Errorf("%s does not name the phone's user: %s", what, text)
		}
	}

	// Removed: the key's phone is off again; revoked: the key cannot be given one.
	if k, err := set(floorID, "", ""); err != nil || k.GetSoftphoneUser() != "" {
		t.Fatalf("remove = %v, %v", k, err)
	}
	_, err = sign(floor)
	wantField(t, err, connect.CodeFailedPrecondition, "softphone_user")
	if _, err := admin.Admin.RevokeApiKey(ctx, connect.NewRequest(&adminv1.RevokeApiKeyRequest{KeyId: floorID})); err != nil {
		t.Fatal(err)
	}
	_, err = set(floorID, "olga", password)
	wantField(t, err, connect.CodeFailedPrecondition, "key_id")
}

// operatorID is the id of the operator named name.
func operatorID(t *testing.T, a *testAPI, name string) string {
	t.Helper()
	ops, err := a.admin().Admin.ListOperators(context.Background(), connect.NewRequest(&adminv1.ListOperatorsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range ops.Msg.GetOperators() {
		if o.GetName() == name {
			return o.GetOperatorId()
		}
	}
	t.Fatalf("no operator %s", name)
	return ""
}
