package callcenter

import "testing"

func TestNormalizeNumber(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"+14155550100", "+14155550100"},
		{" +1 (415) 555-0100 ", "+14155550100"},
		{"+7 912 345-67-89", "+79123456789"},
		{"89123456789", "+79123456789"},
		{"8 (912) 345 67 89", "+79123456789"},
		{"0044 20 7946 0958", "+442079460958"},
		{"14155550100", "+14155550100"},
		{"+1.415.555.0100", "+14155550100"},
		{"+14155550100 x123", "+14155550100"},
		{"+14155550100 ext. 7", "+14155550100"},
		{"+14155550100;ext=7", "+14155550100"},
		{"+14155550100#7", "+14155550100"},
		{"sip:+14155550100@sip.example.com", "+14155550100"},
		{"tel:+14155550100", "+14155550100"},
		{"anonymous", ""},
		{"Anonymous", ""},
		{"withheld", ""},
		{"unknown", ""},
		{"", ""},
		{"+", ""},
		{"12345", ""},
		{"4155550100", ""}, // no country: not E.164
		{"+0123456789", ""},
		{"+1234567890123456", ""}, // 16 digits
		{"+1 415 555 0100 +2", ""},
	} {
		got, ok := NormalizeNumber(tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("NormalizeNumber(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}

func FuzzNormalizeNumber(f *testing.F) {
	for _, s := range []string{"+14155550100", "8 (912) 345 67 89", "anonymous", "sip:+1@x", "00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := NormalizeNumber(s)
		if !ok {
			return
		}
		// A normalised number is E.164 and normalising it again changes nothing.
		if again, ok2 := NormalizeNumber(n); !ok2 || again != n {
			t.Fatalf("%q → %q → %q, %v", s, n, again, ok2)
		}
		if n[0] != '+' || len(n) < 8 || len(n) > 16 {
			t.Fatalf("%q → %q is not E.164", s, n)
		}
	})
}
