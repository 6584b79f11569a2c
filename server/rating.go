package server

import (
	"context"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// Rate records the client's satisfaction score (1 to 5) of a closed chat,
// once per chat: ECONFLICT for an open chat or one rated already, ENOTFOUND
// for an unknown one, EINVALID for a bad score or comment. Ratings are
// applied one at a time: a chat closed longer ago than the engine
// remembers is read from the store, and the next rating of it must find
// this one there.
func (s *Server) Rate(ctx context.Context, chatID string, score int, comment string) (sb.Chat, error) {
	s.rateMu.Lock()
	defer s.rateMu.Unlock()
	known := false
	s.View(func(e *routing.Engine) { _, known = e.Chat(chatID) })
	cmd := routing.Rate{ChatID: chatID, Score: score, Comment: comment}
	if !known {
		c, err := s.Store.Chat(ctx, chatID)
		if err != nil {
			return sb.Chat{}, err
		}
		cmd.Closed = &c
	}
	res, err := s.Do(ctx, cmd)
	if err != nil {
		return sb.Chat{}, err
	}
	return *res.Chat, nil
}
