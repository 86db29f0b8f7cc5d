package telegram

import (
	"errors"
	"net/url"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/stretchr/testify/assert"
)

func TestResultClassifiesTelegramAnswers(t *testing.T) {
	apiErr := func(code int, desc string, retryAfter int) error {
		return &tgbotapi.Error{Code: code, Message: desc, ResponseParameters: tgbotapi.ResponseParameters{RetryAfter: retryAfter}}
	}
	netErr := &url.Error{Op: "Post", URL: "http://127.0.0.1:1/bot" + testToken + "/sendMessage", Err: errors.New("connection refused")}
	tests := []struct {
		name string
		err  error
		want result
		gone bool
	}{
		{name: "sent", err: nil, want: result{status: sent, messageID: 7}},
		{name: "not modified is as good as sent", err: apiErr(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same", 0),
			want: result{status: sent, messageID: 7}},
		{name: "rate limited", err: apiErr(429, "Too Many Requests: retry after 30", 30),
			want: result{status: retry, code: 429, retryAfter: 30 * time.Second, description: "Too Many Requests: retry after 30"}},
		{name: "server error", err: apiErr(502, "Bad Gateway", 0),
			want: result{status: retry, code: 502, description: "Bad Gateway"}},
		{name: "network error, token masked", err: netErr,
			want: result{status: retry, description: `Post "http://127.0.0.1:1/bot<token>/sendMessage": connection refused`}},
		{name: "blocked", err: apiErr(403, "Forbidden: bot was blocked by the user", 0),
			want: result{status: refused, code: 403, description: "Forbidden: bot was blocked by the user"}},
		{name: "bad request", err: apiErr(400, "Bad Request: can't parse entities", 0),
			want: result{status: refused, code: 400, description: "Bad Request: can't parse entities"}},
		{name: "message to edit gone", err: apiErr(400, "Bad Request: message to edit not found", 0),
			want: result{status: refused, code: 400, description: "Bad Request: message to edit not found"}, gone: true},
	}
	c := &tgClient{token: testToken}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.result(tt.err, 7)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.gone, got.messageGone())
			assert.Equal(t, tt.want.status == sent, got.err() == nil)
			if got.err() != nil {
				assert.Equal(t, tt.want.description, got.err().Error())
			}
		})
	}
}
