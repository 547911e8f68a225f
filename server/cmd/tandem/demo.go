package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// The demo's credentials: printed at start, never used outside `tandem demo`.
const (
	demoCloudSecret = "demo-cloud-secret"
	demoAdminKey    = "demo-admin-key"
	demoPassword    = "demo-password"
	demoNumber      = "+18005550100"
)

var demoOperators = []struct{ name, display string }{
	{"anna", "Anna Petrova"},
	{"boris", "Boris Ivanov"},
	{"carla", "Carla Mendes"},
}

// seedDemo fills an empty database with a queue and three operators.
func seedDemo(ctx context.Context, m *Main) error {
	qs, err := m.db.Queues(ctx)
	if err != nil || len(qs) > 0 {
		return err
	}
	q := callcenter.Queue{
		ID:            "support",
		Name:          "Support",
		DialedNumbers: []string{demoNumber},
		Strategy:      callcenter.StrategyLongestIdle,
		OfferTimeout:  20 * time.Second,
		WrapUp:        10 * time.Second,
		Greeting:      "Thank you for calling. An operator will be with you shortly.",
		IsDefault:     true,
		Rules:         callcenter.DefaultRules(),
	}
	if err := m.board.CreateQueue(ctx, q); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(demoPassword), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	for _, o := range demoOperators {
		op := callcenter.Operator{
			ID:           callcenter.OperatorID("op_" + o.name),
			Name:         o.name,
			DisplayName:  o.display,
			PasswordHash: string(hash),
			Contact:      callcenter.Contact{Kind: callcenter.ContactUser, Target: o.name},
			Queues:       []callcenter.QueueSkill{{Queue: q.ID, Level: 3}},
			CreatedAt:    m.Clock.Now(),
		}
		if err := m.board.CreateOperator(ctx, op); err != nil {
			return err
		}
	}
	return nil
}

func printDemo(w io.Writer, m *Main) {
	url := m.URL
	if host, port, err := net.SplitHostPort(strings.TrimPrefix(url, "http://")); err == nil && (host == "::" || host == "0.0.0.0" || host == "") {
		url = "http://localhost:" + port // listening on every address: say the one a browser here takes
	}
	fmt.Fprintf(w, `
Tandem demo is running at %s  (database %s)

  Operators (name / password):  anna, boris, carla / %s
  Admin API key:                %s   (tandemctl --url %s --key %s operators)
  Cloud secret:                 %s   (the scenario signs its requests with it)
  Queue "support" takes calls to %s

Stop with Ctrl-C.
`, url, m.DBPath, demoPassword, demoAdminKey, url, demoAdminKey, demoCloudSecret, demoNumber)
}
