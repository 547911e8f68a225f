package rpc

import (
	"context"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/reflect/protoreflect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	assignmentv1 "github.com/tandemcc/tandem/gen/go/tandem/assignment/v1"
	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
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
	roles := []Role{RoleOperator, RoleAdmin, RoleCloud}
	for proc, allowed := range policy {
		isPublic := len(allowed) == 1 && allowed[0] == public
		err := authorize(context.Background(), proc)
		if isPublic != (err == nil) {
			t.Errorf("%s without credentials: %v", proc, err)
		}
		if !isPublic && connect.CodeOf(err) != connect.CodeUnauthenticated {
			t.Errorf("%s without credentials: code %v", proc, connect.CodeOf(err))
		}
		for _, r := range roles {
			ctx := context.WithValue(context.Background(), principalKey{}, Principal{Role: r, Operator: "op_1"})
			err := authorize(ctx, proc)
			want := isPublic
			for _, a := range allowed {
				want = want || a == r
			}
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
