package softphone

import "testing"

// The vector is computed independently (printf 'anna:voximplant.com:secret-pw' | md5sum, then
// printf 'key123|<ha1>' | md5sum), so the scheme is checked, not the code against itself.
func TestSignKnownVector(t *testing.T) {
	ha1 := HA1("anna", "secret-pw")
	if ha1 != wantHA1 {
		t.Fatalf("HA1 = %s, want %s", ha1, wantHA1)
	}
	if got := Sign("key123", ha1); got != wantHash {
		t.Fatalf("Sign = %s, want %s", got, wantHash)
	}
}

const (
	wantHA1  = "638f30de135d943da06e1c77c89fc277"
	wantHash = "2b3923a4d32cf72c6bd371da8d777ff6"
)
