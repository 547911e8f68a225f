// Command oidcprovider is the browser tests' OpenID Connect provider: mockoidc on 127.0.0.1,
// which signs in at once whoever was queued last (it has no login page). It prints one JSON
// line (issuer, client id and secret, control URL) and serves POST <control>/user with a
// person's {"subject", "preferred_username", "groups"} to queue him for the next sign-in. It
// stops when its standard input closes.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"

	"github.com/oauth2-proxy/mockoidc"
)

func main() {
	m, err := mockoidc.Run()
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /user", func(w http.ResponseWriter, r *http.Request) {
		var u struct {
			Subject           string   `json:"subject"`
			PreferredUsername string   `json:"preferred_username"`
			Groups            []string `json:"groups"`
		}
		if err := json.NewDecoder(r.Body).Decode(&u); err != nil || u.Subject == "" {
			http.Error(w, "want {subject, preferred_username, groups}", http.StatusBadRequest)
			return
		}
		m.QueueUser(&mockoidc.MockUser{Subject: u.Subject, PreferredUsername: u.PreferredUsername, Groups: u.Groups})
		w.WriteHeader(http.StatusNoContent)
	})
	go func() { log.Fatal(http.Serve(ln, mux)) }()
	out, _ := json.Marshal(map[string]string{"issuer": m.Issuer(), "clientId": m.ClientID, "clientSecret": m.ClientSecret, "control": "http://" + ln.Addr().String()})
	fmt.Println(string(out))
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = m.Shutdown()
}
