package main

import (
	"context"
	"flag"
	"io"

	"github.com/modwatch/modwatch/cmd/internal/demo"
)

// cmdDemo runs the real daemon against in-process VK and Telegram test servers and plays
// a scripted story, printing the conversation as it happens.
func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := demo.Options{Version: version}
	fs.StringVar(&o.Lang, "lang", "en", "language of the bot's messages: en or ru")
	fs.StringVar(&o.LogLevel, "log-level", "warn", "the daemon's log level (its log goes to stderr)")
	fs.StringVar(&o.Dir, "dir", "", "keep the demo's config and database in this folder instead of a temporary one")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return demo.Run(ctx, o, stdout, stderr)
}
