package cloud

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/tandemcc/tandem/server/internal/voximplant"
)

// TestStartCallbackInEmulator starts a callback through the real Go client against the
// emulated Management API (clients/voxengine/emulator/platform-api.js), so the JWT, the form and
// the token are checked by the other side's code. clients/voxengine/test/callback.test.js runs
// it with the environment below; elsewhere it is skipped.
func TestStartCallbackInEmulator(t *testing.T) {
	api := os.Getenv("TANDEM_INTEROP_VOXIMPLANT_API")
	if api == "" {
		t.Skip("run by clients/voxengine/test/callback.test.js")
	}
	key, err := voximplant.LoadKey(os.Getenv("TANDEM_INTEROP_KEY_FILE"))
	if err != nil {
		t.Fatal(err)
	}
	client, err := voximplant.New(voximplant.Config{APIURL: api, Key: key, Client: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := NewSigner(os.Getenv("TANDEM_INTEROP_SECRET"))
	if err != nil {
		t.Fatal(err)
	}
	rule, err := strconv.ParseInt(os.Getenv("TANDEM_INTEROP_RULE"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	d := &VoximplantDialer{Signer: signer, Starter: client, RuleID: rule}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	started, err := d.StartCallback(ctx, CallbackStart{Call: "call_interop_1", Offer: "offer_interop_1", Expires: time.Now().Add(5 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("STARTED %s %s\n", started.AccessURL, started.SessionID)
}
