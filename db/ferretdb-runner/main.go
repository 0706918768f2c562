// Command ferretdb-runner runs FerretDB v1 (embedded as a library) with its SQLite backend: a real
// MongoDB-wire server for development and tests on machines without mongod.
//
// Contract with the Node launcher (src/store/embedded-server.ts):
//   - listens on 127.0.0.1 only; -port 0 binds a free port chosen by the kernel;
//   - once the listener is bound and accepting, prints exactly one line to stdout:
//     "READY mongodb://127.0.0.1:PORT/" and nothing else on stdout afterwards;
//   - logs (warnings and errors by default) go to stderr;
//   - SIGTERM or SIGINT: stops accepting, closes connections and the SQLite files, exits 0;
//   - with -exit-on-stdin-eof, exits as soon as stdin reaches EOF (the parent died), so a crashed
//     parent never leaves an orphan server behind;
//   - exit status 1 with a message on stderr when it cannot start (bad flags, port in use, …).
//
// Telemetry is off and locked off in embedded mode; no debug/metrics listener is opened.
//
// One addition to FerretDB (idindex.go): after READY, a background loop adds to every collection
// table the index on the `_id` expression FerretDB's queries use, which FerretDB itself does not
// create (without it, every lookup/update/delete by _id scans the table).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

type options struct {
	port           int
	dataDir        string
	memory         bool
	logLevel       string
	exitOnStdinEOF bool
}

func parseFlags() options {
	var o options
	flag.IntVar(&o.port, "port", 0, "TCP port on 127.0.0.1 (0 = pick a free one)")
	flag.StringVar(&o.dataDir, "data", "", "directory for the SQLite files (created if missing); required unless -memory")
	flag.BoolVar(&o.memory, "memory", false, "keep every database in memory (nothing survives a restart)")
	flag.StringVar(&o.logLevel, "log-level", "warn", "stderr log level: debug, info, warn, error")
	flag.BoolVar(&o.exitOnStdinEOF, "exit-on-stdin-eof", false, "exit when stdin is closed (parent gone)")
	flag.Parse()
	return o
}

// sqliteURL returns the FerretDB SQLite URI (a directory that must exist and end with "/") and
// that directory as an absolute path.
func sqliteURL(o options) (string, string, error) {
	dir := o.dataDir
	if dir == "" {
		if !o.memory {
			return "", "", fmt.Errorf("-data <dir> is required unless -memory is set")
		}
		dir = os.TempDir()
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return "", "", err
	}
	u := "file:" + filepath.ToSlash(abs) + "/"
	if o.memory {
		u += "?mode=memory"
	}
	return u, abs, nil
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelWarn
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// waitAccepting dials the bound address until a TCP connection succeeds (bounded by timeout).
func waitAccepting(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func run() error {
	o := parseFlags()
	if o.port < 0 || o.port > 65535 {
		return fmt.Errorf("-port must be 0..65535, got %d", o.port)
	}
	url, dir, err := sqliteURL(o)
	if err != nil {
		return err
	}
	logger := newLogger(o.logLevel)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if o.exitOnStdinEOF {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	// New binds the listener synchronously, so a busy port fails here, before READY.
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: net.JoinHostPort("127.0.0.1", strconv.Itoa(o.port))},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: url,
	})
	if err != nil {
		return err
	}

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	uri := f.MongoDBURI()
	if err := waitAccepting(uri[len("mongodb://"):len(uri)-1], 10*time.Second); err != nil {
		stop()
		<-done
		return fmt.Errorf("listener not accepting: %w", err)
	}
	fmt.Printf("READY %s\n", uri)

	indexerDone := make(chan struct{})
	if o.memory {
		close(indexerDone)
	} else {
		go func() {
			defer close(indexerDone)
			runIDIndexer(ctx, dir, idIndexInterval, logger)
		}()
	}

	err = <-done
	stop() // Run also returns on its own errors: stop the indexer too
	<-indexerDone
	return err
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-runner: %v\n", err)
		os.Exit(1)
	}
}
