package rpc

import (
	"context"
	"testing"

	"connectrpc.com/connect"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	"github.com/tandemcc/tandem/server/internal/rpc/auth"
	"github.com/tandemcc/tandem/server/internal/rpc/limits"
)

// TestWhoAmI asks as each kind of key and gets that key's name and role back; an operator's
// session and a request without credentials are refused, as the policy says.
func TestWhoAmI(t *testing.T) {
	a := newTestAPI(t, limits.Limits{})
	a.setup("anna")
	ctx := context.Background()
	ask := func(c *tandem.Client) (*adminv1.WhoAmIResponse, error) {
		res, err := c.Admin.WhoAmI(ctx, connect.NewRequest(&adminv1.WhoAmIRequest{}))
		if err != nil {
			return nil, err
		}
		return res.Msg, nil
	}
	me, err := ask(a.admin())
	if err != nil || me.GetKeyId() != "" || me.GetName() != auth.BootstrapKeyName || me.GetRole() != adminv1.KeyRole_KEY_ROLE_ADMIN {
		t.Fatalf("the --admin-key: %v %v", me, err)
	}
	for name, role := range map[string]adminv1.KeyRole{
		"ops-lead": adminv1.KeyRole_KEY_ROLE_ADMIN,
		"floor":    adminv1.KeyRole_KEY_ROLE_SUPERVISOR,
		"wall-tv":  adminv1.KeyRole_KEY_ROLE_READONLY,
	} {
		key, err := a.admin().Admin.CreateApiKey(ctx, connect.NewRequest(&adminv1.CreateApiKeyRequest{Name: name, Role: role}))
		if err != nil {
			t.Fatal(err)
		}
		me, err := ask(a.client(tandem.WithToken(key.Msg.GetSecret())))
		if err != nil || me.GetKeyId() != key.Msg.GetApiKey().GetKeyId() || me.GetName() != name || me.GetRole() != role {
			t.Errorf("key %s (%v): %v %v", name, role, me, err)
		}
	}
	anna, _ := logInAs(t, a, "anna")
	if _, err := ask(anna); connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Errorf("an operator: %v", err)
	}
	if _, err := ask(a.client()); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Errorf("no credentials: %v", err)
	}
}
