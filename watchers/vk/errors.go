package vk

import (
	"errors"
	"net/url"
	"strings"

	"github.com/SevereCloud/vksdk/v2/api"
)

// VK error codes that mean the token is gone or lacks a right: retrying soon will not help,
// a person has to fix the configuration.
var authCodes = map[api.ErrorType]bool{
	api.ErrAuth:         true,
	api.ErrPermission:   true,
	api.ErrAccess:       true,
	api.ErrGroupAuth:    true,
	api.ErrAccessGroup:  true,
	api.ErrAccessGroups: true,
}

// vkCode returns the VK error code in err's chain, 0 when it is not a VK error.
func vkCode(err error) api.ErrorType {
	var e *api.Error
	if errors.As(err, &e) {
		return e.Code
	}
	var v api.Error
	if errors.As(err, &v) {
		return v.Code
	}
	return 0
}

// isAuthError reports whether err says the token was revoked or lacks a right.
func isAuthError(err error) bool { return authCodes[vkCode(err)] }

// redactedError hides secrets from an error's text while keeping its chain for errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact strips query strings from URLs in network errors (a long-poll URL carries the
// session key, other clients put tokens there) and masks every secret that still appears.
func redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.RawQuery != "" {
			u.RawQuery = "redacted"
			clean := &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
			if ue == err {
				err = clean
			} else {
				err = &redactedError{msg: strings.ReplaceAll(err.Error(), ue.Error(), clean.Error()), err: clean}
			}
		}
	}
	msg := err.Error()
	changed := false
	for _, s := range secrets {
		if s != "" && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
			changed = true
		}
	}
	if changed {
		return &redactedError{msg: msg, err: err}
	}
	return err
}
