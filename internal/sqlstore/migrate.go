package sqlstore

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Migration is one numbered schema change, a file NNNN_name.sql.
type Migration struct {
	Version int
	Path    string // in the store's files
}

// Migrations lists the migrations in the folder migrations of fsys by
// version; there is at least one.
func (n Name) Migrations(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil || len(names) == 0 {
		return nil, n.Internal(fmt.Errorf("no migrations: %v", err), "migrate")
	}
	slices.Sort(names)
	ms := make([]Migration, len(names))
	for i, name := range names {
		v, err := n.version(name)
		if err != nil {
			return nil, err
		}
		ms[i] = Migration{Version: v, Path: name}
	}
	return ms, nil
}

// version is the number a migration file name starts with.
func (n Name) version(name string) (int, error) {
	base := path.Base(name)
	v, err := strconv.Atoi(base[:max(0, strings.IndexByte(base, '_'))])
	if err != nil || v <= 0 {
		return 0, n.Internal(fmt.Errorf("bad migration file name %q", name), "migrate")
	}
	return v, nil
}
