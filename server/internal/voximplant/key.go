// Package voximplant is a client of Voximplant's Management API (the HTTP "platform API"),
// authenticated as a service account: it starts scenarios (StartScenarios) and nothing else.
package voximplant

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// Key is a service account's key as Voximplant issues it (control panel: Service accounts →
// Generate key, or the CreateKey method): a JSON file with account_id, key_id and the PEM
// private_key, either bare or wrapped in {"result": …} as CreateKey returns it. The private key
// signs the JWTs; Voximplant keeps only the public half.
type Key struct {
	AccountID int64
	KeyID     string
	Private   *rsa.PrivateKey
}

// String names the key without its secret part, for logs and errors.
func (k *Key) String() string {
	return fmt.Sprintf("voximplant key %s of account %d", k.KeyID, k.AccountID)
}

// keyFile is the JSON of a key file.
type keyFile struct {
	AccountID  json.Number `json:"account_id"`
	KeyID      string      `json:"key_id"`
	PrivateKey string      `json:"private_key"`
}

// LoadKey reads and parses a key file. Its errors name the file and the part at fault, never
// the key itself.
func LoadKey(path string) (*Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("voximplant key file %s: %w", path, err)
	}
	k, err := ParseKey(b)
	if err != nil {
		return nil, fmt.Errorf("voximplant key file %s: %w", path, err)
	}
	return k, nil
}

// ParseKey parses the JSON of a key file.
func ParseKey(data []byte) (*Key, error) {
	var wrapped struct {
		Result *keyFile `json:"result"`
	}
	var f keyFile
	if err := json.Unmarshal(data, &wrapped); err != nil {
		return nil, errors.New("not JSON (want the key file Voximplant issues: account_id, key_id, private_key)")
	}
	if wrapped.Result != nil {
		f = *wrapped.Result
	} else if err := json.Unmarshal(data, &f); err != nil {
		return nil, errors.New("not a key file (want account_id, key_id, private_key)")
	}
	switch {
	case f.AccountID == "":
		return nil, errors.New("account_id is missing")
	case strings.TrimSpace(f.KeyID) == "":
		return nil, errors.New("key_id is missing")
	case strings.TrimSpace(f.PrivateKey) == "":
		return nil, errors.New("private_key is missing")
	}
	account, err := f.AccountID.Int64()
	if err != nil || account <= 0 {
		return nil, fmt.Errorf("account_id %q is not a positive number", f.AccountID.String())
	}
	priv, err := jwt.ParseRSAPrivateKeyFromPEM([]byte(f.PrivateKey))
	if err != nil {
		return nil, errors.New("private_key is not a PEM RSA private key")
	}
	return &Key{AccountID: account, KeyID: f.KeyID, Private: priv}, nil
}
