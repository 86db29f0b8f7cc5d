package daemon

import (
	"io"
	"time"

	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/configs"
)

// NewLogger makes the daemon's logger from the log section, writing to w.
func NewLogger(c configs.LogConfig, w io.Writer) (zerolog.Logger, error) {
	level, err := c.ZerologLevel()
	if err != nil {
		return zerolog.Nop(), err
	}
	if c.Format == "console" {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.RFC3339}
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger(), nil
}
