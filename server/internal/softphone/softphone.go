// Package softphone signs the one-time login keys of operators' browser phones, Voximplant's
// scheme for a Web SDK login without the password in the browser: the SDK asks Voximplant for a
// key (requestOneTimeLoginKey), the server answers MD5(key + "|" + ha1) where ha1 is
// MD5(user + ":voximplant.com:" + password), and the SDK logs in with that (loginWithOneTimeKey).
// Tandem keeps only ha1.
package softphone

import (
	"crypto/md5" //nolint:gosec // Voximplant's one-time-key scheme is MD5; not our choice
	"encoding/hex"
)

// HA1 is the digest Tandem keeps for a Voximplant user's password: user is his name within the
// application ("anna", not "anna@app.account.voximplant.com").
func HA1(user, password string) string {
	return md5hex(user + ":voximplant.com:" + password)
}

// Sign is the hash loginWithOneTimeKey takes for the key Voximplant gave.
func Sign(key, ha1 string) string {
	return md5hex(key + "|" + ha1)
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
