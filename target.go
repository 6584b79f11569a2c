package switchboard

import (
	"net/netip"
	"net/url"
	"strings"
)

// TargetAllowed reports whether webhooks may be delivered to an address:
// never to a link-local one (cloud metadata lives there), an unspecified
// or a multicast one; to loopback and private ones (RFC 1918, unique
// local, CGNAT) only with allowPrivate (the setting
// webhook_allow_private_targets).
func TargetAllowed(ip netip.Addr, allowPrivate bool) bool {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid(), ip.IsUnspecified(), ip.IsMulticast(), ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(),
		ip.IsInterfaceLocalMulticast():
		return false
	case ip.IsLoopback(), ip.IsPrivate(), cgnat.Contains(ip):
		return allowPrivate
	}
	return true
}

// cgnat is the shared address space of carrier-grade NAT (RFC 6598).
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// TargetURLAllowed checks a webhook URL whose host is an address literal
// (a name is checked when it is resolved, at delivery): false when the
// address is not allowed.
func TargetURLAllowed(raw string, allowPrivate bool) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	host := strings.Trim(u.Hostname(), "[]")
	if ip, err := netip.ParseAddr(host); err == nil {
		return TargetAllowed(ip, allowPrivate)
	}
	return !strings.EqualFold(host, "localhost") || allowPrivate
}
