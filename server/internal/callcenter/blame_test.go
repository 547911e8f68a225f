package callcenter

import "testing"

func TestPhoneReachedByCode(t *testing.T) {
	for _, tc := range []struct {
		code int
		rang bool
		want bool
	}{
		{486, false, true}, {600, false, true}, {603, false, true},
		{408, true, true}, {487, true, true}, {480, true, true},
		{408, false, false}, {487, false, false}, {480, false, false},
		{404, true, false}, {402, false, false}, {500, true, false}, {503, false, false}, {0, true, false},
	} {
		if got := PhoneReached(tc.code, tc.rang); got != tc.want {
			t.Errorf("PhoneReached(%d, rang %v) = %v, want %v", tc.code, tc.rang, got, tc.want)
		}
	}
}
