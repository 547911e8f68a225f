package cloud

import (
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

func TestEncodeCommand(t *testing.T) {
	tests := []struct {
		name string
		cmd  callcenter.Command
		want string
	}{
		{
			name: "dial",
			cmd: callcenter.Command{
				Type: callcenter.CommandDial, Call: "c1", AccessURL: "https://x", Offer: "o1",
				Contact: callcenter.Contact{Kind: callcenter.ContactUser, Target: "anna"},
				Timeout: 20 * time.Second, CallerID: "+15550100",
				Text: "not sent on a dial", Reason: "nor this",
			},
			want: `{"type":"dial","call_id":"c1","offer_id":"o1","contact":{"kind":"user","target":"anna"},"timeout_s":20,"caller_id":"+15550100"}`,
		},
		{
			name: "dial one leg of a ring",
			cmd: callcenter.Command{
				Type: callcenter.CommandDial, Call: "c1", Offer: "o4", RingAll: true,
				Contact: callcenter.Contact{Kind: callcenter.ContactUser, Target: "anna"}, Timeout: 20 * time.Second,
			},
			want: `{"type":"dial","call_id":"c1","offer_id":"o4","contact":{"kind":"user","target":"anna"},"timeout_s":20,"ring_all":true}`,
		},
		{
			name: "dial sip, no timeout or caller id",
			cmd: callcenter.Command{
				Type: callcenter.CommandDial, Call: "c1", Offer: "o2",
				Contact: callcenter.Contact{Kind: callcenter.ContactSIP, Target: "sip:bob@pbx.example.com"},
			},
			want: `{"type":"dial","call_id":"c1","offer_id":"o2","contact":{"kind":"sip","target":"sip:bob@pbx.example.com"}}`,
		},
		{
			name: "dial pstn, timeout rounded up",
			cmd: callcenter.Command{
				Type: callcenter.CommandDial, Call: "c1", Offer: "o3",
				Contact: callcenter.Contact{Kind: callcenter.ContactPSTN, Target: "+15550111"},
				Timeout: 1500 * time.Millisecond,
			},
			want: `{"type":"dial","call_id":"c1","offer_id":"o3","contact":{"kind":"pstn","target":"+15550111"},"timeout_s":2}`,
		},
		{
			name: "say",
			cmd:  callcenter.Command{Type: callcenter.CommandSay, Call: "c1", Text: `Your manager "Anna" is on vacation <until> Monday & back é`, Offer: "o1"},
			want: `{"type":"say","call_id":"c1","text":"Your manager \"Anna\" is on vacation <until> Monday & back é"}`,
		},
		{
			name: "ask",
			cmd:  callcenter.Command{Type: callcenter.CommandAsk, Call: "c1", Text: "Keep this manager?", QuestionID: "q1"},
			want: `{"type":"ask","call_id":"c1","text":"Keep this manager?","question_id":"q1"}`,
		},
		{
			name: "cancel",
			cmd:  callcenter.Command{Type: callcenter.CommandCancel, Call: "c1", Offer: "o1", Reason: "offer expired", Contact: callcenter.Contact{Kind: callcenter.ContactUser, Target: "anna"}},
			want: `{"type":"cancel","call_id":"c1","offer_id":"o1","reason":"offer expired"}`,
		},
		{
			name: "hangup",
			cmd:  callcenter.Command{Type: callcenter.CommandHangup, Call: "c1", Reason: "no operators"},
			want: `{"type":"hangup","call_id":"c1","reason":"no operators"}`,
		},
		{
			name: "hangup with a closed queue's message",
			cmd:  callcenter.Command{Type: callcenter.CommandHangup, Call: "c1", Text: "We are closed.", Reason: "closed: New Year", Offer: "o1"},
			want: `{"type":"hangup","call_id":"c1","text":"We are closed.","reason":"closed: New Year"}`,
		},
		{
			name: "forward",
			cmd: callcenter.Command{Type: callcenter.CommandForward, Call: "c1", Contact: callcenter.Contact{Kind: callcenter.ContactPSTN, Target: "+14155550100"},
				Text: "Our partners will help you.", CallerID: "+15550100", Reason: "closed until Mon 09:00", Offer: "o1", Timeout: time.Minute},
			want: `{"type":"forward","call_id":"c1","contact":{"kind":"pstn","target":"+14155550100"},"caller_id":"+15550100","text":"Our partners will help you.","reason":"closed until Mon 09:00"}`,
		},
		{
			name: "hold",
			cmd:  callcenter.Command{Type: callcenter.CommandHold, Call: "c1", MusicURL: "https://cdn.example/hold.mp3", Reason: "not sent"},
			want: `{"type":"hold","call_id":"c1","music_url":"https://cdn.example/hold.mp3"}`,
		},
		{
			name: "resume",
			cmd:  callcenter.Command{Type: callcenter.CommandResume, Call: "c1", MusicURL: "https://cdn.example/hold.mp3"},
			want: `{"type":"resume","call_id":"c1"}`,
		},
		{
			name: "warm transfer",
			cmd:  callcenter.Command{Type: callcenter.CommandTransfer, Call: "c1", Mode: callcenter.TransferWarm, Offer: "o2", Contact: callcenter.Contact{Kind: callcenter.ContactUser, Target: "boris"}, Timeout: 20 * time.Second, CallerID: "+1555", MusicURL: "https://cdn.example/hold.mp3"},
			want: `{"type":"transfer","call_id":"c1","offer_id":"o2","contact":{"kind":"user","target":"boris"},"timeout_s":20,"caller_id":"+1555","music_url":"https://cdn.example/hold.mp3","mode":"warm"}`,
		},
		{
			name: "blind transfer to a queue",
			cmd:  callcenter.Command{Type: callcenter.CommandTransfer, Call: "c1", Mode: callcenter.TransferBlind, MusicURL: "https://cdn.example/sales.mp3", Timeout: time.Second},
			want: `{"type":"transfer","call_id":"c1","music_url":"https://cdn.example/sales.mp3","mode":"blind"}`,
		},
		{
			name: "complete transfer",
			cmd:  callcenter.Command{Type: callcenter.CommandCompleteTransfer, Call: "c1", Offer: "o2", Reason: "not sent"},
			want: `{"type":"complete_transfer","call_id":"c1","offer_id":"o2"}`,
		},
		{
			name: "cancel transfer",
			cmd:  callcenter.Command{Type: callcenter.CommandCancelTransfer, Call: "c1", Offer: "o2", Reason: "cancelled by anna"},
			want: `{"type":"cancel_transfer","call_id":"c1","offer_id":"o2","reason":"cancelled by anna"}`,
		},
		{
			name: "hangup without reason",
			cmd:  callcenter.Command{Type: callcenter.CommandHangup, Call: "c1"},
			want: `{"type":"hangup","call_id":"c1"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EncodeCommand(tt.cmd)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestEncodeCommandRejects(t *testing.T) {
	user := callcenter.Contact{Kind: callcenter.ContactUser, Target: "anna"}
	for name, cmd := range map[string]callcenter.Command{
		"unknown type":                  {Type: "teleport", Call: "c1"},
		"transfer without mode":         {Type: callcenter.CommandTransfer, Call: "c1", Offer: "o1", Contact: user},
		"warm transfer without contact": {Type: callcenter.CommandTransfer, Call: "c1", Mode: callcenter.TransferWarm},
		"no type":                       {Call: "c1"},
		"no call":                       {Type: callcenter.CommandSay, Text: "hi"},
		"dial without target":           {Type: callcenter.CommandDial, Call: "c1", Contact: callcenter.Contact{Kind: callcenter.ContactUser}},
		"dial with bad kind":            {Type: callcenter.CommandDial, Call: "c1", Contact: callcenter.Contact{Kind: "fax", Target: "1"}},
		"dial without kind":             {Type: callcenter.CommandDial, Call: "c1", Contact: callcenter.Contact{Target: "anna"}},
		"invalid utf-8":                 {Type: callcenter.CommandDial, Call: "c1", Contact: user, CallerID: "\xff"},
		"forward without a contact":     {Type: callcenter.CommandForward, Call: "c1", Text: "hi"},
	} {
		if b, err := EncodeCommand(cmd); err == nil {
			t.Errorf("%s: got %s, want an error", name, b)
		}
	}
}
