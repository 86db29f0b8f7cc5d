package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/modwatch/modwatch/configs"
)

// cmdHealth asks a running daemon's GET /healthz and succeeds only when it answers 200.
// The container image's HEALTHCHECK and monitoring scripts use it: the image has no curl.
func cmdHealth(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("url", "", "the /healthz URL, like http://127.0.0.1:9464/healthz")
	path := fs.String("config", "", "find the endpoint from health.listen in this config instead")
	timeout := fs.Duration("timeout", 5*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	url := *target
	switch {
	case url != "" && *path != "":
		return errors.New("health: give --url or --config, not both")
	case url == "" && *path == "":
		return errors.New("health: --url URL or --config FILE is required")
	case url == "":
		// Only health.listen matters here: the tokens are not needed.
		cfg, _, err := configs.Load(*path, notNeeded)
		if err != nil {
			return err
		}
		if url, err = healthURL(cfg.Health.Listen); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: the daemon does not answer at %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	fmt.Fprintln(stdout, strings.TrimSpace(string(body)))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: unhealthy (HTTP %d from %s)", resp.StatusCode, url)
	}
	return nil
}

// healthURL is the /healthz URL of a daemon listening on listen (health.listen). An
// address on every interface is asked on the loopback one.
func healthURL(listen string) (string, error) {
	if listen == "" {
		return "", errors.New("health: health.listen is not set in the config, so the daemon serves no /healthz; set it, like 127.0.0.1:9464")
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("health: health.listen %q: %w", listen, err)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}
