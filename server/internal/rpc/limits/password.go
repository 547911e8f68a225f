package limits

import (
	"context"
	"errors"

	"connectrpc.com/connect"
	"golang.org/x/crypto/bcrypt"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
	"github.com/tandemcc/tandem/server/internal/rpc/auth"
	"github.com/tandemcc/tandem/server/internal/rpc/codes"
)

var errWrongPassword = errors.New("wrong name or password")

// CheckPassword is a password login's check, one for operators and for people's accounts. A
// backed-off try is refused before the password is compared (guessing gains nothing); an
// unknown name spends the same time as a real check (dummy is a bcrypt hash of the same cost)
// and counts like a wrong password, so names cannot be probed by timing or by the back-off; a
// disabled login (off) is refused with disabled, after its right password only. key is the
// name the back-off counts; find looks the login up (its bcrypt hash, whether it is off, or
// callcenter's not-found). It returns the wrong passwords given for key since its last login.
func (l *Logins) CheckPassword(ctx context.Context, key, password string, dummy []byte, disabled error, find func() (hash string, off bool, err error)) (FailedLogins, error) {
	try, err := l.Begin(key, auth.Address(ctx))
	if err != nil {
		return FailedLogins{}, err
	}
	defer try.Cancel() // a try that ends otherwise proves nothing either way
	badLogin := connect.NewError(connect.CodeUnauthenticated, errWrongPassword)
	hash, off, err := find()
	if cc.ErrorCode(err) == cc.CodeNotFound {
		_ = bcrypt.CompareHashAndPassword(dummy, []byte(password))
		try.Failed()
		return FailedLogins{}, badLogin
	}
	if err != nil {
		return FailedLogins{}, codes.ToConnect(ctx, err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		try.Failed()
		return FailedLogins{}, badLogin
	}
	if off {
		return FailedLogins{}, connect.NewError(connect.CodePermissionDenied, disabled)
	}
	return try.Succeeded(), nil
}
