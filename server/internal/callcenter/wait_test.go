package callcenter

import (
	"testing"
	"time"
)

func TestSayWait(t *testing.T) {
	for _, c := range []struct {
		w    time.Duration
		want string
	}{
		{10 * time.Second, "less than a minute"},
		{44 * time.Second, "less than a minute"},
		{45 * time.Second, "about a minute"},
		{89 * time.Second, "about a minute"},
		{90 * time.Second, "about two minutes"},
		{3*time.Minute + 20*time.Second, "about three minutes"},
		{10 * time.Minute, "about ten minutes"},
		{12 * time.Minute, "about ten minutes"},
		{13 * time.Minute, "about fifteen minutes"},
		{21 * time.Minute, "about twenty minutes"},
		{24 * time.Minute, "about twenty-five minutes"},
		{29 * time.Minute, "about half an hour"},
		{44 * time.Minute, "about forty-five minutes"},
		{57 * time.Minute, "about fifty-five minutes"},
		{58 * time.Minute, "about an hour"},
		{3 * time.Hour, "about an hour"},
	} {
		if got := SayWait(c.w); got != c.want {
			t.Errorf("SayWait(%s) = %q, want %q", c.w, got, c.want)
		}
	}
}

func TestPositionAnnouncement(t *testing.T) {
	w := ExpectedWait{Wait: 4 * time.Minute, Basis: WaitFromStaffing}
	if got := PositionAnnouncement(3, w, true); got != "You are number 3 in line. Your expected wait is about four minutes." {
		t.Errorf("trusted: %q", got)
	}
	if got := PositionAnnouncement(1, w, false); got != "You are next in line." {
		t.Errorf("untrusted: %q", got)
	}
}
