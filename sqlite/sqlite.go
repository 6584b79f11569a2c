// Package sqlite is the embedded store: switchboard.Store on one SQLite file
// through the pure-Go driver modernc.org/sqlite.
//
// The file is in WAL mode with synchronous=FULL, so every commit that
// returned is on disk before the caller hears of it (a SIGKILL or a power cut
// loses nothing acknowledged). Writes (Commit and the token, password,
// webhook and delivery calls) go through one connection, since SQLite
// serialises writers anyway; reads use a separate pool of read-only
// connections that WAL lets run alongside the writer.
//
// Vocabulary objects are stored whole as JSON next to the columns the
// queries need. Timestamps: query columns hold Unix nanoseconds (NULL for the
// zero time; times outside 1678–2262 are refused), the JSON holds RFC 3339
// with nanoseconds. Every time read back is in UTC, so what was committed in
// UTC comes back reflect.DeepEqual. These encodings, and how Load assembles
// the state, are shared with the postgres store (internal/sqlstore).
package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	sb "github.com/switchboard/switchboard"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

var _ sb.Store = (*Store)(nil)

// Store is a switchboard.Store on one SQLite file. It is safe for
// concurrent use.
type Store struct {
	path  string
	w     *sql.DB // the one writer connection
	r     *sql.DB // read-only connections
	stmts stmts   // prepared on w
	ck    *checkpointer
}

// busyMs is how long a connection waits for a lock before SQLITE_BUSY.
const busyMs = "10000"

// Open opens (creating it and its folder when missing) the database file at
// path and applies the migrations it lacks.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, name.Internal(err, "create the data folder")
	}
	s := &Store{path: path}
	var err error
	if s.w, err = openWriter(ctx, path); err != nil {
		return nil, err
	}
	if err = migrate(ctx, s.w); err == nil {
		err = s.stmts.prepare(ctx, s.w)
	}
	if err == nil {
		s.r, err = openReaders(ctx, path)
	}
	if err == nil {
		s.ck, err = startCheckpointer(ctx, path)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// openWriter opens the single writer connection. BEGIN IMMEDIATE takes the
// write lock at once, so a transaction never fails half-way on a lock.
// Checkpoints run as checkpoint.go says; SQLite's own only past
// safetyFrames. temp_store(MEMORY) keeps the statement journals of the
// multi-row INSERTs in memory: on disk each one spilled to a temporary file,
// created and removed for each statement.
func openWriter(ctx context.Context, path string) (*sql.DB, error) {
	return openPool(ctx, path, 1,
		"_pragma=busy_timeout("+busyMs+")", "_pragma=journal_mode(WAL)",
		"_pragma=synchronous(FULL)", "_pragma=foreign_keys(1)", "_pragma=journal_size_limit(67108864)",
		"_pragma=temp_store(MEMORY)", "_pragma=wal_autocheckpoint("+strconv.Itoa(safetyFrames)+")",
		"_txlock=immediate")
}

// openReaders opens the pool of query-only connections.
func openReaders(ctx context.Context, path string) (*sql.DB, error) {
	return openPool(ctx, path, max(4, runtime.GOMAXPROCS(0)),
		"_pragma=busy_timeout("+busyMs+")", "_pragma=foreign_keys(1)", "_query_only=1")
}

// openPool opens a pool of up to conns connections to path, kept open, with
// the driver's parameters.
func openPool(ctx context.Context, path string, conns int, params ...string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn(path, params...))
	if err != nil {
		return nil, name.Internal(err, "open the database")
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, name.Internal(err, "open the database")
	}
	return db, nil
}

// dsn is a file: URI for path with the driver's parameters.
func dsn(path string, params ...string) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + esc + "?" + strings.Join(params, "&")
}

// Close releases the store.
func (s *Store) Close() error {
	var err error
	if s.ck != nil {
		if e := s.ck.close(); e != nil {
			err = name.Internal(e, "close the checkpointer")
		}
	}
	if s.w != nil {
		s.stmts.close(s.w)
	}
	for _, db := range []*sql.DB{s.r, s.w} {
		if db != nil {
			if e := db.Close(); e != nil && err == nil {
				err = name.Internal(e, "close the database")
			}
		}
	}
	return err
}
