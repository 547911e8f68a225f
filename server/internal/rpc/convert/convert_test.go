package convert

import (
	"testing"
	"time"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// TestMarksCarryTheScoreParts checks that the API sends the score and its parts from the
// domain's one computation: the client shows them and keeps no copy of the rule.
func TestMarksCarryTheScoreParts(t *testing.T) {
	m := cc.Marks{AnswerRate: 0.8, RingTime: 5 * time.Second, Score: 70}
	out := MarksOut(m)
	want := m.ComputeScore()
	if out.GetScore() != want.Points || out.GetScoreLostToMisses() != want.LostToMisses || out.GetScoreLostToSlowAnswers() != want.LostToSlowAnswers {
		t.Fatalf("marks out %v, computed %+v", out, want)
	}
	if d := out.GetScore() + out.GetScoreLostToMisses() + out.GetScoreLostToSlowAnswers() - 100; d > 1e-9 || d < -1e-9 {
		t.Errorf("score and parts add up to 100%+g", d)
	}
}

// TestCallbackToMakeHidesTheVoicemail: a status shows that the offered call (or the call in
// hand) is a callback, which try of how many, and the message's length; the message itself only
// once HearVoicemail adds it (the operator's own stream); an ordinary call has no callback.
func TestCallbackToMakeHidesTheVoicemail(t *testing.T) {
	cb := cc.Callback{Of: "call_1", Number: "+15550009999", Attempt: 2, VoicemailURL: "https://records.example.com/vm.mp3", VoicemailLength: 7 * time.Second}
	offered := cc.OperatorView{Operator: cc.Operator{ID: "op_1"}, CallbackAttempts: 3,
		Offer: &cc.OfferedCall{Offer: cc.Offer{ID: "offer_1"}, Call: cc.Call{ID: "call_2", Callback: cb}}}
	st := StatusOut(offered)
	got := st.GetOffer().GetCallback()
	if got.GetNumber() != cb.Number || got.GetAttempt() != 2 || got.GetAttempts() != 3 || got.GetVoicemailLengthMs() != 7000 || got.GetOfCallId() != "call_1" {
		t.Fatalf("offer's callback %v", got)
	}
	if got.GetVoicemailUrl() != "" {
		t.Fatalf("StatusOut gave the voicemail to whoever reads the status: %v", got)
	}
	HearVoicemail(st, offered)
	if st.GetOffer().GetCallback().GetVoicemailUrl() != cb.VoicemailURL {
		t.Fatalf("HearVoicemail: %v", st.GetOffer().GetCallback())
	}

	talking := cc.OperatorView{Operator: cc.Operator{ID: "op_1"}, CallbackAttempts: 3, Call: &cc.Call{ID: "call_2", Callback: cb}}
	st = StatusOut(talking)
	if st.GetCall().GetCallback().GetNumber() != cb.Number || st.GetCall().GetCallback().GetVoicemailUrl() != "" {
		t.Fatalf("call in hand's callback %v", st.GetCall().GetCallback())
	}
	HearVoicemail(st, talking)
	if st.GetCall().GetCallback().GetVoicemailUrl() != cb.VoicemailURL {
		t.Fatalf("HearVoicemail on the call in hand: %v", st.GetCall().GetCallback())
	}

	plain := StatusOut(cc.OperatorView{Offer: &cc.OfferedCall{Call: cc.Call{ID: "call_3", CallerNumber: "+15550001111"}}})
	HearVoicemail(plain, cc.OperatorView{Offer: &cc.OfferedCall{Call: cc.Call{ID: "call_3"}}})
	if plain.GetOffer().GetCallback() != nil {
		t.Fatalf("an ordinary call has a callback: %v", plain.GetOffer().GetCallback())
	}
}
