package http

import "net/http"

// ratingBody is the body of POST /chats/{id}/rating.
type ratingBody struct {
	Score   int    `json:"score"`
	Comment string `json:"comment"`
}

// rate answers POST /chats/{id}/rating: the closed chat with its rating.
func (h *Handler) rate(w http.ResponseWriter, r *http.Request) error {
	var b ratingBody
	if err := decode(r, &b); err != nil {
		return err
	}
	c, err := h.App.Rate(r.Context(), r.PathValue("id"), b.Score, b.Comment)
	if err != nil {
		return err
	}
	writeJSON(w, 200, c)
	return nil
}
