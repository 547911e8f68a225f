package auth

import (
	"golang.org/x/crypto/bcrypt"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// HashPassword is the bcrypt hash kept for an operator's or an account's password, at cost;
// field names the request field at fault when the password is too short or too long.
func HashPassword(field, password string, cost int) (string, error) {
	if len(password) < 8 {
		return "", cc.Invalid(field, "must be at least 8 characters")
	}
	if len(password) > 72 {
		return "", cc.Invalid(field, "must be at most 72 bytes")
	}
	b, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	return string(b), err
}
