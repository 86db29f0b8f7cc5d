package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHealthURL(t *testing.T) {
	tests := []struct {
		listen, want, wantErr string
	}{
		{listen: "127.0.0.1:9464", want: "http://127.0.0.1:9464/healthz"},
		{listen: "0.0.0.0:9464", want: "http://127.0.0.1:9464/healthz"},
		{listen: ":9464", want: "http://127.0.0.1:9464/healthz"},
		{listen: "[::]:9464", want: "http://[::1]:9464/healthz"},
		{listen: "[::1]:9464", want: "http://[::1]:9464/healthz"},
		{listen: "", wantErr: "health.listen is not set"},
		{listen: "9464", wantErr: `health.listen "9464"`},
	}
	for _, tt := range tests {
		t.Run(tt.listen, func(t *testing.T) {
			got, err := healthURL(tt.listen)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestHealthCommand(t *testing.T) {
	answer := func(code int) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"status":%q}`, http.StatusText(code))
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/healthz"
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{name: "healthy", args: []string{"--url", answer(200)}, wantCode: 0, wantOut: `{"status":"OK"}`},
		{name: "unhealthy", args: []string{"--url", answer(503)}, wantCode: 1, wantOut: "Service Unavailable", wantErr: "unhealthy (HTTP 503"},
		{name: "nobody answers", args: []string{"--url", closed.URL + "/healthz"}, wantCode: 1, wantErr: "does not answer"},
		{name: "no target", args: nil, wantCode: 1, wantErr: "--url URL or --config FILE is required"},
		{name: "both targets", args: []string{"--url", "http://x", "--config", "y"}, wantCode: 1, wantErr: "not both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := runCLI(context.Background(), append([]string{"health"}, tt.args...), &out, &errOut)
			assert.Equal(t, tt.wantCode, code, errOut.String())
			assert.Contains(t, out.String(), tt.wantOut)
			assert.Contains(t, errOut.String(), tt.wantErr)
		})
	}
}

// TestHealthCommandAsksTheDaemon is the container's health check against the real daemon:
// found through the config, healthy while it runs, failing once it stopped.
func TestHealthCommandAsksTheDaemon(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	h := newHarness(t)
	h.edit = func(s string) string { return s + "health:\n  listen: " + addr + "\n" }
	h.start()

	// Healthy once every watcher has completed a long poll.
	var out, errOut bytes.Buffer
	require.Eventually(t, func() bool {
		out.Reset()
		errOut.Reset()
		return runCLI(context.Background(), []string{"health", "--config", h.configPath()}, &out, &errOut) == 0
	}, 15*time.Second, 50*time.Millisecond, "healthy")
	assert.Contains(t, out.String(), `"status":"ok"`)
	assert.Contains(t, out.String(), `"10"`, "each watcher")

	h.stop()
	out.Reset()
	errOut.Reset()
	assert.Equal(t, 1, runCLI(context.Background(), []string{"health", "--config", h.configPath()}, &out, &errOut))
	assert.Contains(t, errOut.String(), "does not answer")
}
