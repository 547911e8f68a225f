package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

var indexHTML = "<!doctype html><title>Tandem</title><div id=app></div>" + strings.Repeat(" ", 600)

func built() fstest.MapFS {
	return fstest.MapFS{
		"index.html":             {Data: []byte(indexHTML)},
		"assets/index-AbC123.js": {Data: []byte("console.log('app');" + strings.Repeat("x", 2000))},
		"assets/logo-9f.png":     {Data: []byte("\x89PNG\r\n\x1a\nnot really")},
		".keep":                  {Data: nil},
	}
}

func get(t *testing.T, h http.Handler, method, target string, header ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestServesTheBuiltApp(t *testing.T) {
	h, err := New(built(), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, method, path string
		status             int
		ctype, cache, body string
	}{
		{"root is the app", "GET", "/", 200, "text/html; charset=utf-8", "no-cache", "<title>Tandem</title>"},
		{"index by name", "GET", "/index.html", 200, "text/html; charset=utf-8", "no-cache", "<title>Tandem</title>"},
		{"a route of the app", "GET", "/desk/today", 200, "text/html; charset=utf-8", "no-cache", "<title>Tandem</title>"},
		{"hashed asset", "GET", "/assets/index-AbC123.js", 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "console.log('app');"},
		{"binary asset", "GET", "/assets/logo-9f.png", 200, "image/png", "public, max-age=31536000, immutable", "not really"},
		{"missing asset", "GET", "/assets/index-old.js", 404, "text/plain; charset=utf-8", "", "not found"},
		{"missing file with an extension", "GET", "/favicon.ico", 404, "text/plain; charset=utf-8", "", "not found"},
		{"dot files stay hidden", "GET", "/.keep", 404, "text/plain; charset=utf-8", "", "not found"},
		{"no escaping dist", "GET", "/../../etc/passwd.conf", 404, "text/plain; charset=utf-8", "", "not found"},
		{"head", "HEAD", "/", 200, "text/html; charset=utf-8", "no-cache", ""},
		{"post is not a page load", "POST", "/", 404, "text/plain; charset=utf-8", "", "not found"},
		{"an API path that does not exist", "GET", "/tandem.nope.v1.NopeService/Get", 404, "text/plain; charset=utf-8", "", "not found"},
		{"a REST path that does not exist", "GET", "/v1/nope", 404, "text/plain; charset=utf-8", "", "not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := get(t, h, tc.method, tc.path)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			if got := res.Header.Get("Content-Type"); got != tc.ctype {
				t.Errorf("content type %q, want %q", got, tc.ctype)
			}
			if got := res.Header.Get("Cache-Control"); got != tc.cache {
				t.Errorf("cache control %q, want %q", got, tc.cache)
			}
			if b := body(t, res); !strings.Contains(b, tc.body) || tc.method == "HEAD" && b != "" {
				t.Errorf("body %.80q, want it to contain %q", b, tc.body)
			}
		})
	}
}

// TestEveryResponseIsLockedDown: the page, its assets (an SVG opened on its own is a document),
// a 404 and the placeholder all carry a CSP that allows this origin only, with no inline script,
// no plugins, no <base>, no framing, and the headers for browsers that predate it.
func TestEveryResponseIsLockedDown(t *testing.T) {
	h, _ := New(built(), "")
	unbuilt, _ := New(fstest.MapFS{".keep": {Data: nil}}, "")
	for _, tc := range []struct {
		name string
		h    http.Handler
		path string
	}{
		{"the page", h, "/"},
		{"a route of the app", h, "/supervisor"},
		{"a script", h, "/assets/index-AbC123.js"},
		{"an image", h, "/assets/logo-9f.png"},
		{"a missing asset", h, "/assets/index-old.js"},
		{"not a page load", h, "/tandem.nope.v1.NopeService/Get"},
		{"the placeholder", unbuilt, "/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := get(t, tc.h, "GET", tc.path)
			csp := res.Header.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			// The one wildcard allowed: Voximplant's hosts, for the browser phone (connect-src only).
			if rest := strings.Replace(csp, "connect-src 'self' "+voximplantHosts+";", "", 1); strings.Contains(rest, "unsafe-") || strings.Contains(rest, "data:") || strings.Contains(rest, "*") {
				t.Errorf("CSP %q allows more than this origin", csp)
			}
			for header, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"} {
				if got := res.Header.Get(header); got != want {
					t.Errorf("%s %q, want %q", header, got, want)
				}
			}
		})
	}
	app := get(t, h, "GET", "/").Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self';", "style-src 'self';", "img-src 'self';", "connect-src 'self' https://*.voximplant.com wss://*.voximplant.com;", "media-src 'self' https:;", "object-src 'none';", "form-action 'self';"} {
		if !strings.Contains(app, want) {
			t.Errorf("app CSP %q lacks %q", app, want)
		}
	}
}

// TestPlaceholderStyleIsAllowedByHash: the placeholder's inline style is allowed by its own hash
// (so the page looks as meant) and the policy allows no script at all.
func TestPlaceholderStyleIsAllowedByHash(t *testing.T) {
	h, _ := New(fstest.MapFS{".keep": {Data: nil}}, "")
	res := get(t, h, "GET", "/")
	b := body(t, res)
	start, end := strings.Index(b, "<style>")+len("<style>"), strings.Index(b, "</style>")
	if start < len("<style>") || end < start {
		t.Fatalf("no inline style in %q", b)
	}
	sum := sha256.Sum256([]byte(b[start:end]))
	csp := res.Header.Get("Content-Security-Policy")
	if want := "style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, want) {
		t.Fatalf("CSP %q lacks %q", csp, want)
	}
	if strings.Contains(csp, "script-src") || strings.Contains(b, "<script") {
		t.Fatalf("placeholder allows or has a script: %q", csp)
	}
}

func TestGzipAndRevalidation(t *testing.T) {
	h, _ := New(built(), "")
	res := get(t, h, "GET", "/assets/index-AbC123.js", "Accept-Encoding", "br, gzip;q=0.8")
	if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("headers %v", res.Header)
	}
	zr, err := gzip.NewReader(bytes.NewReader([]byte(body(t, res))))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !strings.HasPrefix(string(plain), "console.log('app');") {
		t.Fatalf("gunzipped %.40q", plain)
	}
	for _, ae := range []string{"", "identity", "gzip;q=0", "br"} {
		if res := get(t, h, "GET", "/assets/index-AbC123.js", "Accept-Encoding", ae); res.Header.Get("Content-Encoding") != "" {
			t.Errorf("Accept-Encoding %q got %q", ae, res.Header.Get("Content-Encoding"))
		}
	}
	plainTag := get(t, h, "GET", "/").Header.Get("ETag")
	gzTag := get(t, h, "GET", "/", "Accept-Encoding", "gzip").Header.Get("ETag")
	if plainTag == "" || plainTag == gzTag {
		t.Fatalf("etags %q and %q", plainTag, gzTag)
	}
	if res := get(t, h, "GET", "/", "If-None-Match", plainTag); res.StatusCode != http.StatusNotModified {
		t.Fatalf("revalidation: %d", res.StatusCode)
	}
	if res := get(t, h, "GET", "/", "If-None-Match", `"other"`); res.StatusCode != http.StatusOK {
		t.Fatalf("changed index: %d", res.StatusCode)
	}
}

func TestPlaceholderWhenNotBuilt(t *testing.T) {
	h, err := New(fstest.MapFS{".keep": {Data: nil}}, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/", "/desk"} {
		res := get(t, h, "GET", p)
		if b := body(t, res); res.StatusCode != 200 || !strings.Contains(b, "built without the operator app") || !strings.Contains(b, "make build") {
			t.Fatalf("%s: %d %q", p, res.StatusCode, b)
		}
		if res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("placeholder cached: %q", res.Header.Get("Cache-Control"))
		}
	}
	if res := get(t, h, "GET", "/assets/index-x.js"); res.StatusCode != 404 {
		t.Fatalf("asset of an unbuilt app: %d", res.StatusCode)
	}
}

func TestEmbeddedAppLoads(t *testing.T) {
	// Built or not, the embedded files make a handler that answers /.
	res := get(t, Handler(""), "GET", "/")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / on the embedded app: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// TestEmulatedSDKOriginJoinsConnectSrcOnlyWhenGiven: with --voximplant-emulator the app may
// also connect to that one origin (connect-src only); without it, the policy is unchanged.
func TestEmulatedSDKOriginJoinsConnectSrcOnlyWhenGiven(t *testing.T) {
	plain, _ := New(built(), "")
	emulated, _ := New(built(), "http://127.0.0.1:9100")
	if csp := get(t, plain, "GET", "/").Header.Get("Content-Security-Policy"); strings.Contains(csp, "127.0.0.1") || csp != appPolicy {
		t.Errorf("without an emulator the CSP is %q, want %q", csp, appPolicy)
	}
	csp := get(t, emulated, "GET", "/").Header.Get("Content-Security-Policy")
	if want := "connect-src 'self' http://127.0.0.1:9100 " + voximplantHosts + ";"; !strings.Contains(csp, want) {
		t.Errorf("CSP %q lacks %q", csp, want)
	}
	if strings.Count(csp, "127.0.0.1") != 1 {
		t.Errorf("CSP %q names the emulator outside connect-src", csp)
	}
}
