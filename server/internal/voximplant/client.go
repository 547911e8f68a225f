package voximplant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tandemcc/tandem/server/internal/clock"
)

// DefaultAPIURL is the Management API's base URL; a method is POSTed to it + the method's name.
const DefaultAPIURL = "https://api.voximplant.com/platform_api/"

// Defaults of a Client.
const (
	// DefaultTokenTTL is how long a JWT is valid. Voximplant accepts exp up to iat + 3600 s.
	DefaultTokenTTL = 10 * time.Minute
	// DefaultTimeout bounds one request when the caller's context has no earlier deadline.
	DefaultTimeout = 10 * time.Second

	tokenRefresh  = time.Minute // a token this close to its exp is replaced before use
	maxTokenTTL   = time.Hour
	maxReplyBytes = 64 << 10
	// CustomDataLimit is VoxEngine's limit on a session's custom data (script_custom_data).
	CustomDataLimit = 200
)

// Config configures a Client. Key is required.
type Config struct {
	// APIURL is the Management API's base URL. Default DefaultAPIURL; tests and the demo point
	// it at the emulator.
	APIURL string
	Key    *Key
	// Client sends the requests. Default: one that does not follow redirects (a redirected POST
	// loses its body, and the bearer token must go to the API only).
	Client *http.Client
	// Clock stamps the tokens. Default: the wall clock.
	Clock clock.Clock
	// TokenTTL is the lifetime of each JWT, at most an hour. Default 10 minutes.
	TokenTTL time.Duration
	// Logger. Default: slog.Default(). Nothing secret is logged: neither the token nor the key
	// nor the custom data (it carries a callback token).
	Logger *slog.Logger
}

// Client calls the Management API. It is safe for concurrent use.
type Client struct {
	base   *url.URL
	key    *Key
	client *http.Client
	clock  clock.Clock
	ttl    time.Duration
	log    *slog.Logger

	mu      sync.Mutex
	token   string
	expires time.Time
}

// New returns a Client, or an error naming what is wrong with cfg.
func New(cfg Config) (*Client, error) {
	if cfg.Key == nil || cfg.Key.Private == nil {
		return nil, errors.New("voximplant: no service account key")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	base, err := url.Parse(cfg.APIURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" || base.RawQuery != "" || base.User != nil {
		return nil, fmt.Errorf("voximplant: API URL %q is not an http:// or https:// URL with a host", cfg.APIURL)
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = DefaultTokenTTL
	}
	if cfg.TokenTTL > maxTokenTTL {
		return nil, fmt.Errorf("voximplant: token lifetime %s is over Voximplant's hour", cfg.TokenTTL)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Client{base: base, key: cfg.Key, client: cfg.Client, clock: cfg.Clock, ttl: cfg.TokenTTL, log: cfg.Logger}, nil
}

// APIURL is the base URL the client calls.
func (c *Client) APIURL() string { return c.base.String() }

// bearer returns a valid JWT, signing a new one when the last is missing or about to expire.
// The token (RS256, header kid = key_id) carries iss = the account id, iat and exp, as
// Voximplant's service-account authorization asks.
func (c *Client) bearer() (string, error) {
	now := c.clock.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && now.Add(tokenRefresh).Before(c.expires) {
		return c.token, nil
	}
	exp := now.Add(c.ttl)
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss": c.key.AccountID,
		"iat": now.Unix(),
		"exp": exp.Unix(),
	})
	t.Header["kid"] = c.key.KeyID
	signed, err := t.SignedString(c.key.Private)
	if err != nil {
		return "", fmt.Errorf("voximplant: sign token with %s: %w", c.key, err)
	}
	c.token, c.expires = signed, exp
	return signed, nil
}

// Session is a media session StartScenarios started.
type Session struct {
	// AccessURL and AccessSecureURL are the session's control URLs (media_session_access_url
	// and …_secure_url): a request to one is an AppEvents.HttpRequest in the scenario.
	AccessURL       string
	AccessSecureURL string
	// HistoryID is call_session_history_id when the API gives it (0 otherwise): the session's
	// id in Voximplant's call history.
	HistoryID int64
}

// StartScenarios runs the scenarios of the routing rule ruleID in a new media session, with
// customData (at most 200 bytes) as VoxEngine.customData(). No call comes in: the scenario
// places its calls itself. Errors are *Error (the API or the HTTP status said no) or
// transport errors; IsRetryable tells which are worth another try.
func (c *Client) StartScenarios(ctx context.Context, ruleID int64, customData string) (Session, error) {
	if ruleID <= 0 {
		return Session{}, &Error{Method: "StartScenarios", Code: CodeInvalidArguments, Message: "rule_id must be a positive number", Field: "rule_id"}
	}
	if len(customData) > CustomDataLimit {
		return Session{}, &Error{Method: "StartScenarios", Code: CodeInvalidArguments, Message: fmt.Sprintf("script_custom_data is %d bytes; VoxEngine takes at most %d", len(customData), CustomDataLimit), Field: "script_custom_data"}
	}
	form := url.Values{"rule_id": {strconv.FormatInt(ruleID, 10)}}
	if customData != "" {
		form.Set("script_custom_data", customData)
	}
	var reply struct {
		Result                      json.Number `json:"result"`
		MediaSessionAccessURL       string      `json:"media_session_access_url"`
		MediaSessionAccessSecureURL string      `json:"media_session_access_secure_url"`
		CallSessionHistoryID        json.Number `json:"call_session_history_id"`
	}
	if err := c.call(ctx, "StartScenarios", form, &reply); err != nil {
		return Session{}, err
	}
	if reply.MediaSessionAccessURL == "" && reply.MediaSessionAccessSecureURL == "" {
		return Session{}, &Error{Method: "StartScenarios", Status: http.StatusOK, Message: "the reply has no media_session_access_url"}
	}
	s := Session{AccessURL: reply.MediaSessionAccessURL, AccessSecureURL: reply.MediaSessionAccessSecureURL}
	if s.AccessURL == "" {
		s.AccessURL = s.AccessSecureURL
	}
	if s.AccessSecureURL == "" {
		s.AccessSecureURL = s.AccessURL
	}
	s.HistoryID, _ = reply.CallSessionHistoryID.Int64()
	return s, nil
}

// call POSTs form (application/x-www-form-urlencoded) to method with the bearer JWT and decodes
// the JSON reply into out. Voximplant answers a refused request with HTTP 200 and
// {"error": {"code", "msg", "field_name"?}}; that, and any status but 2xx, is an *Error.
func (c *Client) call(ctx context.Context, method string, form url.Values, out any) error {
	token, err := c.bearer()
	if err != nil {
		return err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	target := c.base.JoinPath(method).String()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("voximplant %s: %w", method, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	started := c.clock.Now()
	res, err := c.client.Do(req)
	if err != nil {
		// The URL carries nothing secret; the error may wrap it, never the headers.
		return &TransportError{Method: method, Err: err}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxReplyBytes))
	if err != nil {
		return &TransportError{Method: method, Err: err}
	}
	var envelope struct {
		Error *struct {
			Code  int    `json:"code"`
			Msg   string `json:"msg"`
			Field string `json:"field_name"`
		} `json:"error"`
	}
	jsonErr := json.Unmarshal(body, &envelope)
	if jsonErr == nil && envelope.Error != nil {
		e := &Error{Method: method, Status: res.StatusCode, Code: envelope.Error.Code, Message: envelope.Error.Msg, Field: envelope.Error.Field}
		c.log.Warn("voximplant API refused", "method", method, "status", res.StatusCode, "code", e.Code, "msg", e.Message)
		return e
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		e := &Error{Method: method, Status: res.StatusCode, Message: http.StatusText(res.StatusCode)}
		if d, err := http.ParseTime(res.Header.Get("Retry-After")); err == nil {
			e.RetryAfter = d.Sub(c.clock.Now())
		} else if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && s > 0 {
			e.RetryAfter = time.Duration(s) * time.Second
		}
		c.log.Warn("voximplant API failed", "method", method, "status", res.StatusCode)
		return e
	}
	if jsonErr != nil {
		return &Error{Method: method, Status: res.StatusCode, Message: "the reply is not JSON"}
	}
	if err := json.Unmarshal(body, out); err != nil {
		return &Error{Method: method, Status: res.StatusCode, Message: "unexpected reply: " + err.Error()}
	}
	c.log.Debug("voximplant API call", "method", method, "ms", c.clock.Now().Sub(started).Milliseconds())
	return nil
}
