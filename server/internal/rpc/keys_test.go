package rpc

import (
	"context"
	"testing"
	"time"

	"connectrpc.com/connect"

	tandem "github.com/tandemcc/tandem/clients/go"
	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// TestWhoAmI asks as each kind of key and gets that key's name and role back; an operator's
// session and a request without credentials are refused, as the policy says.
func TestWhoAmI(t *testing.T) {
	a := newTestAPI(t, Limits{})
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
	if err != nil || me.GetKeyId() != "" || me.GetName() != bootstrapKeyName || me.GetRole() != adminv1.KeyRole_KEY_ROLE_ADMIN {
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

// TestMarksCarryTheScoreParts checks that the API sends the score and its parts from the
// domain's one computation: the client shows them and keeps no copy of the rule.
func TestMarksCarryTheScoreParts(t *testing.T) {
	m := cc.Marks{AnswerRate: 0.8, RingTime: 5 * time.Second, Score: 70}
	out := marksOut(m)
	want := m.ComputeScore()
	if out.GetScore() != want.Points || out.GetScoreLostToMisses() != want.LostToMisses || out.GetScoreLostToSlowAnswers() != want.LostToSlowAnswers {
		t.Fatalf("marks out %v, computed %+v", out, want)
	}
	if d := out.GetScore() + out.GetScoreLostToMisses() + out.GetScoreLostToSlowAnswers() - 100; d > 1e-9 || d < -1e-9 {
		t.Errorf("score and parts add up to 100%+g", d)
	}
}
