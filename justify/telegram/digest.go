package telegram

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/justify"
)

// MaxCaptionLen is Telegram's limit on a photo's caption, in characters after parsing.
const MaxCaptionLen = 1024

// digestCursorPrefix keeps, per digest of more than one part, how many parts were
// delivered, so a retry after a failure or a crash between the chart and the text goes on
// where it stopped instead of sending the chart again. A crash between sending a part and
// saving this cursor still repeats that one part: at most one repeat, never a loss. The
// cursor is keyed by outbox id, so digests interleaving their retries cannot mix; it
// costs one small row per digest.
const digestCursorPrefix = "telegram:digest_parts:"

// digestPart is one Telegram message of a digest: the chart (with its caption) or a
// piece of the text.
type digestPart struct {
	photo bool
	text  string
}

// digestParts splits a digest into what Telegram accepts: the chart with its caption,
// then the text in pieces of at most MaxTextLen cut at line ends. A caption too long for
// a photo goes before the text instead.
func digestParts(d justify.Digest) []digestPart {
	var parts []digestPart
	text := d.Text
	if len(d.Chart) > 0 {
		caption := d.Caption
		if plainLen(caption) > MaxCaptionLen {
			text, caption = strings.TrimRight(caption, "\n")+"\n\n"+text, ""
		}
		parts = append(parts, digestPart{photo: true, text: caption})
	}
	for _, chunk := range splitLines(text, MaxTextLen) {
		parts = append(parts, digestPart{text: chunk})
	}
	return parts
}

// splitLines cuts s into pieces of at most n characters at line ends, so that no tag of
// the renderer's HTML is split (the digest renderer closes its tags on each line). A
// single line longer than n is cut by characters: it may then be refused, which a digest
// line never should be.
func splitLines(s string, n int) []string {
	s = strings.TrimRight(s, "\n")
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var out []string
	var cur strings.Builder
	curLen := 0
	flush := func() {
		if t := strings.TrimRight(cur.String(), "\n"); strings.TrimSpace(t) != "" {
			out = append(out, t)
		}
		cur.Reset()
		curLen = 0
	}
	for _, line := range strings.Split(s, "\n") {
		// Counting the raw HTML is conservative: it is never shorter than what Telegram counts.
		l := utf8.RuneCountInString(line)
		for l > n {
			flush()
			head := clipRunes(line, n)
			out = append(out, head)
			line = line[len(head):]
			l = utf8.RuneCountInString(line)
		}
		if curLen > 0 && curLen+1+l > n {
			flush()
		}
		if curLen > 0 {
			cur.WriteByte('\n')
			curLen++
		}
		cur.WriteString(line)
		curLen += l
	}
	flush()
	return out
}

// clipRunes returns the first n characters of s.
func clipRunes(s string, n int) string {
	i := 0
	for count := 0; i < len(s) && count < n; count++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}

// deliverDigest sends an owner's digest: the chart as a photo, then the text. The outbox
// message is marked sent once every part went.
func (b *Bot) deliverDigest(ctx context.Context, m justify.Message, log zerolog.Logger) error {
	settle := context.WithoutCancel(ctx)
	d, err := justify.ParseDigest(m.Payload)
	if err != nil {
		log.Error().Err(err).Msg("cannot decode digest; giving up")
		return b.markFailed(settle, m.ID, err.Error())
	}
	parts := digestParts(d)
	if len(parts) == 0 {
		return b.markFailed(settle, m.ID, "empty digest")
	}
	done, err := b.digestProgress(ctx, m)
	if err != nil {
		return err
	}
	lastID := 0
	for i := done; i < len(parts); i++ {
		r := b.sendDigestPart(ctx, m.ChatID, d, parts[i])
		if !r.ok() {
			log.Info().Int("parts_sent", i).Int("parts", len(parts)).Msg("digest interrupted")
			return b.settleFailure(settle, m, r, "", log)
		}
		lastID = r.messageID
		if i < len(parts)-1 {
			if err := b.saveDigestProgress(settle, m, i+1); err != nil {
				return err
			}
		}
	}
	log.Debug().Int("parts", len(parts)).Msg("digest delivered")
	return b.markSent(settle, m.ID, lastID, b.deps.Now())
}

func (b *Bot) sendDigestPart(ctx context.Context, chatID int64, d justify.Digest, p digestPart) result {
	asked := b.deps.Now()
	var r result
	if !p.photo {
		r = b.send(ctx, chatID, view{text: p.text}, nil)
	} else {
		name := d.ChartName
		if name == "" {
			name = "activity.png"
		}
		r = b.api.SendPhoto(ctx, chatID, name, d.Chart, p.text)
	}
	r.asked = asked
	return r
}

func digestCursor(id int64) string { return digestCursorPrefix + strconv.FormatInt(id, 10) }

// digestProgress is how many parts of m were already delivered.
func (b *Bot) digestProgress(ctx context.Context, m justify.Message) (int, error) {
	v, err := b.deps.Cursors.Cursor(ctx, digestCursor(m.ID))
	if err != nil {
		return 0, fmt.Errorf("load progress of digest %d: %w", m.ID, err)
	}
	if v == "" {
		return 0, nil
	}
	done, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("parse progress %q of digest %d: %w", v, m.ID, err)
	}
	return done, nil
}

func (b *Bot) saveDigestProgress(ctx context.Context, m justify.Message, done int) error {
	if err := b.deps.Cursors.SaveCursor(ctx, digestCursor(m.ID), strconv.Itoa(done)); err != nil {
		return fmt.Errorf("save progress of digest %d: %w", m.ID, err)
	}
	return nil
}
