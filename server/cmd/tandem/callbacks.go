package main

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/tandemcc/tandem/server/internal/clock"
	"github.com/tandemcc/tandem/server/internal/cloud"
	"github.com/tandemcc/tandem/server/internal/voximplant"
)

// VoximplantConfig is what callbacks need of Voximplant: the account whose service account
// calls the Management API, its key file, the routing rule of the callback scenario and the
// API's URL. Callbacks are on only with account, key file and rule all set.
type VoximplantConfig struct {
	AccountID int64
	KeyFile   string
	RuleID    int64
	APIURL    string // "": voximplant.DefaultAPIURL
}

// On says whether callbacks are configured.
func (c VoximplantConfig) On() bool { return c.AccountID != 0 }

// parse reads the numeric flags and checks that the callback flags come all together.
func (c *VoximplantConfig) parse(account, rule string) error {
	set := map[string]bool{
		"--voximplant-account-id": strings.TrimSpace(account) != "",
		"--voximplant-key-file":   c.KeyFile != "",
		"--callback-rule-id":      strings.TrimSpace(rule) != "",
	}
	var missing, given []string
	for _, f := range []string{"--voximplant-account-id", "--voximplant-key-file", "--callback-rule-id"} {
		if set[f] {
			given = append(given, f)
		} else {
			missing = append(missing, f)
		}
	}
	if len(given) == 0 {
		c.AccountID, c.RuleID = 0, 0
		if c.APIURL != "" && c.APIURL != voximplant.DefaultAPIURL {
			return errors.New("--voximplant-api-url needs --voximplant-account-id, --voximplant-key-file and --callback-rule-id (callbacks)")
		}
		return nil
	}
	if len(missing) > 0 {
		return fmt.Errorf("callbacks need %s too (given %s; all three or none)", strings.Join(missing, " and "), strings.Join(given, ", "))
	}
	n, err := strconv.ParseInt(strings.TrimSpace(account), 10, 64)
	if err != nil || n <= 0 {
		return fmt.Errorf("--voximplant-account-id: %q is not a positive number", account)
	}
	c.AccountID = n
	if n, err = strconv.ParseInt(strings.TrimSpace(rule), 10, 64); err != nil || n <= 0 {
		return fmt.Errorf("--callback-rule-id: %q is not a positive number (the rule's id, not its name)", rule)
	}
	c.RuleID = n
	return nil
}

// dialer loads the key file and returns the Dialer of callbacks, or nil when they are off.
// A key file that cannot be read or parsed, one of another account, or a bad API URL stops the
// start with one line naming the flag.
func (c VoximplantConfig) dialer(signer *cloud.Signer, clk clock.Clock, log *slog.Logger) (cloud.Dialer, error) {
	if !c.On() {
		return nil, nil
	}
	key, err := voximplant.LoadKey(c.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("--voximplant-key-file: %w", err)
	}
	if key.AccountID != c.AccountID {
		return nil, fmt.Errorf("--voximplant-key-file %s: the key is of account %d, not --voximplant-account-id %d", c.KeyFile, key.AccountID, c.AccountID)
	}
	client, err := voximplant.New(voximplant.Config{APIURL: c.APIURL, Key: key, Clock: clk, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("--voximplant-api-url: %w", err)
	}
	log.Info("callbacks on", "voximplant_api", client.APIURL(), "account_id", c.AccountID, "key_id", key.KeyID, "callback_rule_id", c.RuleID)
	return &cloud.VoximplantDialer{Signer: signer, Starter: client, RuleID: c.RuleID}, nil
}
