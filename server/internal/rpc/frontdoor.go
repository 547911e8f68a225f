package rpc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	"github.com/tandemcc/tandem/server/internal/rpc/auth"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
	"github.com/tandemcc/tandem/server/internal/rpc/limits"
)

// frontDoor is what every request passes before the mux: its body and writes are capped, its
// caller identified and rate-limited, and the cloud's JSON checked; a refusal is answered in the
// request's own protocol.
type frontDoor struct {
	auth   *auth.Authenticator
	limits *limits.Limiters
	log    *slog.Logger
	errors *connect.ErrorWriter
}

func (d *frontDoor) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w, r, done := d.admit(w, r)
		if done == nil {
			return // refused, and answered
		}
		defer done()
		next.ServeHTTP(w, r)
	})
}

// admit lets a request in, returning its capped writer and the request with its caller, and the
// function to call once it has been served; or answers its refusal and returns a nil done. It
// is a function of its own so that the frame wrap keeps under every open stream is small (see
// presence's WatchOperator).
//
//go:noinline
func (d *frontDoor) admit(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *http.Request, func()) {
	addr := d.auth.ClientAddress(r)
	r = r.WithContext(auth.WithAddress(r.Context(), addr))
	w, done := d.limits.CapWrites(w)
	refuse := func(err error) (http.ResponseWriter, *http.Request, func()) {
		d.writeError(w, r, err)
		done()
		return nil, nil, nil
	}
	if err := d.limits.CapBody(w, r); err != nil {
		return refuse(err)
	}
	p, cloudBody, err := d.identify(r)
	if err != nil {
		// Bad credentials count against the address, so guessing them is rate-limited too.
		if lerr := d.limits.Allow(nil, addr); lerr != nil {
			err = lerr
		} else {
			// Said once per refusal that got through the limiter: a wrong secret or key is
			// then visible in the log without letting a flood of guesses flood it.
			d.log.WarnContext(r.Context(), "credentials refused", "path", r.URL.Path, "address", addr, "code", connect.CodeOf(err), "err", err)
		}
		return refuse(err)
	}
	if err := d.limits.Allow(p, addr); err != nil {
		return refuse(err)
	}
	if p != nil && p.Role == auth.RoleCloud {
		if err := checkCloudJSON(r.URL.Path, cloudBody); err != nil {
			return refuse(err)
		}
	}
	if p != nil {
		r = r.WithContext(auth.With(r.Context(), *p))
	}
	return w, r, done
}

// identify returns the caller (nil: no credentials) and, for the cloud, the body it signed.
func (d *frontDoor) identify(r *http.Request) (*auth.Principal, []byte, error) {
	if !auth.Signed(r) {
		p, err := d.auth.Bearer(r)
		return p, nil, err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, nil, limits.BodyError(err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	p, err := d.auth.Cloud(r, body)
	return p, body, err
}

// checkCloudJSON reads a body for the cloud's REST paths before the transcoder does, so every
// malformed body gets invalid_argument (the transcoder reports some, like a oneof set twice, as
// internal errors), and a path that is not in its clean form (an empty call id) or not UTF-8 is
// refused rather than redirected or failed.
func checkCloudJSON(urlPath string, body []byte) error {
	if !strings.HasPrefix(urlPath, "/v1/") {
		return nil
	}
	if path.Clean(urlPath) != urlPath {
		return connect.NewError(connect.CodeInvalidArgument, errors.New("malformed path: call_id required"))
	}
	if !utf8.ValidString(urlPath) {
		return connect.NewError(connect.CodeInvalidArgument, errors.New("malformed path: call_id is not UTF-8"))
	}
	var m proto.Message = &callintakev1.ReportCallEventRequest{}
	if urlPath == "/v1/calls" {
		m = &callintakev1.RegisterCallRequest{}
	}
	if len(body) == 0 {
		return nil
	}
	if err := protojson.Unmarshal(body, m); err != nil {
		return connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("request body: %w", err))
	}
	return nil
}

// httpStatus is the HTTP status of an error on the REST paths, as the transcoder gives them.
func httpStatus(code connect.Code) int {
	switch code {
	case connect.CodeUnauthenticated:
		return http.StatusUnauthorized
	case connect.CodePermissionDenied:
		return http.StatusForbidden
	case connect.CodeResourceExhausted:
		return http.StatusTooManyRequests
	case connect.CodeInvalidArgument:
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// writeError answers in the request's protocol: Connect, gRPC, gRPC-Web, or for REST a
// google.rpc.Status in JSON, as the transcoder does for errors further in.
func (d *frontDoor) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := 0
	var le *limits.Error
	if errors.As(err, &le) {
		status = le.Status
		if le.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((le.RetryAfter+time.Second-1)/time.Second)))
		}
		err = le.Err
	}
	err = codes.ToConnect(r.Context(), err)
	// A plain JSON POST looks like Connect to the error writer; the REST paths tell them apart.
	if !strings.HasPrefix(r.URL.Path, "/v1/") && d.errors.IsSupported(r) {
		_ = d.errors.Write(w, r, err)
		return
	}
	var ce *connect.Error
	errors.As(err, &ce)
	if status == 0 {
		status = httpStatus(ce.Code())
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": int(ce.Code()), "message": ce.Message()})
}
