package rpc

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	connectcors "connectrpc.com/cors"
	"github.com/rs/cors"
)

// crossOrigin lets browser pages on the origins listed call the API (CORS). Tandem's own pages
// are served from its own origin and need none of it; with no origins listed, a page on another
// origin gets no CORS headers, so its browser withholds every answer from it. Credentials travel
// in the Authorization header, never in cookies, so Access-Control-Allow-Credentials is never
// sent: a listed origin (or "*") lets a page call the API with a token it holds, and gives it no
// one else's.
func crossOrigin(origins []string, next http.Handler) http.Handler {
	if len(origins) == 0 {
		return next
	}
	return cors.New(cors.Options{
		AllowedOrigins:   origins,
		AllowCredentials: false,
		AllowedMethods:   connectcors.AllowedMethods(),
		AllowedHeaders:   append(connectcors.AllowedHeaders(), "Authorization"),
		ExposedHeaders:   connectcors.ExposedHeaders(),
		MaxAge:           7200,
	}).Handler(next)
}

// ParseOrigins reads --allowed-origins: comma-separated origins (scheme://host[:port], http or
// https, nothing after the port), or "*" alone for any origin; empty means none.
func ParseOrigins(spec string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(spec, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	if err := checkOrigins(out); err != nil {
		return nil, err
	}
	return out, nil
}

func checkOrigins(origins []string) error {
	for _, o := range origins {
		if o == "*" {
			if len(origins) > 1 {
				return fmt.Errorf("allowed origins: %q allows every origin and goes alone, not with %d others", o, len(origins)-1)
			}
			continue
		}
		u, err := url.Parse(o)
		// An origin is exactly scheme://host[:port]: anything else (a path, a user, a wildcard
		// in the host) is refused rather than matched in some way the operator did not mean.
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Contains(u.Host, "*") ||
			strings.ToLower(o) != u.Scheme+"://"+strings.ToLower(u.Host) {
			return fmt.Errorf("allowed origins: %q is not an origin: want scheme://host[:port] with http or https, like https://crm.example.com", o)
		}
	}
	return nil
}
