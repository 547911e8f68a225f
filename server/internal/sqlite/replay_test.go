package sqlite

import (
	"strings"
	"testing"

	"github.com/tandemcc/tandem/server/internal/sqlstore"
)

// TestDayArrivalsUsesTheIndex keeps the read on the calls_queue_arrived index, not a scan of
// every call.
func TestDayArrivalsUsesTheIndex(t *testing.T) {
	db := openTest(t)
	rows, err := db.r.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+sqlstore.DayArrivalsQuery, "sales", 0, 1)
	must(t, err)
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		must(t, rows.Scan(&id, &parent, &unused, &detail))
		plan = append(plan, detail)
	}
	must(t, rows.Err())
	if p := strings.Join(plan, "; "); !strings.Contains(p, "calls_queue_arrived") {
		t.Errorf("query plan %q does not use calls_queue_arrived", p)
	}
}
