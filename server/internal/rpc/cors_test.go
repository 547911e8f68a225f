package rpc

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tandemcc/tandem/server/internal/rpc/limits"
)

const listQueues = "/tandem.admin.v1.AdminService/ListQueues"

// TestCrossOriginOnlyFromListedOrigins: with no origins configured a page on another origin
// gets no CORS answer at all (its browser withholds the API's replies); a listed origin gets
// exactly its own origin back, never "*", and credentials are never allowed; "*" alone allows
// any origin, still without credentials. Tandem's own pages (same origin) work in every case.
func TestCrossOriginOnlyFromListedOrigins(t *testing.T) {
	const crm, evil = "https://crm.example.com", "https://evil.example.net"
	for _, tc := range []struct {
		name    string
		allowed []string
		origin  string
		want    string // Access-Control-Allow-Origin
	}{
		{"default, another origin", nil, evil, ""},
		{"default, a would-be partner", nil, crm, ""},
		{"listed", []string{crm, "http://127.0.0.1:5173"}, crm, crm},
		{"listed, in another case", []string{"https://CRM.example.com"}, crm, crm},
		{"not listed", []string{crm}, evil, ""},
		{"any origin", []string{"*"}, evil, "*"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newTestAPIWith(t, Config{AllowedOrigins: tc.allowed})
			pre, err := http.NewRequest(http.MethodOptions, a.srv.URL+listQueues, nil)
			if err != nil {
				t.Fatal(err)
			}
			pre.Header.Set("Origin", tc.origin)
			pre.Header.Set("Access-Control-Request-Method", "POST")
			pre.Header.Set("Access-Control-Request-Headers", "authorization,connect-protocol-version,content-type") // as browsers send it: sorted
			res := do(t, pre)
			checkCORS(t, "preflight", res, tc.want)
			if res.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("preflight: X-Content-Type-Options %q", res.Header.Get("X-Content-Type-Options"))
			}
			if tc.want != "" && !strings.Contains(strings.ToLower(res.Header.Get("Access-Control-Allow-Headers")), "authorization") {
				t.Errorf("preflight allows headers %q, not Authorization", res.Header.Get("Access-Control-Allow-Headers"))
			}

			// Tandem's own pages send their origin, or "null" on a POST (Referrer-Policy
			// no-referrer): neither needs CORS, and neither is refused.
			for _, origin := range []string{tc.origin, a.srv.URL, "null"} {
				req := mustRequest(a.srv.URL+listQueues, strings.NewReader("{}"), "application/json")
				req.Header.Set("Origin", origin)
				req.Header.Set("Authorization", "Bearer "+testAdminKey)
				res := do(t, req)
				if res.StatusCode != http.StatusOK {
					t.Fatalf("POST from %s: HTTP %d", origin, res.StatusCode)
				}
				if origin == tc.origin {
					checkCORS(t, "POST", res, tc.want)
				}
			}
		})
	}
}

func checkCORS(t *testing.T, what string, res *http.Response, want string) {
	t.Helper()
	if got := res.Header.Get("Access-Control-Allow-Origin"); got != want {
		t.Errorf("%s: Access-Control-Allow-Origin %q, want %q", what, got, want)
	}
	if got := res.Header.Get("Access-Control-Allow-Credentials"); got != "" {
		t.Errorf("%s: Access-Control-Allow-Credentials %q", what, got)
	}
}

func do(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

func TestParseOrigins(t *testing.T) {
	for spec, want := range map[string]string{
		"":    "",
		" , ": "",
		"*":   "*",
		"https://crm.example.com, http://127.0.0.1:5173": "https://crm.example.com|http://127.0.0.1:5173",
	} {
		got, err := ParseOrigins(spec)
		if err != nil || strings.Join(got, "|") != want {
			t.Errorf("ParseOrigins(%q) = %q, %v; want %q", spec, got, err, want)
		}
	}
	for _, bad := range []string{"*,https://crm.example.com", "crm.example.com", "https://crm.example.com/", "https://crm.example.com/app",
		"ftp://crm.example.com", "https://*.example.com", "https://user@crm.example.com", "https://crm.example.com?x", "null", "https://"} {
		if got, err := ParseOrigins(bad); err == nil {
			t.Errorf("ParseOrigins(%q) = %q, want an error", bad, got)
		}
	}
	if _, err := New(Config{AllowedOrigins: []string{"https://crm.example.com/"}}); err == nil {
		t.Error("New took an origin with a path")
	}
}

// TestAPIAnswersAreNotSniffed: every answer of the API, an error and a refusal at the front
// door included, says nosniff.
func TestAPIAnswersAreNotSniffed(t *testing.T) {
	a := newTestAPI(t, limits.Limits{})
	for name, token := range map[string]string{"answered": testAdminKey, "refused": "tdk_wrong"} {
		req := mustRequest(a.srv.URL+listQueues, strings.NewReader("{}"), "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		if res := do(t, req); res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s (HTTP %d): X-Content-Type-Options %q", name, res.StatusCode, res.Header.Get("X-Content-Type-Options"))
		}
	}
}
