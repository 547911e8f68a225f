package auth

import (
	"context"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/reflect/protoreflect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	"github.com/tandemcc/tandem/gen/go/tandem/admin/v1/adminv1connect"
	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	"github.com/tandemcc/tandem/gen/go/tandem/analytics/v1/analyticsv1connect"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	"github.com/tandemcc/tandem/gen/go/tandem/assignment/v1/assignmentv1connect"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	"github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1/operatorpresencev1connect"
	"github.com/tandemcc/tandem/server/internal/callcenter"
)

var files = []protoreflect.FileDescriptor{
	adminv1.File_tandem_admin_v1_admin_proto,
	analyticsv1.File_tandem_analytics_v1_analytics_proto,
	assignmentv1.File_tandem_assignment_v1_assignment_proto,
	callintakev1.File_tandem_callintake_v1_callintake_proto,
	presencev1.File_tandem_operatorpresence_v1_operatorpresence_proto,
}

// TestEveryProcedureHasAPolicy keeps the API closed by default: a new RPC must be given its
// roles before anyone can call it, and the policy names no RPC that does not exist.
func TestEveryProcedureHasAPolicy(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range files {
		for i := range f.Services().Len() {
			svc := f.Services().Get(i)
			for j := range svc.Methods().Len() {
				proc := "/" + string(svc.FullName()) + "/" + string(svc.Methods().Get(j).Name())
				seen[proc] = true
				if len(policy[proc]) == 0 {
					t.Errorf("%s has no policy", proc)
				}
			}
		}
	}
	for proc := range policy {
		if !seen[proc] {
			t.Errorf("policy names %s, which is not in the API", proc)
		}
	}
}

// TestAuthorizeWalksThePolicy checks every procedure for every role: the roles the policy lists
// get through, the others get permission_denied, and nobody without credentials gets through
// except to public procedures.
func TestAuthorizeWalksThePolicy(t *testing.T) {
	for proc, allowed := range policy {
		isPublic := len(allowed) == 1 && allowed[0] == Public
		err := authorize(context.Background(), proc)
		if isPublic != (err == nil) {
			t.Errorf("%s without credentials: %v", proc, err)
		}
		if !isPublic && connect.CodeOf(err) != connect.CodeUnauthenticated {
			t.Errorf("%s without credentials: code %v", proc, connect.CodeOf(err))
		}
		for _, r := range Roles {
			ctx := With(context.Background(), Principal{Role: r, Operator: "op_1"})
			err := authorize(ctx, proc)
			want := isPublic || slices.Contains(allowed, r)
			if want != (err == nil) {
				t.Errorf("%s as %s: %v", proc, r, err)
			}
			if !want && connect.CodeOf(err) != connect.CodePermissionDenied {
				t.Errorf("%s as %s: code %v", proc, r, connect.CodeOf(err))
			}
		}
	}
	if err := authorize(context.Background(), "/tandem.secret.v1.Hidden/Do"); connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Errorf("unknown procedure: %v", err)
	}
}

// TestRolesKeepToTheirKind checks the table against what each role is for: the read-only role
// reaches reads only; supervisors change nothing in the Admin service but read it; the cloud
// reaches CallIntake only and nobody else does; an operator reaches only what acts on himself;
// and every read is open to the read-only role. Failed logins are the floor's: supervisors list
// them (client addresses, so not the read-only role) and unlock them.
func TestRolesKeepToTheirKind(t *testing.T) {
	operatorMay := map[string]bool{
		operatorpresencev1connect.OperatorPresenceServiceLogOutProcedure:           true,
		operatorpresencev1connect.OperatorPresenceServiceGoReadyProcedure:          true,
		operatorpresencev1connect.OperatorPresenceServiceGoAwayProcedure:           true,
		operatorpresencev1connect.OperatorPresenceServiceEndWrapUpProcedure:        true,
		operatorpresencev1connect.OperatorPresenceServiceSaveCallNoteProcedure:     true,
		operatorpresencev1connect.OperatorPresenceServiceSetDispositionProcedure:   true,
		operatorpresencev1connect.OperatorPresenceServiceSignSoftphoneKeyProcedure: true,
		operatorpresencev1connect.OperatorPresenceServiceGetSoftphoneProcedure:     true,
		operatorpresencev1connect.OperatorPresenceServiceWatchOperatorProcedure:    true,
		analyticsv1connect.AnalyticsServiceGetOperatorStatsProcedure:               true,
		assignmentv1connect.AssignmentServiceDeclineOfferProcedure:                 true,
		assignmentv1connect.AssignmentServiceHoldCallProcedure:                     true,
		assignmentv1connect.AssignmentServiceResumeCallProcedure:                   true,
		assignmentv1connect.AssignmentServiceAddToCallProcedure:                    true,
		assignmentv1connect.AssignmentServiceRemoveFromCallProcedure:               true,
		assignmentv1connect.AssignmentServiceTransferCallProcedure:                 true,
		assignmentv1connect.AssignmentServiceCompleteTransferProcedure:             true,
		assignmentv1connect.AssignmentServiceCancelTransferProcedure:               true,
		assignmentv1connect.AssignmentServiceListTransferTargetsProcedure:          true,
	}
	// The call he talks on is his alone to hold: nobody else speaks to his caller.
	hisCallOnly := map[string]bool{
		operatorpresencev1connect.OperatorPresenceServiceLogInProcedure:        true,
		operatorpresencev1connect.OperatorPresenceServiceSaveCallNoteProcedure: true,
		assignmentv1connect.AssignmentServiceHoldCallProcedure:                 true,
		assignmentv1connect.AssignmentServiceResumeCallProcedure:               true,
		assignmentv1connect.AssignmentServiceDeclineOfferProcedure:             true,
		assignmentv1connect.AssignmentServiceAddToCallProcedure:                true,
		assignmentv1connect.AssignmentServiceTransferCallProcedure:             true,
		assignmentv1connect.AssignmentServiceCompleteTransferProcedure:         true,
		assignmentv1connect.AssignmentServiceCancelTransferProcedure:           true,
		assignmentv1connect.AssignmentServiceListTransferTargetsProcedure:      true,
	}
	for proc, allowed := range policy {
		intake := strings.HasPrefix(proc, "/tandem.callintake.v1.")
		// A browser phone's login changes nothing but is the caller's own phone, which a
		// read-only key never has (AdminService.SetApiKeySoftphone refuses one).
		ownPhone := proc == operatorpresencev1connect.OperatorPresenceServiceGetSoftphoneProcedure ||
			proc == operatorpresencev1connect.OperatorPresenceServiceSignSoftphoneKeyProcedure
		if slices.Contains(allowed, RoleReadonly) != reads[proc] && !ownPhone && proc != adminv1connect.AdminServiceListApiKeysProcedure &&
			proc != adminv1connect.AdminServiceListAuditEntriesProcedure && proc != adminv1connect.AdminServiceExportCallerDataProcedure &&
			proc != adminv1connect.AdminServiceListLoginFailuresProcedure && proc != adminv1connect.AdminServiceListAccountsProcedure &&
			// The voicemails' recordings are for those who hear recordings (HearsRecordings).
			proc != analyticsv1connect.AnalyticsServiceListVoicemailsProcedure &&
			!slices.Equal(allowed, []Role{Public}) {
			t.Errorf("%s: readonly allowed %v, a read %v", proc, slices.Contains(allowed, RoleReadonly), reads[proc])
		}
		if strings.HasPrefix(proc, "/tandem.admin.v1.") && !reads[proc] && slices.Contains(allowed, RoleSupervisor) &&
			proc != adminv1connect.AdminServiceUnlockLoginProcedure && proc != adminv1connect.AdminServiceSignOutProcedure {
			t.Errorf("%s: a supervisor may change configuration", proc)
		}
		if intake != slices.Equal(allowed, []Role{RoleCloud}) {
			t.Errorf("%s: roles %v", proc, allowed)
		}
		if slices.Contains(allowed, RoleOperator) != operatorMay[proc] {
			t.Errorf("%s: operator allowed %v", proc, slices.Contains(allowed, RoleOperator))
		}
		// SaveCallNote writes the caller's own words;
		// DeclineOffer, HoldCall,
		// ResumeCall, the transfers and AddToCall act on his own call.
		// Public procedures are open to admins as to everyone.
		if !slices.Contains(allowed, RoleAdmin) && !intake && !hisCallOnly[proc] && !slices.Equal(allowed, []Role{Public}) {
			t.Errorf("%s: closed to admins", proc)
		}
	}
	for proc := range reads {
		if _, ok := policy[proc]; !ok {
			t.Errorf("read %s is not in the policy", proc)
		}
	}
}

// TestSelf checks whom a request acts on: an operator only on himself, the others on whom they
// name.
func TestSelf(t *testing.T) {
	as := func(r Role) context.Context {
		return With(context.Background(), Principal{Role: r, Operator: "op_me"})
	}
	if id, err := Self(as(RoleOperator), ""); id != "op_me" || err != nil {
		t.Errorf("operator, nobody named: %q %v", id, err)
	}
	if id, err := Self(as(RoleOperator), "op_me"); id != "op_me" || err != nil {
		t.Errorf("operator names himself: %q %v", id, err)
	}
	if _, err := Self(as(RoleOperator), "op_other"); callcenter.ErrorCode(err) != callcenter.CodePermissionDenied {
		t.Errorf("operator names another: %v", err)
	}
	for _, r := range []Role{RoleSupervisor, RoleAdmin, RoleReadonly} {
		if id, err := Self(as(r), "op_other"); id != "op_other" || err != nil {
			t.Errorf("%s names op_other: %q %v", r, id, err)
		}
		if _, err := Self(as(r), ""); callcenter.ErrorCode(err) != callcenter.CodeInvalid {
			t.Errorf("%s names nobody: %v", r, err)
		}
	}
}

// TestBrowserPhoneLogin: an operator and the floor (supervisors, admins) log in their own browser
// phone; a read-only key and the cloud never do, and only admins give a key a phone.
func TestBrowserPhoneLogin(t *testing.T) {
	for _, proc := range []string{operatorpresencev1connect.OperatorPresenceServiceGetSoftphoneProcedure, operatorpresencev1connect.OperatorPresenceServiceSignSoftphoneKeyProcedure} {
		for r, want := range map[Role]bool{RoleOperator: true, RoleSupervisor: true, RoleAdmin: true, RoleReadonly: false, RoleCloud: false} {
			if err := authorize(With(context.Background(), Principal{Role: r}), proc); (err == nil) != want {
				t.Errorf("%s as %s: %v", proc, r, err)
			}
		}
	}
	if !slices.Equal(policy[adminv1connect.AdminServiceSetApiKeySoftphoneProcedure], admins) {
		t.Errorf("SetApiKeySoftphone: %v, want admins only", policy[adminv1connect.AdminServiceSetApiKeySoftphoneProcedure])
	}
}

// TestPeopleMayWhatTheirRoleMay: a person signed in as a supervisor (by password or OpenID
// Connect) may call exactly what a supervisor key may, an admin account what an admin key may;
// only admins manage accounts, anyone may try to sign in, and only the floor signs out.
func TestPeopleMayWhatTheirRoleMay(t *testing.T) {
	for proc := range policy {
		for _, r := range []Role{RoleSupervisor, RoleAdmin} {
			key := authorize(With(context.Background(), Principal{Role: r, KeyID: "key_1", Name: "k"}), proc)
			for _, how := range []string{callcenter.SignInPassword, callcenter.SignInOIDC} {
				person := authorize(With(context.Background(), Principal{Role: r, Name: "olga", SignIn: how}), proc)
				if (key == nil) != (person == nil) {
					t.Errorf("%s: %s key %v, %s person by %s %v", proc, r, key, r, how, person)
				}
			}
		}
	}
	for _, proc := range []string{adminv1connect.AdminServiceCreateAccountProcedure, adminv1connect.AdminServiceListAccountsProcedure,
		adminv1connect.AdminServiceUpdateAccountProcedure, adminv1connect.AdminServiceSetAccountPasswordProcedure} {
		if !slices.Equal(policy[proc], admins) {
			t.Errorf("%s: %v, want admins only", proc, policy[proc])
		}
	}
	for _, proc := range []string{adminv1connect.AdminServiceSignInProcedure, adminv1connect.AdminServiceGetSignInOptionsProcedure} {
		if err := authorize(context.Background(), proc); err != nil {
			t.Errorf("%s without credentials: %v", proc, err)
		}
	}
	if !slices.Equal(policy[adminv1connect.AdminServiceSignOutProcedure], supervisors) {
		t.Errorf("SignOut: %v", policy[adminv1connect.AdminServiceSignOutProcedure])
	}
}

func TestPrincipalNamesThePerson(t *testing.T) {
	p := Principal{Role: RoleSupervisor, Name: "olga", SignIn: callcenter.SignInOIDC}
	if p.Identity() != "account:olga" || p.HowSignedIn() != "oidc" || !p.Person() {
		t.Errorf("person: %q %q %v", p.Identity(), p.HowSignedIn(), p.Person())
	}
	k := Principal{Role: RoleSupervisor, Name: "olga", KeyID: "key_1"}
	if k.Identity() != "key:key_1" || k.HowSignedIn() != "key" || k.Person() {
		t.Errorf("key: %q %q %v", k.Identity(), k.HowSignedIn(), k.Person())
	}
}

// TestAlertsAreTheFloors: every reader sees the alerts; acknowledging one is a supervisor's or
// an admin's act, and (not being a read) goes in the audit log.
func TestAlertsAreTheFloors(t *testing.T) {
	if got := policy[analyticsv1connect.AnalyticsServiceListAlertsProcedure]; !slices.Equal(got, readers) || !reads[analyticsv1connect.AnalyticsServiceListAlertsProcedure] {
		t.Errorf("ListAlerts: %v, a read %v", got, reads[analyticsv1connect.AnalyticsServiceListAlertsProcedure])
	}
	if got := policy[analyticsv1connect.AnalyticsServiceAcknowledgeAlertProcedure]; !slices.Equal(got, supervisors) || IsRead(analyticsv1connect.AnalyticsServiceAcknowledgeAlertProcedure) {
		t.Errorf("AcknowledgeAlert: %v, a read %v", got, IsRead(analyticsv1connect.AnalyticsServiceAcknowledgeAlertProcedure))
	}
}
