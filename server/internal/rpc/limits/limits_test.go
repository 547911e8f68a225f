package limits

import (
	"fmt"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/rpc/auth"
)

func TestParseRates(t *testing.T) {
	got, err := ParseRates("operator=5/50, cloud=1000")
	if err != nil || got[auth.RoleOperator] != (Rate{5, 50}) || got[auth.RoleCloud] != (Rate{1000, 1000}) || len(got) != 2 {
		t.Fatalf("ParseRates = %v, %v", got, err)
	}
	for _, bad := range []string{"root=1/1", "operator", "operator=0/1", "operator=x/1", "operator=1/-2", "operator=1/x"} {
		if _, err := ParseRates(bad); err == nil {
			t.Errorf("ParseRates(%q) accepted", bad)
		}
	}
}

func TestBucketsRefillOnTheClockAndStayBounded(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	bs := newBuckets(clk, 10)
	r := Rate{PerSecond: 2, Burst: 3}
	for i := range 3 {
		if ok, _ := bs.take("a", r); !ok {
			t.Fatalf("take %d refused", i)
		}
	}
	ok, wait := bs.take("a", r)
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("empty bucket: %v, wait %v", ok, wait)
	}
	clk.Advance(500 * time.Millisecond)
	if ok, _ := bs.take("a", r); !ok {
		t.Fatal("not refilled after the wait")
	}
	for i := range 1000 {
		bs.take(fmt.Sprint("k", i), r)
	}
	if n := len(bs.all); n > 10 {
		t.Fatalf("%d buckets remembered, at most 10 wanted", n)
	}
}
