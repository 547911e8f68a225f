package rpc

import (
	"fmt"
	"github.com/tandemcc/tandem/server/internal/rpc/limits"
	"net/http"
	"strings"
	"testing"
)

// TestSmallAnswersAreNotCompressed: a client that accepts gzip gets answers under
// compressMinBytes as they are (compressing them cost more CPU than it saved), and bigger
// ones compressed.
func TestSmallAnswersAreNotCompressed(t *testing.T) {
	a := newTestAPI(t, limits.Limits{})
	var names []string
	for i := range 30 {
		names = append(names, fmt.Sprintf("operator-with-a-long-name-%02d", i))
	}
	a.setup(names...)
	post := func(procedure, body string) (encoding string, n int64) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, a.srv.URL+procedure, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Connect-Protocol-Version", "1")
		req.Header.Set("Accept-Encoding", "gzip")
		req.Header.Set("Authorization", "Bearer "+testAdminKey)
		resp, err := http.DefaultTransport.RoundTrip(req) // no transparent decompression
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s", procedure, resp.Status)
		}
		return resp.Header.Get("Content-Encoding"), resp.ContentLength
	}
	if enc, _ := post("/tandem.admin.v1.AdminService/GetQueue", `{"queueId":"support"}`); enc != "" {
		t.Errorf("a small answer came with Content-Encoding %q", enc)
	}
	if enc, _ := post("/tandem.admin.v1.AdminService/ListOperators", `{}`); enc != "gzip" {
		t.Errorf("a list of 30 operators came with Content-Encoding %q, want gzip", enc)
	}
}
