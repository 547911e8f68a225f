package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	tandem "github.com/tandemcc/tandem/clients/go"
	presencev1 "github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// TestServesTheOperatorApp: every path the API does not own reaches the operator app (or its
// placeholder when the binary was built without it); the API and its 404s are as before.
func TestServesTheOperatorApp(t *testing.T) {
	srv := startServer(t, filepath.Join(t.TempDir(), "tandem.db"), clock.NewFake(time.Now()))
	for _, path := range []string{"/", "/some/route"} {
		res, err := http.Get(srv.m.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "<title>Tandem</title>") {
			t.Fatalf("GET %s: %d %s %.200q", path, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
	}
	for _, req := range []struct{ method, path, body string }{
		{"GET", "/assets/missing-123.js", ""},
		{"GET", "/tandem.nope.v1.NopeService/Get", ""},
		{"POST", "/tandem.nope.v1.NopeService/Get", `{}`},
	} {
		r, _ := http.NewRequest(req.method, srv.m.URL+req.path, strings.NewReader(req.body))
		r.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("%s %s: %d, want 404", req.method, req.path, res.StatusCode)
		}
	}
	// A plain JSON POST to a Connect path is a Connect call (as curl sends it), not the app.
	res, err := http.Post(srv.m.URL+"/tandem.operatorpresence.v1.OperatorPresenceService/LogIn", "application/json", strings.NewReader(`{"name":"anna","password":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), `"code":"unauthenticated"`) {
		t.Errorf("a JSON POST to LogIn: %d %s", res.StatusCode, body)
	}
	anon := tandem.New(srv.m.URL)
	_, err = anon.Presence.LogIn(context.Background(), connect.NewRequest(&presencev1.LogInRequest{Name: "nobody", Password: "secret"}))
	if connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("LogIn through the same handler: %v", err)
	}
}
