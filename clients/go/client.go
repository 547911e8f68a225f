// Package tandem is a small Go client for Tandem's API, for internal tools and tests: one
// constructor that sets the protocol and credentials, and the generated clients of every service.
package tandem

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"time"

	"connectrpc.com/connect"

	"github.com/tandemcc/tandem/gen/go/tandem/admin/v1/adminv1connect"
	"github.com/tandemcc/tandem/gen/go/tandem/analytics/v1/analyticsv1connect"
	"github.com/tandemcc/tandem/gen/go/tandem/assignment/v1/assignmentv1connect"
	"github.com/tandemcc/tandem/gen/go/tandem/callintake/v1/callintakev1connect"
	"github.com/tandemcc/tandem/gen/go/tandem/operatorpresence/v1/operatorpresencev1connect"
)

// Protocol is the wire protocol a Client speaks.
type Protocol string

const (
	Connect     Protocol = "connect"      // Connect with binary protobuf, HTTP/1.1
	ConnectJSON Protocol = "connect-json" // Connect with JSON, HTTP/1.1
	GRPC        Protocol = "grpc"         // gRPC over HTTP/2 without TLS (h2c)
)

// Client holds one generated client per service.
type Client struct {
	Intake     callintakev1connect.CallIntakeServiceClient
	Presence   operatorpresencev1connect.OperatorPresenceServiceClient
	Assignment assignmentv1connect.AssignmentServiceClient
	Analytics  analyticsv1connect.AnalyticsServiceClient
	Admin      adminv1connect.AdminServiceClient
}

type options struct {
	protocol Protocol
	bearer   string
	secret   string
	now      func() time.Time
	http     *http.Client
}

// Option configures a Client.
type Option func(*options)

// WithProtocol picks the wire protocol (default Connect).
func WithProtocol(p Protocol) Option { return func(o *options) { o.protocol = p } }

// WithToken authenticates as an operator with his session token, or as a tool with an API key.
func WithToken(token string) Option { return func(o *options) { o.bearer = token } }

// WithCloudSecret signs every request as the cloud scenario does (for CallIntake).
func WithCloudSecret(secret string) Option { return func(o *options) { o.secret = secret } }

// WithSigningClock sets the clock whose time signatures carry (time.Now by default): for tests
// that run the server on virtual time.
func WithSigningClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithHTTPClient sets the HTTP client (its transport, or the protocol's default one, is wrapped
// for credentials).
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.http = c } }

func apply(opts []Option) options {
	o := options{protocol: Connect, now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// HTTPClient returns the HTTP client New's clients use: the protocol's transport, with the
// credentials on every request. For calling the API by other means (a dynamic client, the JSON
// paths) with the same credentials.
func HTTPClient(opts ...Option) *http.Client { return httpClient(apply(opts)) }

func httpClient(o options) *http.Client {
	hc := o.http
	if hc == nil {
		hc = &http.Client{}
	}
	base := hc.Transport
	if base == nil {
		base = transportFor(o.protocol)
	}
	return &http.Client{Transport: &credentials{base: base, bearer: o.bearer, secret: o.secret, now: o.now}, Timeout: hc.Timeout}
}

// New returns a client of the server at baseURL ("http://127.0.0.1:8080").
func New(baseURL string, opts ...Option) *Client {
	o := apply(opts)
	hc := httpClient(o)
	var copts []connect.ClientOption
	switch o.protocol {
	case GRPC:
		copts = append(copts, connect.WithGRPC())
	case ConnectJSON:
		copts = append(copts, connect.WithProtoJSON())
	}
	return &Client{
		Intake:     callintakev1connect.NewCallIntakeServiceClient(hc, baseURL, copts...),
		Presence:   operatorpresencev1connect.NewOperatorPresenceServiceClient(hc, baseURL, copts...),
		Assignment: assignmentv1connect.NewAssignmentServiceClient(hc, baseURL, copts...),
		Analytics:  analyticsv1connect.NewAnalyticsServiceClient(hc, baseURL, copts...),
		Admin:      adminv1connect.NewAdminServiceClient(hc, baseURL, copts...),
	}
}

func transportFor(p Protocol) http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if p == GRPC {
		t.Protocols = new(http.Protocols)
		t.Protocols.SetUnencryptedHTTP2(true)
	}
	return t
}

// credentials adds the bearer token and, for the cloud, the webhook signature.
type credentials struct {
	base   http.RoundTripper
	bearer string
	secret string
	now    func() time.Time
}

func (c *credentials) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	if c.secret != "" && req.Body != nil {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		_ = req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		Sign(req.Header, c.secret, NewRequestID(), c.now(), body)
	}
	return c.base.RoundTrip(req)
}

// Sign sets the Standard Webhooks headers the cloud's requests carry: webhook-id,
// webhook-timestamp and webhook-signature, an HMAC-SHA256 keyed with the secret's bytes over
// "id.timestamp.body".
func Sign(h http.Header, secret, id string, at time.Time, body []byte) {
	stamp := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(id + "." + stamp + "."))
	mac.Write(body)
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", stamp)
	h.Set("webhook-signature", "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
}

// NewRequestID returns a fresh idempotency id.
func NewRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "req_" + hex.EncodeToString(b[:])
}
