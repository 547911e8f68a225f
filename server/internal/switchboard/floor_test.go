package switchboard

import (
	"reflect"
	"testing"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/clock"
)

// TestAlertFloorHasTheOperatorsWithMissesInARow: the floor the alert watch reads every second
// has the queues of the whole floor and, of the operators, only those with a miss in a row
// (the one alert of an operator's); once the whole floor is built and current, it is that.
func TestAlertFloorHasTheOperatorsWithMissesInARow(t *testing.T) {
	b := newBoardOn(t, stillClock{clock.NewFake(start)})
	ctx := t.Context()
	anna, _ := b.annaThenBoris(t)
	call, offer := b.offered(t, anna)
	if _, err := b.ReportEvent(ctx, "req-2", call, cc.CloudEvent{Kind: cc.CloudDialFailed, Offer: offer, Code: 486, Reason: "Busy Here"}); err != nil {
		t.Fatal(err)
	}
	alert, err := b.AlertFloor(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(alert.Operators) != 1 || alert.Operators[0].Operator.ID != anna || alert.Operators[0].Status.Marks.ConsecutiveMisses != 1 {
		t.Fatalf("the alert floor's operators: %+v, want anna alone, one miss in a row", alert.Operators)
	}
	whole, err := b.Floor(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(whole.Operators) != 2 || !reflect.DeepEqual(alert.Queues, whole.Queues) || alert.Version != whole.Version {
		t.Errorf("the alert floor's queues\n %+v (version %d)\nthe whole floor's\n %+v (version %d, %d operators)",
			alert.Queues, alert.Version, whole.Queues, whole.Version, len(whole.Operators))
	}
	if again, err := b.AlertFloor(ctx); err != nil || len(again.Operators) != 2 {
		t.Errorf("with the whole floor current, the alert floor has %d operators (%v), want it whole", len(again.Operators), err)
	}
}
