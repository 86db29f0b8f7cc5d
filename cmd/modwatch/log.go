package main

import (
	"fmt"
	"io"
	"time"

	"github.com/rs/zerolog"
)

func parseLevel(s string) (zerolog.Level, error) {
	l, err := zerolog.ParseLevel(s)
	if err != nil || s == "" {
		return 0, fmt.Errorf("%q is not a level: use debug, info, warn or error", s)
	}
	return l, nil
}

func newLogger(c LogConfig, w io.Writer) (zerolog.Logger, error) {
	level, err := parseLevel(c.Level)
	if err != nil {
		return zerolog.Nop(), err
	}
	if c.Format == "console" {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.RFC3339}
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger(), nil
}
