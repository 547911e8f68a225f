package callcenter

import (
	"testing"
	"time"
)

// TestKeySoftphone: only a live supervisor's or admin's key gets a browser phone, on a user that
// is nobody else's phone; removing one is always allowed on a live key.
func TestKeySoftphone(t *testing.T) {
	ops := []Operator{{Name: "anna.p", Contact: Contact{Kind: ContactUser, Target: "anna"}}, {Name: "sam", Contact: Contact{Kind: ContactSIP, Target: "sip:olga@pbx"}}}
	sup := APIKey{ID: "key_1", Name: "floor", Role: "supervisor"}
	keys := []APIKey{sup, {ID: "key_2", Name: "lead", Role: "admin", SoftphoneUser: "lead"}, {ID: "key_3", Name: "old", Role: "admin", SoftphoneUser: "gone", RevokedAt: time.Unix(1, 0)}}
	revoked := sup
	revoked.RevokedAt = time.Unix(1, 0)
	for _, tc := range []struct {
		what  string
		key   APIKey
		user  string
		code  Code
		field string
	}{
		{"a supervisor's user", sup, "olga", "", ""},
		{"an admin's own user again", keys[1], "lead", "", ""},
		{"a revoked key's old user", sup, "gone", "", ""},
		{"a SIP operator's name is no Voximplant user", sup, "sip:olga@pbx", CodeInvalid, "softphone_user"},
		{"removed", sup, "", "", ""},
		{"a read-only key", APIKey{Name: "wall", Role: "readonly"}, "wall", CodeFailedPrecondition, "key_id"},
		{"a read-only key removes nothing it has", APIKey{Name: "wall", Role: "readonly"}, "", "", ""},
		{"revoked", revoked, "olga", CodeFailedPrecondition, "key_id"},
		{"revoked, removing", revoked, "", CodeFailedPrecondition, "key_id"},
		{"an operator's user", sup, "anna", CodeFailedPrecondition, "softphone_user"},
		{"another key's user", sup, "lead", CodeFailedPrecondition, "softphone_user"},
		{"a person's user", sup, "ivan", CodeFailedPrecondition, "softphone_user"},
		{"with the application", sup, "olga@cc.acme.voximplant.com", CodeInvalid, "softphone_user"},
		{"with a space", sup, "olga p", CodeInvalid, "softphone_user"},
		{"too long", sup, string(make([]byte, maxTarget+1)), CodeInvalid, "softphone_user"},
	} {
		err := tc.key.CheckSoftphone(tc.user, Phones{Operators: ops, Keys: keys, People: []PersonPhone{{Person: "ivan.p", User: "ivan"}}})
		field := ""
		if e, ok := err.(*Error); ok {
			field = e.Field
		}
		if ErrorCode(err) != tc.code || field != tc.field {
			t.Errorf("%s: %v, want %s on %q", tc.what, err, tc.code, tc.field)
		}
	}
}

// TestContactNotPhone: an operator's Voximplant user may not be a live key's or a person's
// browser phone.
func TestContactNotPhone(t *testing.T) {
	taken := Phones{Keys: []APIKey{{Name: "floor", SoftphoneUser: "olga"}, {Name: "old", SoftphoneUser: "gone", RevokedAt: time.Unix(1, 0)}},
		People: []PersonPhone{{Person: "ivan.p", User: "ivan"}}}
	for _, tc := range []struct {
		c    Contact
		code Code
	}{
		{Contact{Kind: ContactUser, Target: "olga"}, CodeFailedPrecondition},
		{Contact{Kind: ContactUser, Target: "ivan"}, CodeFailedPrecondition},
		{Contact{Kind: ContactUser, Target: "anna"}, ""},
		{Contact{Kind: ContactUser, Target: "gone"}, ""},
		{Contact{Kind: ContactPSTN, Target: "+14155550100"}, ""},
	} {
		if got := ErrorCode(tc.c.CheckNotPhone("contact.target", taken)); got != tc.code {
			t.Errorf("%v: %q, want %q", tc.c, got, tc.code)
		}
	}
}

// TestPersonPhone: a person's browser phone is a user nobody else's phone or contact; his own
// again, or none, is fine; the person's name is required.
func TestPersonPhone(t *testing.T) {
	taken := Phones{
		Operators: []Operator{{Name: "anna.p", Contact: Contact{Kind: ContactUser, Target: "anna"}}},
		Keys:      []APIKey{{ID: "key_1", Name: "floor", SoftphoneUser: "floor"}},
		People:    []PersonPhone{{Person: "olga", User: "olga"}, {Person: "ivan@acme.com", User: "ivan"}},
	}
	for _, tc := range []struct {
		what  string
		p     PersonPhone
		code  Code
		field string
	}{
		{"a free user", PersonPhone{Person: "boris", User: "boris"}, "", ""},
		{"his own again", PersonPhone{Person: "olga", User: "olga"}, "", ""},
		{"removed", PersonPhone{Person: "olga"}, "", ""},
		{"no person", PersonPhone{User: "x"}, CodeInvalid, "person"},
		{"an operator's user", PersonPhone{Person: "boris", User: "anna"}, CodeFailedPrecondition, "softphone_user"},
		{"a key's user", PersonPhone{Person: "boris", User: "floor"}, CodeFailedPrecondition, "softphone_user"},
		{"another person's user", PersonPhone{Person: "boris", User: "ivan"}, CodeFailedPrecondition, "softphone_user"},
		{"with the application", PersonPhone{Person: "boris", User: "boris@cc.acme.voximplant.com"}, CodeInvalid, "softphone_user"},
	} {
		err := tc.p.Check(taken)
		field := ""
		if e, ok := err.(*Error); ok {
			field = e.Field
		}
		if ErrorCode(err) != tc.code || field != tc.field {
			t.Errorf("%s: %v, want %s on %q", tc.what, err, tc.code, tc.field)
		}
	}
}
