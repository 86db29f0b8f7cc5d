package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/rs/zerolog"

	"github.com/modwatch/modwatch/justify"
)

// The setup check's Telegram half: the bot token works, the group chats the bot must
// write to exist and let it write, and the people it cannot reach. Its texts, like VK's
// half, are for whoever sets modwatch up, in English as the command line is.

// SetupChat is a group chat the bot must be able to write to.
type SetupChat struct {
	// Key is the config key that names the chat, like "telegram.review_chat".
	Key    string
	ChatID int64
}

// SetupConfig says what CheckSetup looks at.
type SetupConfig struct {
	Token string
	// Endpoint is the Bot API endpoint format (token, method); DefaultEndpoint by default.
	Endpoint string
	// HTTPClient makes the calls; one with a 30 s timeout when nil.
	HTTPClient *http.Client
	Chats      []SetupChat
	// People are the team, Reach what the outbox knows of reaching them by Telegram id;
	// people are not checked when Reach is nil (no database yet).
	People []justify.Person
	Reach  map[int64]justify.Reach
}

// CheckSetup asks Telegram whether the bot can work: the token (getMe), each chat of
// cfg.Chats (getChat, and the bot's getChatMember there), and names the people the
// outbox says the bot cannot reach. The error says Telegram could not be asked.
func CheckSetup(ctx context.Context, cfg SetupConfig, log zerolog.Logger) ([]justify.SetupProblem, error) {
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultEndpoint
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	// The library asks getMe as it starts: that is the token's check.
	api, _, err := newTGClient(cfg.Token, cfg.Endpoint, hc, log)
	if err != nil {
		var apiErr *tgbotapi.Error
		if !errors.As(err, &apiErr) {
			return nil, fmt.Errorf("ask telegram about the bot: %w", err)
		}
		return []justify.SetupProblem{{Check: justify.CheckBot, Name: "bot token", Required: true,
			Problem: fmt.Sprintf("Telegram refuses the bot token (%d %s): it was revoked or mistyped", apiErr.Code, apiErr.Message),
			Fix:     "get the token from @BotFather (/mybots → the bot → API Token) and put it in the environment variable that telegram.token_env names"}}, nil
	}
	problems, err := checkChats(ctx, api, api.api.Self, cfg.Chats)
	if err != nil {
		return problems, err
	}
	if cfg.Reach != nil {
		problems = append(problems, unreached(cfg.People, cfg.Reach, api.api.Self.UserName)...)
	}
	return problems, nil
}

// CheckChats checks, as CheckSetup does, that the bot can write to each chat; the daemon
// runs it from time to time.
func (b *Bot) CheckChats(ctx context.Context, chats []SetupChat) ([]justify.SetupProblem, error) {
	if len(chats) == 0 {
		return nil, nil
	}
	me, r := b.api.GetMe(ctx)
	if !r.ok() {
		return nil, fmt.Errorf("ask telegram about the bot: %w", r.err())
	}
	return checkChats(ctx, b.api, me, chats)
}

func checkChats(ctx context.Context, api client, me tgbotapi.User, chats []SetupChat) ([]justify.SetupProblem, error) {
	var problems []justify.SetupProblem
	for _, c := range chats {
		p, err := checkChat(ctx, api, me, c)
		if err != nil {
			return problems, err
		}
		if p != nil {
			problems = append(problems, *p)
		}
	}
	return problems, nil
}

// checkChat returns what stops the bot from writing to a chat, nil when nothing does.
func checkChat(ctx context.Context, api client, me tgbotapi.User, c SetupChat) (*justify.SetupProblem, error) {
	bot := "@" + me.UserName
	problem := func(format string, a ...any) *justify.SetupProblem {
		return &justify.SetupProblem{Check: justify.CheckChat, Name: c.Key, Required: true, Problem: fmt.Sprintf(format, a...)}
	}
	chat, r := api.GetChat(ctx, c.ChatID)
	switch {
	case r.status == retry:
		return nil, fmt.Errorf("ask telegram about chat %d (%s): %w", c.ChatID, c.Key, r.err())
	case !r.ok():
		p := problem("Telegram says of chat %d: %s: the bot is not in it, or it does not exist", c.ChatID, r.description)
		p.Fix = fmt.Sprintf("add %s to the group, then send /start there; if the group became a supergroup, set %s to its new id", bot, c.Key)
		if strings.Contains(r.description, "migrated") || strings.Contains(r.description, "upgraded") {
			p.Problem = fmt.Sprintf("chat %d became a supergroup with a new id (Telegram: %s)", c.ChatID, r.description)
			p.Fix = fmt.Sprintf("set %s to the supergroup's id", c.Key)
		}
		return p, nil
	case chat.Type != "group" && chat.Type != "supergroup":
		p := problem("chat %d is a %s, not a group: the team would not see who decided", c.ChatID, chat.Type)
		p.Fix = fmt.Sprintf("set %s to a group's id (it starts with -), with %s in it", c.Key, bot)
		return p, nil
	}
	title := fmt.Sprintf("%q (%d)", justify.CleanText(chat.Title), c.ChatID)
	m, r := api.GetChatMember(ctx, c.ChatID, me.ID)
	switch {
	case r.status == retry:
		return nil, fmt.Errorf("ask telegram about the bot in chat %d (%s): %w", c.ChatID, c.Key, r.err())
	case !r.ok():
		p := problem("Telegram would not say whether the bot is in %s: %s", title, r.description)
		p.Fix = fmt.Sprintf("add %s to the group", bot)
		return p, nil
	}
	switch m.Status {
	case "left", "kicked":
		p := problem("the bot is not in %s any more (status %q): nothing modwatch sends there arrives", title, m.Status)
		p.Fix = fmt.Sprintf("add %s to the group again (Group info → Add members)", bot)
		return p, nil
	case "restricted":
		if !m.CanSendMessages {
			p := problem("the bot may not send messages in %s", title)
			p.Fix = fmt.Sprintf("in the group's Permissions → Exceptions, let %s send messages, or make it an admin", bot)
			return p, nil
		}
	case "member":
		if chat.Permissions != nil && !chat.Permissions.CanSendMessages {
			p := problem("members may not send messages in %s, and the bot is not an admin there", title)
			p.Fix = fmt.Sprintf("make %s an admin of the group (Group info → Administrators → Add admin)", bot)
			return p, nil
		}
	}
	return nil, nil
}

// unreached names the people the outbox says the bot cannot write to, and those it never
// wrote to, so that nobody learns of a missed prompt from a manager.
func unreached(people []justify.Person, reach map[int64]justify.Reach, botName string) []justify.SetupProblem {
	var problems []justify.SetupProblem
	for _, p := range people {
		r := reach[p.TelegramID]
		fix := fmt.Sprintf("ask %s to open @%s in Telegram and press Start; what waited for them is sent then", p.Name, botName)
		switch {
		case r.Refused != "":
			why := "they never pressed Start"
			if strings.Contains(r.Refused, "blocked") {
				why, fix = "they blocked the bot", fmt.Sprintf("ask %s to unblock @%s and press Start", p.Name, botName)
			}
			problems = append(problems, justify.SetupProblem{Check: justify.CheckPerson, Name: p.Name,
				Problem: fmt.Sprintf("the bot cannot write to %s (%s, Telegram id %d): %s (Telegram: %q, %s)",
					p.Name, p.Role, p.TelegramID, why, r.Refused, r.RefusedAt.UTC().Format(time.DateTime)),
				Fix: fix})
		case r.LastSent.IsZero() && r.Started.IsZero():
			problems = append(problems, justify.SetupProblem{Check: justify.CheckPerson, Name: p.Name,
				Problem: fmt.Sprintf("nothing has reached %s (%s, Telegram id %d) yet, so it is not known whether they pressed Start",
					p.Name, p.Role, p.TelegramID),
				Fix: fix + " (if they have not)"})
		}
	}
	return problems
}
