package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	sb "github.com/switchboard/switchboard"
)

// notices maps the channels Listen listens on to the notices it passes on.
var notices = map[string]string{
	commandsChannel:      sb.NoticeCommands,
	sessionsChannel:      sb.NoticeSessions,
	"switchboard_tokens": sb.NoticeTokens, // the tokens_deleted trigger's
}

// Listen calls fn with NoticeCommands, NoticeSessions and NoticeTokens as
// the database notifies them, on a connection of its own, until ctx ends or
// the connection fails (its error). It calls fn with each of them once it
// listens, for what happened before.
func (s *Store) Listen(ctx context.Context, fn func(notice string)) error {
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		return name.Internal(err, "connect to listen")
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for channel := range notices {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
			return name.Internal(err, "listen")
		}
	}
	for _, n := range notices {
		fn(n)
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return name.Internal(err, "wait for a notification")
		}
		if notice, ok := notices[n.Channel]; ok {
			fn(notice)
		}
	}
}
