package callcenter

import (
	"errors"
	"testing"
	"time"
)

func TestCallQueryCheck(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		q     CallQuery
		field string // "" for none
	}{
		{"a page", CallQuery{Limit: 1}, ""},
		{"the largest page", CallQuery{Limit: MaxCallPage, From: t0, To: t0.Add(time.Second), Outcome: OutcomeAtSpare}, ""},
		{"open ends", CallQuery{Limit: 5, To: t0}, ""},
		{"no page size", CallQuery{}, "page_size"},
		{"a page too large", CallQuery{Limit: MaxCallPage + 1}, "page_size"},
		{"an empty range", CallQuery{Limit: 5, From: t0, To: t0}, "range"},
		{"a range backwards", CallQuery{Limit: 5, From: t0, To: t0.Add(-time.Hour)}, "range"},
		{"an unknown outcome", CallQuery{Limit: 5, Outcome: "won"}, "outcome"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.q.Check()
			var e *Error
			switch {
			case tc.field == "" && err != nil:
				t.Errorf("error %v", err)
			case tc.field != "" && (!errors.As(err, &e) || e.Field != tc.field || e.Code != CodeInvalid):
				t.Errorf("error %v, want invalid %s", err, tc.field)
			}
		})
	}
}
