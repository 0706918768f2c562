package main

// The `_id` expression index (docs/adr/0004).
//
// FerretDB v1.24.2's SQLite backend stores each collection as a table with one JSON column,
// _ferretdb_sjson. It creates the collection's unique `_id` index on the expression
//
//	_ferretdb_sjson->"_id"                  (metadata.Registry.indexesCreate)
//
// but every lookup, update and delete by `_id` filters on
//
//	_ferretdb_sjson->'$._id'                (metadata.IDColumn)
//
// SQLite uses an expression index only when the query spells the same expression (it compares
// expression trees, not meanings), so all of those statements scan the whole table. FerretDB's
// index is still what enforces `_id` uniqueness; this file adds a second, plain index on the
// expression the queries actually use, for every collection table of every database file.
//
// It polls: right after READY and then every idIndexInterval, it opens each <name>.sqlite file in
// the data directory with its own short-lived connection, asks sqlite_master which collection
// tables lack the index (cheap), and creates the missing ones. Everything else is left to
// FerretDB: the index is not in FerretDB's metadata (listIndexes, dropIndexes and collStats do
// not see it), DROP TABLE removes it with its collection, and renameCollection keeps the table.
// Errors are logged to stderr and retried on the next pass; they never stop the server.
//
// Not done for -memory: each in-memory database lives on FerretDB's single private connection,
// which no other connection can reach.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite" // FerretDB's own SQLite driver (pure Go), registered as "sqlite"
)

const (
	// idIndexInterval is the time between two passes over the data directory.
	idIndexInterval = 2 * time.Second

	// idIndexExpr must be spelled exactly like FerretDB's metadata.IDColumn, or SQLite will not
	// match it against the queries' WHERE clauses.
	idIndexExpr = `_ferretdb_sjson->'$._id'`

	// idIndexPrefix + <table> names the index. FerretDB names its own indexes <table>_<index name>
	// and rejects collection names starting with "_ferretdb_", so no FerretDB index can take it.
	idIndexPrefix = "_ferretdb_runner_id_"

	// idIndexBusyTimeout is how long a statement waits for FerretDB's writers (WAL: readers never
	// wait). Short, because shutdown waits for a pass in progress; a busy pass is simply retried.
	idIndexBusyTimeout = 2 * time.Second

	sqliteBusy = 5 // SQLITE_BUSY, the primary result code of "database is locked"
)

// missingIDIndexes lists the collection tables (those with a _ferretdb_sjson column) that have no
// index named idIndexPrefix + <table>. Parameter: idIndexPrefix.
const missingIDIndexes = `
SELECT t.name FROM sqlite_master AS t
WHERE t.type = 'table'
  AND EXISTS (SELECT 1 FROM pragma_table_info(t.name) WHERE name = '_ferretdb_sjson')
  AND NOT EXISTS (SELECT 1 FROM sqlite_master AS i WHERE i.type = 'index' AND i.name = ? || t.name)`

// runIDIndexer adds the missing `_id` expression indexes in dir now and then every interval,
// until ctx is done. It returns only then.
func runIDIndexer(ctx context.Context, dir string, interval time.Duration, l *slog.Logger) {
	lastErr := map[string]string{} // file -> last error logged, so a lasting failure logs once
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		indexDataDir(ctx, dir, lastErr, l)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// indexDataDir makes one pass over the database files of dir.
func indexDataDir(ctx context.Context, dir string, lastErr map[string]string, l *slog.Logger) {
	defer func() {
		if p := recover(); p != nil {
			l.Error("ferretdb-runner: _id index pass panicked", slog.Any("panic", p))
		}
	}()

	files, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if err != nil {
		l.Error("ferretdb-runner: _id index: listing database files", slog.String("error", err.Error()))
		return
	}
	for _, file := range files {
		if ctx.Err() != nil {
			return
		}
		created, err := indexDatabaseFile(ctx, file)
		for _, table := range created {
			l.Info("ferretdb-runner: created _id expression index",
				slog.String("file", file), slog.String("table", table))
		}
		switch {
		case err == nil || ctx.Err() != nil || !exists(file): // gone: FerretDB dropped the database
			delete(lastErr, file)
		case isBusy(err):
			l.Debug("ferretdb-runner: _id index: database busy, retrying later", slog.String("file", file))
		case lastErr[file] != err.Error():
			lastErr[file] = err.Error()
			l.Error("ferretdb-runner: _id index (will retry)", slog.String("file", file),
				slog.String("error", err.Error()))
		}
	}
}

// indexDatabaseFile creates the missing `_id` expression indexes in one database file and returns
// the tables it indexed.
func indexDatabaseFile(ctx context.Context, file string) (created []string, err error) {
	// mode=rw: never create the file (a database FerretDB has just dropped must stay gone).
	// The journal mode is not touched: FerretDB has set WAL, which is persistent in the file.
	u := url.URL{
		Scheme:   "file",
		Path:     file,
		RawQuery: fmt.Sprintf("mode=rw&_pragma=busy_timeout(%d)", idIndexBusyTimeout.Milliseconds()),
	}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	tables, err := queryStrings(ctx, db, missingIDIndexes, idIndexPrefix)
	if err != nil {
		return nil, err
	}
	for _, table := range tables {
		// Autocommit: the write lock is taken by this statement alone, so busy_timeout applies.
		q := fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (%s)",
			quoteIdent(idIndexPrefix+table), quoteIdent(table), idIndexExpr)
		if _, err := db.ExecContext(ctx, q); err != nil {
			if strings.Contains(err.Error(), "no such table") {
				continue // the collection was dropped meanwhile
			}
			return created, fmt.Errorf("table %s: %w", table, err)
		}
		created = append(created, table)
	}
	return created, nil
}

func queryStrings(ctx context.Context, db *sql.DB, q string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var res []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		res = append(res, s)
	}
	return res, rows.Err()
}

func exists(file string) bool {
	_, err := os.Stat(file)
	return err == nil
}

func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqliteBusy
}

// quoteIdent quotes an SQLite identifier.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
