package callcenter

import "time"

// AlertThresholds say when a queue raises an alert for its supervisors. Zero fields are off,
// and so all of them are by default.
type AlertThresholds struct {
	// ServiceLevelUnder (percent): the queue's service level over Window fell below it.
	ServiceLevelUnder int
	// LongestWaitOver: a call has waited longer than this.
	LongestWaitOver time.Duration
	// WaitingOver: more calls than this are waiting.
	WaitingOver int
	// MissesInRow: an operator serving the queue missed this many offers in a row.
	MissesInRow int
	// AbandonmentOver (percent): more than this share of the calls over Window were abandoned.
	AbandonmentOver int
	// Window is how far back the service level and the abandonment are measured (0: the
	// default, 15 minutes).
	Window time.Duration
	// Hold is how long a threshold must stay crossed before the alert is raised, and back
	// before it is cleared, so that a figure wavering around it does not flap (0: the default,
	// 10 s).
	Hold time.Duration
}

const (
	DefaultAlertWindow = 15 * time.Minute
	DefaultAlertHold   = 10 * time.Second
	maxAlertWindow     = 24 * time.Hour
	maxAlertHold       = 10 * time.Minute
	maxAlertWait       = 24 * time.Hour
	maxAlertWaiting    = 100000
	// AlertMinCalls calls at least must be counted in the window before its service level or
	// abandonment can raise an alert: one abandoned call is not 100 % abandonment.
	AlertMinCalls = 5
)

// Any says whether any threshold is on.
func (t AlertThresholds) Any() bool {
	return t.ServiceLevelUnder > 0 || t.LongestWaitOver > 0 || t.WaitingOver > 0 || t.MissesInRow > 0 || t.AbandonmentOver > 0
}

// OrDefaults fills in the default window and hold.
func (t AlertThresholds) OrDefaults() AlertThresholds {
	if t.Window == 0 {
		t.Window = DefaultAlertWindow
	}
	if t.Hold == 0 {
		t.Hold = DefaultAlertHold
	}
	return t
}

func (t AlertThresholds) check() error {
	switch {
	case t.ServiceLevelUnder < 0 || t.ServiceLevelUnder > 100:
		return Invalid("queue.alert_service_level_under_percent", "must be 0 (off) to 100")
	case t.LongestWaitOver < 0 || t.LongestWaitOver > maxAlertWait:
		return Invalid("queue.alert_longest_wait_over_s", "must be 0 (off) to 86400 seconds")
	case t.WaitingOver < 0 || t.WaitingOver > maxAlertWaiting:
		return Invalid("queue.alert_waiting_over", "must be 0 (off) to 100000")
	case t.MissesInRow < 0 || t.MissesInRow > maxMisses:
		return Invalid("queue.alert_misses_in_row", "must be 0 (off) to 100")
	case t.AbandonmentOver < 0 || t.AbandonmentOver > 99:
		return Invalid("queue.alert_abandonment_over_percent", "must be 0 (off) to 99")
	case t.Window < 0 || (t.Window > 0 && t.Window < time.Minute) || t.Window > maxAlertWindow:
		return Invalid("queue.alert_window_s", "must be 0 (the default, 900) or 60 to 86400 seconds")
	case t.Hold < 0 || t.Hold > maxAlertHold:
		return Invalid("queue.alert_hold_s", "must be 0 (the default, 10) to 600 seconds")
	}
	return nil
}

// AlertKind is what an alert is about.
type AlertKind string

const (
	AlertServiceLevel AlertKind = "service_level" // value and threshold in percent
	AlertLongestWait  AlertKind = "longest_wait"  // in seconds
	AlertWaiting      AlertKind = "waiting"       // calls
	AlertMissesInRow  AlertKind = "misses_in_row" // offers, with the operator
	AlertAbandonment  AlertKind = "abandonment"   // percent
)

// Alert is a threshold of a queue crossed: raised when it was crossed (for the queue's hold),
// cleared when it was back (as long). Value is the figure when it was raised.
type Alert struct {
	ID        int64
	Queue     QueueID
	Kind      AlertKind
	Operator  OperatorID // for AlertMissesInRow
	Value     float64
	Threshold float64
	RaisedAt  time.Time
	ClearedAt time.Time // zero while open
	AckedBy   string
	AckedAt   time.Time
}

// Open says whether the alert has not been cleared.
func (a Alert) Open() bool { return a.ClearedAt.IsZero() }

// AlertEvent is an alert's raising, or its clearing, as the alert webhook sends it.
type AlertEvent struct {
	Alert   Alert
	Cleared bool
}

// At is when it happened.
func (e AlertEvent) At() time.Time {
	if e.Cleared {
		return e.Alert.ClearedAt
	}
	return e.Alert.RaisedAt
}

// AlertQuery selects alerts, newest first: the open ones, or all raised since Since.
type AlertQuery struct {
	OpenOnly bool
	Since    time.Time
	Limit    int // 0: 100
}
