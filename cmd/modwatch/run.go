package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/cmd/internal/daemon"
	"github.com/modwatch/modwatch/configs"
)

// cmdRun runs the daemon until SIGINT or SIGTERM (ctx); SIGHUP reloads its config.
func cmdRun(ctx context.Context, args []string, stderr io.Writer) error {
	// SIGHUP's default is to end the process: take it before anything else, so that a
	// reload asked for while the daemon starts waits for the start instead of killing it.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "path to the YAML config file")
	envFile := fs.String("env-file", "", "a file of NAME=VALUE lines with the tokens, read at start and at every reload; it wins over the environment")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" {
		return errors.New("run: --config FILE is required")
	}
	src := configs.Source{Path: *path, EnvFile: *envFile, LookupEnv: os.LookupEnv}
	cfg, secrets, err := src.Load()
	if err != nil {
		return err
	}
	log, err := daemon.NewLogger(cfg.Log, stderr)
	if err != nil {
		return err
	}
	// A daemon alone in its process keeps its memory low unless GOMEMLIMIT says otherwise.
	limit := daemon.LimitMemory(os.LookupEnv, len(cfg.VK.Communities))
	log.Info().Int64("memory_limit_mib", limit>>20).Msg("go memory limit")
	d, err := daemon.Start(ctx, cfg, secrets, log, daemon.Options{Version: version, Source: src, Notify: systemdNotifier(log)})
	if err != nil {
		return err
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				log.Info().Str("component", "reload").Msg("SIGHUP: reading the config again")
				// The daemon logs what the reload did, or why it refused the config and
				// told the managers.
				if _, err := d.Reload(ctx); err == nil {
					// Communities added or removed move the memory limit with them.
					daemon.LimitMemory(os.LookupEnv, d.Communities())
				}
			}
		}
	}()
	return d.Wait()
}

// systemdNotifier tells systemd the daemon's state when it runs as a Type=notify service:
// sd_notify's protocol is one datagram of NAME=VALUE lines to $NOTIFY_SOCKET. It returns
// nil when nothing listens. A lost notice is logged, never fatal.
func systemdNotifier(log zerolog.Logger) func(string) {
	addr := os.Getenv("NOTIFY_SOCKET")
	if addr == "" {
		return nil
	}
	// Go reads a leading @ as Linux's abstract namespace, as systemd means it.
	sock := &net.UnixAddr{Name: addr, Net: "unixgram"}
	return func(state string) {
		conn, err := net.DialUnix("unixgram", nil, sock)
		if err != nil {
			log.Warn().Err(err).Msg("tell systemd the daemon's state")
			return
		}
		defer conn.Close()
		if _, err := conn.Write([]byte(state)); err != nil {
			log.Warn().Err(err).Msg("tell systemd the daemon's state")
		}
	}
}
