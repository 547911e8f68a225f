package callcenter

import (
	"testing"
	"time"
)

func TestCallbackRulesDefaultsAndErrors(t *testing.T) {
	r, err := CallbackRules{OfferAfter: time.Minute}.check("queue.callback")
	if err != nil {
		t.Fatal(err)
	}
	if r.Digit != "1" || r.Attempts != 3 || r.RetryAfter != 5*time.Minute || len(r.Words) != len(DefaultCallbackWords) {
		t.Fatalf("defaults: %+v", r)
	}
	if off, err := (CallbackRules{}).check("queue.callback"); err != nil || off.Offered() || off.Digit != "" || off.Attempts != 0 {
		t.Fatalf("a queue without callbacks: %+v, %v", off, err)
	}
	for _, c := range []struct {
		r     CallbackRules
		field string
	}{
		{CallbackRules{OfferAfter: -time.Second}, "queue.callback.offer_after_s"},
		{CallbackRules{OfferAfter: time.Minute, Digit: "12"}, "queue.callback.digit"},
		{CallbackRules{OfferAfter: time.Minute, Digit: "a"}, "queue.callback.digit"},
		{CallbackRules{OfferAfter: time.Minute, Words: []string{"call me", " "}}, "queue.callback.words[1]"},
		{CallbackRules{OfferAfter: time.Minute, Attempts: 11}, "queue.callback.attempts"},
		{CallbackRules{OfferAfter: time.Minute, RetryAfter: time.Second}, "queue.callback.retry_after_s"},
		{CallbackRules{OfferAfter: time.Minute, CallerID: "555"}, "queue.callback.caller_id"},
		{CallbackRules{OfferAfter: time.Minute, ForbiddenPrefixes: []string{"+1900", "1800"}}, "queue.callback.forbidden_prefixes[1]"},
	} {
		_, err := c.r.check("queue.callback")
		if e, ok := err.(*Error); !ok || e.Field != c.field || e.Code != CodeInvalid {
			t.Errorf("%+v: error %v, want invalid %s", c.r, err, c.field)
		}
	}
}

func TestCallbackNumberCheck(t *testing.T) {
	r := CallbackRules{ForbiddenPrefixes: []string{"+1900", "+7809"}}
	if n, err := r.CheckNumber("number", "8 (916) 123-45-67"); err != nil || n != "+79161234567" {
		t.Fatalf("a Russian mobile: %q, %v", n, err)
	}
	for _, bad := range []string{"+19005550100", "8 809 123 45 67", "anonymous", ""} {
		if _, err := r.CheckNumber("number", bad); err == nil {
			t.Errorf("%q may be called back", bad)
		} else if e := err.(*Error); e.Field != "number" {
			t.Errorf("%q: field %q", bad, e.Field)
		}
	}
}
