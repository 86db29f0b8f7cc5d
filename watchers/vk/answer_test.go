package vk

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/SevereCloud/vksdk/v2/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A capped answer reads in full up to the cap, and past it fails with an error that says
// so, which a JSON decoder passes on instead of "unexpected end of JSON input".
func TestCapAnswer(t *testing.T) {
	tests := []struct {
		name     string
		size     int64
		tooLarge bool
	}{
		{name: "under the cap", size: 99},
		{name: "exactly the cap", size: 100},
		{name: "one byte over", size: 101, tooLarge: true},
		{name: "far over", size: 100_000, tooLarge: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `"` + strings.Repeat("x", int(tt.size)-2) + `"`
			var s string
			err := json.NewDecoder(capAnswer(strings.NewReader(body), 100)).Decode(&s)
			if !tt.tooLarge {
				require.NoError(t, err)
				assert.Len(t, s, int(tt.size)-2)
				return
			}
			require.ErrorIs(t, err, ErrAnswerTooLarge)
			assert.Contains(t, err.Error(), "VK answer too large")
		})
	}
}

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := io.WriteString(zw, s)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()
}

// Every API call reads VK's answer within MaxAnswer, after inflating gzip: a small
// compressed answer that inflates past the cap is refused as clearly as a large plain one,
// and a body labelled gzip that is not is an error, not a crash.
func TestAPIAnswersAreCapped(t *testing.T) {
	big := `{"response":"` + strings.Repeat(" ", MaxAnswer) + `"}`
	bomb := gzipped(t, big)
	require.Less(t, len(bomb), MaxAnswer/100, "the compressed answer is small")
	tests := []struct {
		name    string
		gzip    bool
		body    []byte
		wantErr error  // nil: decoded
		errText string // what the error says
	}{
		{name: "a plain answer", body: []byte(`{"response":{"count":0,"items":[]}}`)},
		{name: "a gzip answer", gzip: true, body: gzipped(t, `{"response":{"count":0,"items":[]}}`)},
		{name: "a large plain answer", body: []byte(big), wantErr: ErrAnswerTooLarge, errText: "more than 32 MiB"},
		{name: "a gzip bomb", gzip: true, body: bomb, wantErr: ErrAnswerTooLarge, errText: "more than 32 MiB"},
		{name: "labelled gzip but not", gzip: true, body: []byte(`{"response":1}`), errText: "labelled gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if tt.gzip {
					w.Header().Set("Content-Encoding", "gzip")
				}
				_, _ = w.Write(tt.body)
			}))
			defer srv.Close()
			vk := newClient(communityToken, srv.URL+"/method/", srv.Client(), api.LimitGroupToken)
			var got json.RawMessage
			err := vk.RequestUnmarshal("groups.getBanned", &got, api.Params{"group_id": 1}.WithContext(context.Background()))
			switch {
			case tt.errText == "":
				require.NoError(t, err)
				assert.JSONEq(t, `{"count":0,"items":[]}`, string(got))
			case tt.wantErr != nil:
				require.ErrorIs(t, err, tt.wantErr)
				assert.Contains(t, err.Error(), tt.errText)
			default:
				require.Error(t, err)
				assert.False(t, errors.Is(err, ErrAnswerTooLarge))
				assert.Contains(t, err.Error(), tt.errText)
			}
		})
	}
}
