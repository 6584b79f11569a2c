package http

import (
	"net/http"

	"github.com/switchboard/switchboard/server"
)

// simulate answers a what-if question (POST /api/v1/simulations): the live
// center, changed as the body says, played on an average day of its recent
// history (server.Simulate). Supervisors and administrators may ask; one
// simulation runs at a time (429 meanwhile).
func (h *Handler) simulate(w http.ResponseWriter, r *http.Request) error {
	var q server.WhatIf
	if err := decode(r, &q); err != nil {
		return err
	}
	out, err := h.App.Simulate(r.Context(), q)
	if err != nil {
		return err
	}
	writeJSON(w, 200, out)
	return nil
}
