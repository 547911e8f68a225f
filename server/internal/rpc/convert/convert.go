// Package convert translates between the API's messages and the domain where more than one
// room needs the same translation: times and durations, contacts and week hours (both ways, each
// beside its table), API key roles, and the views of operators, calls, offers, decisions and
// configuration that the services and the audit log show. What is valid is the domain's to say
// (callcenter's Check methods); Required and MaxLen are the checks of raw fields the services make
// before the domain sees them.
package convert

import (
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// Timestamp is t in the API; nil for the zero time.
func Timestamp(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// TimeOf is an API timestamp as a time; the zero time for nil.
func TimeOf(t *timestamppb.Timestamp) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.AsTime()
}

// Millis is d in whole milliseconds, as the API's *_ms fields carry durations.
func Millis(d time.Duration) uint32 { return uint32(d / time.Millisecond) }

// Seconds is a duration the API gives in whole seconds.
func Seconds(s uint32) time.Duration { return time.Duration(s) * time.Second }

// Required refuses an empty field, naming it.
func Required(field, value string) error {
	if value == "" {
		return cc.Invalid(field, "required")
	}
	return nil
}

// MaxLen refuses a field longer than n bytes, naming it.
func MaxLen(field, value string, n int) error {
	if len(value) > n {
		return cc.Invalid(field, "longer than %d bytes", n)
	}
	return nil
}

var contactKinds = map[commonv1.ContactKind]cc.ContactKind{
	commonv1.ContactKind_CONTACT_KIND_USER: cc.ContactUser,
	commonv1.ContactKind_CONTACT_KIND_SIP:  cc.ContactSIP,
	commonv1.ContactKind_CONTACT_KIND_PSTN: cc.ContactPSTN,
}

// ContactIn reads a contact; an unknown kind is left empty for the domain to refuse.
func ContactIn(field string, c *commonv1.Contact) (cc.Contact, error) {
	if c == nil {
		return cc.Contact{}, cc.Invalid(field, "required")
	}
	return cc.Contact{Kind: contactKinds[c.GetKind()], Target: c.GetTarget()}, nil
}

// ContactOut is a contact as the API shows it.
func ContactOut(c cc.Contact) *commonv1.Contact {
	for k, v := range contactKinds {
		if v == c.Kind {
			return &commonv1.Contact{Kind: k, Target: c.Target}
		}
	}
	return &commonv1.Contact{Target: c.Target}
}

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// HoursIn reads week hours; the domain checks them (the time zone, spans within a day).
func HoursIn(field string, h *adminv1.WeekHours) (cc.WeekHours, error) {
	var out cc.WeekHours
	if h == nil {
		return out, nil
	}
	out.TimeZone = h.GetTimeZone()
	for day, spans := range h.GetDays() {
		wd, ok := weekdays[strings.ToLower(day)]
		if !ok {
			return out, cc.Invalid(field+".days", "unknown day %q (mon, tue, … sun)", day)
		}
		parsed, err := cc.ParseSpans(spans)
		if err != nil {
			return out, cc.Invalid(field+".days["+day+"]", "%v", err)
		}
		out.Days[wd] = parsed
	}
	return out, nil
}

// HoursOut is week hours as the API shows them: spans by day name.
func HoursOut(h cc.WeekHours) *adminv1.WeekHours {
	out := &adminv1.WeekHours{TimeZone: h.TimeZone, Days: map[string]string{}}
	for name, wd := range weekdays {
		if spans := h.Days[wd]; len(spans) > 0 {
			out.Days[name] = cc.FormatSpans(spans)
		}
	}
	return out
}
