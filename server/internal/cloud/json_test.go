package cloud

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoregistry"

	callintakev1 "github.com/tandemcc/tandem/gen/go/tandem/callintake/v1"
	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// generic is JSON as plain values, to compare documents whatever their spacing.
func generic(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return v
}

// TestJSONCodecWritesProtoNames: the replies on the REST paths have the proto field names as
// keys, and a command in an event's reply is the same JSON as the command POSTed to a session.
func TestJSONCodecWritesProtoNames(t *testing.T) {
	codec := NewJSONCodec(protoregistry.GlobalTypes)

	reg, err := codec.MarshalAppend(nil, &callintakev1.RegisterCallResponse{CallId: "c1", QueueId: "support", Position: 2,
		HoldMusicUrl: "https://media.example.com/hold.mp3", Greeting: "Hello"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"call_id": "c1", "queue_id": "support", "position": 2.0, "hold_music_url": "https://media.example.com/hold.mp3", "greeting": "Hello"}
	if got := generic(t, reg); !reflect.DeepEqual(got, want) {
		t.Errorf("RegisterCall reply %s, want %v", reg, want)
	}

	empty, err := codec.MarshalAppend(nil, &callintakev1.ReportCallEventResponse{})
	if err != nil {
		t.Fatal(err)
	}
	if string(empty) != "{}" {
		t.Errorf("a reply with no next command is %s, want {}", empty)
	}

	for _, cmd := range []callcenter.Command{
		{Type: callcenter.CommandDial, Call: "c1", Offer: "o1", Contact: callcenter.Contact{Kind: callcenter.ContactUser, Target: "anna"},
			Timeout: 20 * time.Second, CallerID: "+15550100"},
		{Type: callcenter.CommandAsk, Call: "c1", Text: "Keep this manager?", QuestionID: "q1"},
	} {
		msg, err := CommandMessage(cmd)
		if err != nil {
			t.Fatal(err)
		}
		reply, err := codec.MarshalAppend(nil, &callintakev1.ReportCallEventResponse{Next: msg})
		if err != nil {
			t.Fatal(err)
		}
		posted, err := EncodeCommand(cmd)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := generic(t, reply), map[string]any{"next": generic(t, posted)}; !reflect.DeepEqual(got, want) {
			t.Errorf("%s in a reply: %s, want next = the command POSTed, %s", cmd.Type, reply, posted)
		}
	}
}

// TestJSONCodecReads: requests are read by either name of a field (proto names are what the
// scenario sends); an unknown field is an error.
func TestJSONCodecReads(t *testing.T) {
	codec := NewJSONCodec(protoregistry.GlobalTypes)
	want := &callintakev1.RegisterCallRequest{RequestId: "r-1", AccessSecureUrl: "https://cloud.example/s/1", DialedNumber: "+15550001000",
		SipHeaders: map[string]string{"X-Tier": "gold"}}
	for _, body := range []string{
		`{"request_id":"r-1","access_secure_url":"https://cloud.example/s/1","dialed_number":"+15550001000","sip_headers":{"X-Tier":"gold"}}`,
		`{"requestId":"r-1","accessSecureUrl":"https://cloud.example/s/1","dialedNumber":"+15550001000","sipHeaders":{"X-Tier":"gold"}}`,
	} {
		got := &callintakev1.RegisterCallRequest{}
		if err := codec.Unmarshal([]byte(body), got); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if !proto.Equal(got, want) {
			t.Errorf("%s read as %v, want %v", body, got, want)
		}
	}
	if err := codec.Unmarshal([]byte(`{"request_id":"r-1","dialled_number":"+15550001000"}`), &callintakev1.RegisterCallRequest{}); err == nil {
		t.Error("an unknown field was read without an error")
	}
}
