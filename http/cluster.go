package http

// ForgetTokens empties the token cache, so that each token is looked up
// again: another instance sharing the database deleted a token.
func (h *Handler) ForgetTokens() {
	h.tokens.mu.Lock()
	defer h.tokens.mu.Unlock()
	clear(h.tokens.m)
}
