package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"testing"

	"connectrpc.com/connect"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	"github.com/tandemcc/tandem/server/internal/rpc/auth"
	"github.com/tandemcc/tandem/server/internal/rpc/limits"
)

// FuzzIntakeJSON posts any body, signed as the cloud signs, to the REST paths of CallIntake
// (RegisterCall and ReportCallEvent) through the whole handler: authentication, the JSON
// transcoder, input checks, the switchboard and the store. Whatever the body, the answer is a
// success or a clear client error in JSON — never a panic or an internal error — with the proto
// field names as keys, and a request that fails puts no call in line.
func FuzzIntakeJSON(f *testing.F) {
	a := newTestAPI(f, limits.Limits{Rates: map[auth.Role]limits.Rate{auth.RoleCloud: {PerSecond: 1e9, Burst: 1 << 30}, auth.Public: {PerSecond: 1e9, Burst: 1 << 30}}})
	a.setup()
	f.Add(false, "", []byte(`{"request_id":"r-1","access_url":"https://cloud.example/s/1","caller_number":"+15557654321","dialed_number":"`+testLine+`"}`))
	f.Add(false, "", []byte(`{"requestId":"r-2","accessSecureUrl":"https://cloud.example/s/2","dialedNumber":"8 (912) 345-67-89","sipHeaders":{"X-A":"b"},"priority":100,"arrivedAt":"2026-03-02T10:00:00Z"}`))
	f.Add(false, "", []byte(`{"request_id":"","dialed_number":null}`))
	f.Add(false, "", []byte(`[]`))
	f.Add(false, "", []byte(`{"priority":-1}`))
	f.Add(false, "", []byte(`{"request_id":"r-3","access_url":"javascript:alert(1)","dialed_number":"1"}`))
	f.Add(true, "call_1", []byte(`{"request_id":"r-4","offer_id":"offer_1","operator_answered":{"ring_time_ms":2300}}`))
	f.Add(true, "call_1", []byte(`{"request_id":"r-5","call_ended":{"hung_up_by":"HANGUP_PARTY_OPERATOR","talk_time_ms":61000}}`))
	f.Add(true, "call_1", []byte(`{"request_id":"r-6","dial_failed":{"code":486,"reason":"Busy Here"},"caller_abandoned":{}}`))
	f.Add(true, "../../admin", []byte(`{"request_id":"r-7","speech_answer":{"question_id":"q","verdict":"SPEECH_VERDICT_YES"}}`))
	f.Add(true, "", []byte("\x00\xff{"))
	ctx := context.Background()
	n := 0
	f.Fuzz(func(t *testing.T, event bool, call string, body []byte) {
		path := "/v1/calls"
		var reply proto.Message = &callintakev1.RegisterCallResponse{}
		if event {
			path = "/v1/calls/" + url.PathEscape(call) + "/events"
			reply = &callintakev1.ReportCallEventResponse{}
		}
		before, err := a.board.Calls(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		n++
		a.signer.SignRequest(req, "wh-fuzz-"+strconv.Itoa(n), a.clock.Now(), body)
		rec := httptest.NewRecorder()
		a.api.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			if !protoNamesJSON(rec.Body.Bytes(), reply) {
				t.Fatalf("200 with %q", rec.Body.String())
			}
			return
		case http.StatusNotFound:
			// An id the transcoder cannot route (an escaped slash): the path does not exist.
		case http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge:
			var status struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &status); err != nil || status.Message == "" || !protoNamesJSON(rec.Body.Bytes(), &spb.Status{}) ||
				connect.Code(status.Code) == connect.CodeInternal || connect.Code(status.Code) == connect.CodeUnknown {
				t.Fatalf("%s %q: HTTP %d, unclear error %s", path, body, rec.Code, rec.Body.String())
			}
		default:
			t.Fatalf("%s %q: HTTP %d %s", path, body, rec.Code, rec.Body.String())
		}
		after, err := a.board.Calls(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(before) {
			t.Fatalf("%s %q failed (%s) and changed the line: %d calls, %d before", path, body, rec.Body.String(), len(after), len(before))
		}
	})
}

// protoNamesJSON reports whether data is the JSON of a msg with the proto field names as keys, as
// Tandem writes the cloud's JSON (a protobuf JSON parser would take lowerCamelCase keys too).
func protoNamesJSON(data []byte, msg proto.Message) bool {
	if protojson.Unmarshal(data, msg) != nil {
		return false
	}
	again, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(msg)
	if err != nil {
		return false
	}
	var got, want any
	return json.Unmarshal(data, &got) == nil && json.Unmarshal(again, &want) == nil && reflect.DeepEqual(got, want)
}
