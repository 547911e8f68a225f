package convert

import (
	"fmt"
	"strings"
	"time"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// dayNames are the API's day names (weekdays'), Sunday first like time.Weekday.
var dayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// QueueHoursIn reads a queue's hours; field is where they sit ("queue.hours"). What the API's words
// cannot say (a day, a time of day) is refused here, the rest by cc.Hours.Check.
func QueueHoursIn(field string, h *adminv1.QueueHours) (cc.Hours, error) {
	out := cc.Hours{TimeZone: h.GetTimeZone()}
	for i, s := range h.GetWeekly() {
		f := fmt.Sprintf("%s.weekly[%d]", field, i)
		day, ok := weekdays[strings.ToLower(s.GetDay())]
		if !ok {
			return out, cc.Invalid(f+".day", "%q is not a day (mon, tue, wed, thu, fri, sat, sun)", s.GetDay())
		}
		from, err := clockIn(f+".from", s.GetFrom())
		if err != nil {
			return out, err
		}
		to, err := clockIn(f+".to", s.GetTo())
		if err != nil {
			return out, err
		}
		out.Weekly = append(out.Weekly, cc.OpenSpan{Day: day, From: from, To: to})
	}
	for _, c := range h.GetClosures() {
		out.Closures = append(out.Closures, cc.Closure{First: c.GetFirst(), Last: c.GetLast(), Name: c.GetName()})
	}
	return out, nil
}

// clockIn reads "HH:MM" (up to "24:00") as the time since midnight.
func clockIn(field, s string) (time.Duration, error) {
	var h, m int
	if n, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil || n != 2 || len(s) != 5 || h < 0 || m < 0 || m > 59 || h > 24 || h == 24 && m != 0 {
		return 0, cc.Invalid(field, "%q is not a time of day like 09:00 (24:00 at the latest)", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// QueueHoursOut is a queue's hours as the API shows them; nil when none are set.
func QueueHoursOut(h cc.Hours) *adminv1.QueueHours {
	if !h.Set() && h.TimeZone == "" {
		return nil
	}
	out := &adminv1.QueueHours{TimeZone: h.TimeZone}
	for _, s := range h.Weekly {
		out.Weekly = append(out.Weekly, &adminv1.OpenSpan{Day: dayNames[s.Day], From: clockOut(s.From), To: clockOut(s.To)})
	}
	for _, c := range h.Closures {
		out.Closures = append(out.Closures, &adminv1.Closure{First: c.First, Last: c.Last, Name: c.Name})
	}
	return out
}

func clockOut(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// ExitIn reads a queue's exit (cc.Exit.Check checks it).
func ExitIn(x *adminv1.QueueExit) cc.Exit {
	return cc.Exit{Kind: cc.ExitKind(x.GetKind()), Text: x.GetText(), Number: x.GetNumber(), Queue: cc.QueueID(x.GetQueueId())}
}

// ExitOut is a queue's exit as the API shows it; nil when none is set.
func ExitOut(x cc.Exit) *adminv1.QueueExit {
	if !x.Set() {
		return nil
	}
	return &adminv1.QueueExit{Kind: string(x.Kind), Text: x.Text, Number: x.Number, QueueId: string(x.Queue)}
}

// CallExitOut is how a call left its queue's line, as the API shows it; nil when it did not.
func CallExitOut(x cc.CallExit) *analyticsv1.CallExit {
	if !x.Taken() {
		return nil
	}
	return &analyticsv1.CallExit{Kind: string(x.Kind), Cause: string(x.Cause), QueueId: string(x.Queue), Why: x.Why, Target: x.Target, At: Timestamp(x.At)}
}
