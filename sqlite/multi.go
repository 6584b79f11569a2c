package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"
	"sync"

	"github.com/switchboard/switchboard/internal/sqlstore"
)

// multiSizes are the row counts of the prepared multi-row INSERTs, largest
// first: n rows go as the binary decomposition of n, so that 45 rows are
// four statements (32 + 8 + 4 + 1) rather than 45.
var multiSizes = []int{64, 32, 16, 8, 4, 2, 1}

// multi is an INSERT for each of multiSizes rows: head, the row placeholder
// repeated, then tail (an ON CONFLICT clause, or nothing). Its statements
// are the driver's own, prepared on the writer connection at Open (and
// again if database/sql replaces that connection), and executed without
// database/sql, which would copy every value into a new slice on each
// execution (hundreds of values per statement here).
// conn and bySize change only while the writer connection is held, and its
// pool has one connection, so they need no lock of their own.
type multi struct {
	query  map[int]string
	conn   any                 // the driver connection the statements belong to
	bySize map[int]driver.Stmt // prepared on conn
}

func newMulti(head, row, tail string) *multi {
	m := &multi{query: map[int]string{}}
	for _, n := range multiSizes {
		m.query[n] = head + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ") + tail
	}
	return m
}

// stmt returns the statement for size rows on the driver connection dc,
// preparing them all again when dc is not the one they were prepared on:
// database/sql replaced a broken connection, and the statements went with
// it (they are dropped, not closed, since their connection is gone).
func (m *multi) stmt(ctx context.Context, dc any, size int) (driver.StmtExecContext, error) {
	if m.conn != dc {
		m.conn, m.bySize = nil, nil
		prep, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return nil, errors.New("the driver cannot prepare with a context")
		}
		m.bySize = map[int]driver.Stmt{}
		for n, q := range m.query {
			st, err := prep.PrepareContext(ctx, q)
			if err != nil {
				m.closeStmts()
				return nil, err
			}
			m.bySize[n] = st
		}
		m.conn = dc
	}
	st, ok := m.bySize[size].(driver.StmtExecContext)
	if !ok {
		return nil, errors.New("the driver cannot execute with a context")
	}
	return st, nil
}

// prepare prepares the statements on the writer connection now, so that
// Open fails on a statement SQLite refuses.
func (m *multi) prepare(ctx context.Context, w *sql.DB) error {
	conn, err := w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		_, err := m.stmt(ctx, dc, 1)
		return err
	})
}

// closeStmts closes the statements; the caller holds their connection.
func (m *multi) closeStmts() {
	for _, st := range m.bySize {
		st.Close()
	}
	m.conn, m.bySize = nil, nil
}

// close closes the statements on the writer connection.
func (m *multi) close(w *sql.DB) {
	if m == nil || m.bySize == nil {
		return
	}
	if conn, err := w.Conn(context.Background()); err == nil {
		_ = conn.Raw(func(dc any) error {
			if dc == m.conn {
				m.closeStmts()
			}
			return nil
		})
		conn.Close()
	}
}

// rows gathers the values of one statement. JSON columns are encoded into
// buf and passed as strings that share its bytes; buf and vals are reused
// once the statement ran.
type rows struct {
	vals []driver.NamedValue
	n    int // values set
	buf  []byte
}

// add appends values.
func (r *rows) add(vs ...any) {
	for _, v := range vs {
		if r.n == len(r.vals) {
			r.vals = append(r.vals, driver.NamedValue{Ordinal: r.n + 1})
		}
		r.vals[r.n].Value = v
		r.n++
	}
}

// text is what was appended to buf since start, as a value.
func (r *rows) text(start int) string { return sqlstore.UnsafeString(r.buf[start:]) }

func (r *rows) reset() {
	for i := range r.n {
		r.vals[i].Value = nil // keep no value alive
	}
	r.n, r.buf = 0, r.buf[:0]
}

// rowsPool holds the rows of commits; one is kept only up to maxRowsBuf.
var rowsPool = sync.Pool{New: func() any { return new(rows) }}

const maxRowsBuf = 4 << 20

func getRows() *rows { return rowsPool.Get().(*rows) }

func putRows(r *rows) {
	if cap(r.buf) > maxRowsBuf {
		return
	}
	r.reset()
	rowsPool.Put(r)
}

// insert writes n rows on conn, inside its open transaction: row appends
// the values of row i to r.
func (m *multi) insert(ctx context.Context, conn *sql.Conn, r *rows, n int, row func(r *rows, i int) error) error {
	for i := 0; i < n; {
		size := chunk(n - i)
		r.reset()
		for j := i; j < i+size; j++ {
			if err := row(r, j); err != nil {
				return err
			}
		}
		err := conn.Raw(func(dc any) error {
			st, err := m.stmt(ctx, dc, size)
			if err == nil {
				_, err = st.ExecContext(ctx, r.vals[:r.n])
			}
			return err
		})
		if err != nil {
			return err
		}
		i += size
	}
	return nil
}

// chunk is the largest prepared size not above n.
func chunk(n int) int {
	for _, s := range multiSizes {
		if s <= n {
			return s
		}
	}
	return 1
}
