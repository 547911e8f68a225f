// Package web serves the operator app: the Vite build in dist/, embedded into the tandem binary
// and served on every path the API does not own. Built files are served as they are (hashed
// assets cached for a year, the rest revalidated), paths without an extension are the app's own
// routes and get index.html, and a missing asset is a 404. A binary built before the app shows a
// placeholder page that says how to build it.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

// dist holds the built app. It is empty but for .keep until `make web` (npm ci, vite build)
// has run: embed needs the directory to exist, and .keep is the only file committed.
//
//go:embed all:dist
var dist embed.FS

// Handler serves the app embedded in this binary. emulatorOrigin is the origin of an emulated
// Voximplant Web SDK endpoint (tandem serve --voximplant-emulator, for the demo and tests) the
// app may also connect to; "" in production.
func Handler(emulatorOrigin string) http.Handler {
	files, err := fs.Sub(dist, "dist")
	if err == nil {
		var h http.Handler
		if h, err = New(files, emulatorOrigin); err == nil {
			return h
		}
	}
	panic(fmt.Sprintf("web: the embedded app cannot be read: %v", err)) // cannot happen: embed checked it at build time
}

// file is one built file, read and hashed once at start.
type file struct {
	name     string
	body     []byte
	gzipped  []byte // nil when compressing does not pay
	ctype    string
	etag     string
	cacheFor string // Cache-Control
}

type server struct {
	files  map[string]*file
	index  *file  // nil: the app was not built
	policy string // appPolicy, with the emulated SDK's origin when there is one
}

// immutable is for Vite's content-hashed assets: their name changes whenever they do.
const (
	immutable  = "public, max-age=31536000, immutable"
	revalidate = "no-cache"
	assetsDir  = "assets/"
	indexName  = "index.html"
)

// appPolicy is the Content-Security-Policy of every response from the app: it may load its own
// scripts, styles and images from this origin and talk to this origin's API and to Voximplant.
// The build has no inline script or style, no eval and no data: URL (the icon is a file), and
// Preact and uPlot set styles through the CSSOM (element.style), which CSP does not govern, so
// style-src needs no 'unsafe-inline'. No page may frame it (clickjacking); <base> and plugins
// are refused; forms post only here. The browser phone's Web SDK is bundled (script-src 'self')
// and talks to Voximplant: its balancer over HTTPS and a media gateway over a WebSocket, both
// under voximplant.com (voximplantHosts); its audio comes as a MediaStream, which media-src
// does not govern. Call recordings play from the cloud's storage (Voximplant's hosts, or the
// account's own S3-compatible storage), whose host varies by region and account: media-src
// allows any https origin, for <audio> only.
const appPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self' " + voximplantHosts + "; " +
	"media-src 'self' https:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// policyWith is appPolicy with one more origin in connect-src (none when origin is "").
func policyWith(origin string) string {
	if origin == "" {
		return appPolicy
	}
	return strings.Replace(appPolicy, "connect-src 'self' ", "connect-src 'self' "+origin+" ", 1)
}

// voximplantHosts are the only other hosts the app may reach: Voximplant's, for the browser phone.
const voximplantHosts = "https://*.voximplant.com wss://*.voximplant.com"

// placeholderPolicy allows the placeholder page's one inline style by its hash, and nothing else.
var placeholderPolicy = "default-src 'none'; style-src '" + styleHash(placeholderStyle) + "'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func styleHash(css string) string {
	sum := sha256.Sum256([]byte(css))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// secure sets the headers every response of the app carries, a 404 included: its CSP, no
// framing for browsers older than frame-ancestors (X-Frame-Options), no MIME sniffing, and no
// Referer sent anywhere (the app needs none, and its URLs name calls).
func secure(h http.Header, policy string) {
	h.Set("Content-Security-Policy", policy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

// New serves the built app in files (the contents of dist/). emulatorOrigin ("" for none) joins
// connect-src: the browser phone then talks to that emulated Web SDK endpoint.
func New(files fs.FS, emulatorOrigin string) (http.Handler, error) {
	s := &server{files: map[string]*file{}, policy: policyWith(emulatorOrigin)}
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(path.Base(name), ".") {
			return nil
		}
		body, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		s.files[name] = newFile(name, body)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.index = s.files[indexName]
	return s, nil
}

func newFile(name string, body []byte) *file {
	sum := sha256.Sum256(body)
	f := &file{name: name, body: body, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, cacheFor: revalidate}
	f.ctype = mime.TypeByExtension(path.Ext(name))
	if f.ctype == "" {
		f.ctype = http.DetectContentType(body)
	}
	if strings.HasPrefix(name, assetsDir) {
		f.cacheFor = immutable
	}
	if compressible(f.ctype) && len(body) > 512 {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(body)
		_ = zw.Close()
		if buf.Len() < len(body)*9/10 {
			f.gzipped = buf.Bytes()
		}
	}
	return f
}

func compressible(ctype string) bool {
	for _, p := range []string{"text/", "application/javascript", "text/javascript", "application/json", "image/svg+xml", "application/wasm", "application/manifest+json"} {
		if strings.HasPrefix(ctype, p) {
			return true
		}
	}
	return false
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	secure(w.Header(), s.policy)
	// Anything but a page load is a request for an API path that does not exist: answer as
	// the API did before the app was mounted here.
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" {
		name = indexName
	}
	if f := s.files[name]; f != nil {
		s.serve(w, r, f)
		return
	}
	// The app's own routes (/, /login, /anything) have no extension; a missing file has one,
	// and API paths (/pkg.Service/Method, /v1/…) are not the app's either.
	if name != indexName && (path.Ext(name) != "" || apiPath(name)) {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if s.index == nil {
		placeholder(w)
		return
	}
	s.serve(w, r, s.index)
}

func apiPath(name string) bool {
	first, _, _ := strings.Cut(name, "/")
	return strings.Contains(first, ".") || first == "v1"
}

func (s *server) serve(w http.ResponseWriter, r *http.Request, f *file) {
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("Cache-Control", f.cacheFor)
	body, etag := f.body, f.etag
	if f.gzipped != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			body, etag = f.gzipped, strings.TrimSuffix(f.etag, `"`)+`-gz"`
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reads an Accept-Encoding header: gzip (or *) listed and not refused with q=0.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "*" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if v, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(p)), "q="); ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
		}
		return q > 0
	}
	return false
}

const placeholderStyle = `body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#17211f}code{background:#eef1f0;padding:.1em .3em;border-radius:4px}`

const placeholderPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tandem</title>
<style>` + placeholderStyle + `</style>
</head><body>
<h1>Tandem is running</h1>
<p>The API is up, but this binary was built without the operator app.</p>
<p>Build the app and the binary again: <code>make build</code> (which runs <code>make web</code>: <code>npm ci</code> and <code>vite build</code> in <code>clients/web</code>), or <code>make demo</code>.</p>
</body></html>
`

func placeholder(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	secure(h, placeholderPolicy)
	_, _ = w.Write([]byte(placeholderPage))
}
