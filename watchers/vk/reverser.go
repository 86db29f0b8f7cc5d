package vk

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/SevereCloud/vksdk/v2/api"

	"github.com/modwatch/modwatch/justify"
)

// ErrNoUserToken means no admin user token is configured for the community, so a reversal
// has to be done by hand.
var ErrNoUserToken = errors.New("no admin user token is configured")

// Reverser undoes bans and deletions in VK. groups.unban and the restore methods of
// comments refuse community tokens (error 27), so they need an admin's user token;
// board.restoreComment is the exception and uses the community token.
type Reverser struct {
	clients   map[int64]*api.VK
	community map[int64]*api.VK
	tokens    []string // to mask in error texts
	apiURL    string
	client    *http.Client
}

var (
	_ justify.Reverser    = (*Reverser)(nil)
	_ justify.UndoChecker = (*Reverser)(nil)
)

// NewReverser prepares a reverser that uses userTokens (by community id) against apiURL
// ("" for VK's). A nil client gets one with a 30 s timeout.
func NewReverser(apiURL string, userTokens map[int64]string, client *http.Client) *Reverser {
	r := &Reverser{clients: map[int64]*api.VK{}, community: map[int64]*api.VK{}, apiURL: apiURL, client: client}
	for groupID, token := range userTokens {
		if token == "" {
			continue
		}
		r.clients[groupID] = newClient(token, apiURL, client, api.LimitUserToken)
		r.tokens = append(r.tokens, token)
	}
	return r
}

// UseCommunityTokens gives the reverser the communities' own tokens (by community id),
// which board.restoreComment takes.
func (r *Reverser) UseCommunityTokens(tokens map[int64]string) {
	for groupID, token := range tokens {
		if token == "" {
			continue
		}
		r.community[groupID] = newClient(token, r.apiURL, r.client, api.LimitGroupToken)
		r.tokens = append(r.tokens, token)
	}
}

// errAlreadyRestored is VK's "comment has not been deleted" on a restore.
const errAlreadyRestored api.ErrorType = 243

// Restore brings back a deleted comment or board post. VK's error 243 (it is not deleted)
// counts as done: someone restored it first.
func (r *Reverser) Restore(ctx context.Context, item justify.Ref) error {
	var restore func(api.Params) (int, error)
	var params api.Params
	var vk *api.VK
	var ok bool
	token := "admin's user token"
	if item.Place == justify.PlaceBoardPost {
		token = "community token"
		vk, ok = r.community[item.GroupID]
		if !ok {
			return &justify.UndoError{Problem: justify.UndoNoToken, Err: fmt.Errorf("no community token is configured for community %d", item.GroupID)}
		}
		restore = vk.BoardRestoreComment
		params = api.Params{"group_id": item.GroupID, "topic_id": item.ParentID, "comment_id": item.ItemID}
	} else {
		vk, ok = r.clients[item.GroupID]
		if !ok {
			return &justify.UndoError{Problem: justify.UndoNoToken, Err: fmt.Errorf("%w for community %d", ErrNoUserToken, item.GroupID)}
		}
		params = api.Params{"owner_id": item.OwnerID, "comment_id": item.ItemID}
		switch item.Place {
		case justify.PlaceWallComment:
			restore = vk.WallRestoreComment
		case justify.PlacePhotoComment:
			restore = vk.PhotosRestoreComment
		case justify.PlaceVideoComment:
			restore = vk.VideoRestoreComment
		case justify.PlaceMarketComment:
			restore = vk.MarketRestoreComment
		default:
			return &justify.UndoError{Problem: justify.UndoNotPossible,
				Err: &plainError{msg: fmt.Sprintf("VK cannot restore a deleted %s; only comments and board posts come back", item.Place)}}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	if _, err := restore(params.WithContext(ctx)); err != nil {
		if vkCode(err) == errAlreadyRestored {
			return nil
		}
		return fmt.Errorf("restore %s in community %d: %w", item.Link(), item.GroupID, explain(redact(err, r.tokens...), token))
	}
	return nil
}

// Unban lifts userVKID's ban in community groupID. Its errors are written for the manager
// who asked: they say what went wrong and what to fix, and never contain a token.
func (r *Reverser) Unban(ctx context.Context, groupID, userVKID int64) error {
	vk, ok := r.clients[groupID]
	if !ok {
		return &justify.UndoError{Problem: justify.UndoNoToken, Err: fmt.Errorf("%w for community %d", ErrNoUserToken, groupID)}
	}
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	_, err := vk.GroupsUnban(api.Params{"group_id": groupID, "owner_id": userVKID}.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("unban user %d in community %d: %w", userVKID, groupID, explain(redact(err, r.tokens...), "admin's user token"))
	}
	return nil
}

// Banned reports whether userVKID is banned in community groupID now, from groups.getBanned
// (the community token, or the admin's user token when there is none).
func (r *Reverser) Banned(ctx context.Context, groupID, userVKID int64) (bool, error) {
	vk, ok := r.community[groupID]
	if !ok {
		if vk, ok = r.clients[groupID]; !ok {
			return false, fmt.Errorf("check the ban of user %d: no token is configured for community %d", userVKID, groupID)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	resp, err := vk.GroupsGetBanned(api.Params{"group_id": groupID, "owner_id": userVKID}.WithContext(ctx))
	if vkCode(err) == api.ErrNotFound {
		return false, nil // VK's way of saying the user is not on the list
	}
	if err != nil {
		return false, fmt.Errorf("check the ban of user %d in community %d: %w", userVKID, groupID, redact(err, r.tokens...))
	}
	for _, it := range resp.Items {
		if int64(it.Profile.ID) == userVKID {
			return true, nil
		}
	}
	return false, nil
}

// Deleted reports whether a deleted comment is still deleted now. Only wall comments can
// be looked up one by one (wall.getComment, the admin's user token); for other places it
// returns an error.
func (r *Reverser) Deleted(ctx context.Context, item justify.Ref) (bool, error) {
	if item.Place != justify.PlaceWallComment {
		return false, fmt.Errorf("check %s: VK offers no way to look up one %s", item.Link(), item.Place)
	}
	vk, ok := r.clients[item.GroupID]
	if !ok {
		return false, fmt.Errorf("check %s: %w for community %d", item.Link(), ErrNoUserToken, item.GroupID)
	}
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	resp, err := vk.WallGetComment(api.Params{"owner_id": item.OwnerID, "comment_id": item.ItemID}.WithContext(ctx))
	if err != nil {
		return false, fmt.Errorf("check %s: %w", item.Link(), redact(err, r.tokens...))
	}
	for _, c := range resp.Items {
		if int64(c.ID) == item.ItemID {
			return bool(c.Deleted), nil
		}
	}
	return true, nil // VK leaves out what no longer exists
}

// explain rewords a VK refusal for a manager, naming token, the kind of token the call used
// (board posts are restored with the community token); the original stays in the chain for
// errors.As but not in the text, which VK words for developers.
func explain(err error, token string) error {
	problem, text := justify.UndoRefused, ""
	var e *api.Error
	switch {
	case errors.As(err, &e) && e.Code == api.ErrAuth:
		problem, text = justify.UndoTokenInvalid, fmt.Sprintf("the %s is no longer valid: issue a new one (VK error 5)", token)
	case errors.As(err, &e) && (e.Code == api.ErrAccess || e.Code == api.ErrGroupAuth || e.Code == api.ErrAccessGroup || e.Code == api.ErrPermission):
		problem, text = justify.UndoNoRights, fmt.Sprintf("the configured token lacks the right to do this or is not an admin's user token (VK error %d)", e.Code)
	case e != nil:
		text = fmt.Sprintf("VK refused: %s (error %d)", e.Message, e.Code)
	case errors.Is(err, errClientFailed), errors.Is(err, ErrAnswerTooLarge):
		problem, text = justify.UndoFailed, "VK's answer could not be read, so whether it was done is unknown"
	case errors.Is(err, context.DeadlineExceeded):
		problem, text = justify.UndoUnreachable, "VK did not answer in time, try again later"
	default:
		return &justify.UndoError{Problem: justify.UndoUnreachable, Err: fmt.Errorf("could not reach VK, try again later: %w", err)}
	}
	return &justify.UndoError{Problem: problem, Err: &plainError{text, err}}
}

type plainError struct {
	msg string
	err error
}

func (e *plainError) Error() string { return e.msg }
func (e *plainError) Unwrap() error { return e.err }
