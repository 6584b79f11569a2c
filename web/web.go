// Package web is the browser panel: plain HTML, CSS and JavaScript embedded
// in the binary, talking to the JSON API and the event stream.
package web

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed static
var static embed.FS

// DefaultFrameAncestors is who may embed the panel in a frame by default:
// nobody.
const DefaultFrameAncestors = "'none'"

// Handler serves the panel with its security headers: a Content-Security-
// Policy that allows no inline script and nothing from elsewhere, the
// sources in frameAncestors (a CSP source list, such as "'none'" or
// "https://crm.example.com") may embed it, no MIME sniffing, and no
// referrer sent elsewhere.
func Handler(frameAncestors string) http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	files := http.FileServerFS(sub)
	csp := "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
		"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors " + frameAncestors
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		files.ServeHTTP(w, r)
	})
}
