package callcenter

import (
	"strings"
)

// NormalizeNumber turns a caller number as clouds and people write it into E.164 ("+14155550100"),
// the one form Tandem keys clients by. It drops spaces, dashes, dots and brackets, a sip: or tel:
// wrapper and an extension ("x12", "ext. 12", ";ext=12", "#12", ",12"); reads a leading 00 as +;
// reads a Russian trunk 8 (8 and ten digits) as +7; and reads eleven digits starting with 1 as a
// North American number. Anything else without a + is not E.164 and is refused, as are
// anonymous and withheld numbers: ok is false and the call simply has no client record.
func NormalizeNumber(raw string) (number string, ok bool) {
	s := strings.ToLower(strings.TrimSpace(raw))
	for _, scheme := range []string{"sips:", "sip:", "tel:"} {
		s = strings.TrimPrefix(s, scheme)
	}
	if at := strings.IndexByte(s, '@'); at >= 0 {
		s = s[:at]
	}
	for _, sep := range []string{";ext=", "ext.", "ext", "x", "#", ",", ";", "p", "w"} {
		if i := strings.Index(s, sep); i > 0 {
			s = s[:i]
		}
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case strings.ContainsRune(" -.()/\t", r):
		default:
			return "", false // letters: "anonymous", "withheld", "unknown", "private"…
		}
	}
	s = b.String()
	switch {
	case strings.HasPrefix(s, "+"):
	case strings.HasPrefix(s, "00"):
		s = "+" + s[2:]
	case len(s) == 11 && s[0] == '8':
		s = "+7" + s[1:]
	case len(s) == 11 && s[0] == '1':
		s = "+" + s
	default:
		return "", false
	}
	digits := s[1:]
	if len(digits) < 7 || len(digits) > 15 || digits[0] == '0' || strings.ContainsRune(digits, '+') {
		return "", false
	}
	return s, true
}
