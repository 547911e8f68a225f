package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

// TestSimulateCallbackFlags: tandem simulate offers callbacks with --callback-after and
// --callback-take-up, reports them (JSON snake_case keys like the others, left out when there
// are none), and refuses a take-up without an offer.
func TestSimulateCallbackFlags(t *testing.T) {
	base := []string{"--store=none", "--json", "--operators=3", "--calls=300", "--calls-per-hour=80", "--patience=5m"}
	var out bytes.Buffer
	args := append(base[:len(base):len(base)], "--callback-after=45s", "--callback-take-up=0.6", "--callback-no-answer=0.3", "--callback-retry-after=1m")
	if err := runSimulate(context.Background(), args, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var r struct {
		Offered    int `json:"calls_offered"`
		Answered   int `json:"calls_answered"`
		Abandoned  int `json:"calls_abandoned"`
		Requested  int `json:"callbacks_requested"`
		Connected  int `json:"callbacks_connected"`
		GivenUp    int `json:"callbacks_given_up"`
		NotReached int `json:"callback_attempts_failed"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Requested == 0 || r.Connected+r.GivenUp != r.Requested || r.NotReached == 0 || r.Answered+r.Abandoned+r.Requested != r.Offered {
		t.Fatalf("callbacks: %+v", r)
	}
	out.Reset()
	if err := runSimulate(context.Background(), base, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "callback") {
		t.Fatalf("a run without callbacks reports them: %s", out.String())
	}
	err := runSimulate(context.Background(), append(base[:len(base):len(base)], "--callback-take-up=0.5"), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "callback-after") {
		t.Fatalf("take-up without an offer: %v", err)
	}
}

// TestSimulateRelaxFlags: --levels, --min-level and --relax run the queue under a skills
// relaxation, and the JSON reports the calls answered at each step under a key of its own
// (absent without one); a relaxation that does not widen is refused, naming its field.
func TestSimulateRelaxFlags(t *testing.T) {
	base := []string{"--store=none", "--json", "--operators=6", "--calls=400", "--calls-per-hour=90", "--levels=3,1"}
	var out bytes.Buffer
	if err := runSimulate(context.Background(), append(base[:len(base):len(base)], "--min-level=3", "--relax=30s:1"), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var r struct {
		Answered int   `json:"calls_answered"`
		ByStep   []int `json:"answered_by_relax_step"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.ByStep) != 2 || r.ByStep[0]+r.ByStep[1] != r.Answered || r.ByStep[1] == 0 {
		t.Fatalf("answered by step %v of %d", r.ByStep, r.Answered)
	}
	out.Reset()
	if err := runSimulate(context.Background(), base, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "answered_by_relax_step") {
		t.Fatalf("a run without a relaxation reports its steps: %s", out.String())
	}
	for flag, want := range map[string]string{"--relax=30s:3": "queue.relax[0].min_level", "--relax=30s": "after:level", "--levels=0": "levels"} {
		err := runSimulate(context.Background(), append(base[:len(base):len(base)], "--min-level=3", flag), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", flag, err, want)
		}
	}
}
