package vk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/SevereCloud/vksdk/v2/api"

	"github.com/modwatch/modwatch/justify"
)

// SetupConfig says which community the setup check asks VK about, with which tokens.
type SetupConfig struct {
	GroupID int64
	// Token is the community token; required.
	Token string
	// UserToken is the admin's user token; optional.
	UserToken string
	// APIURL is the VK method base URL, "https://api.vk.com/method/" when empty.
	APIURL string
	// HTTPClient makes the calls; nil shares each token's client and request budget with
	// the community's other VK work.
	HTTPClient *http.Client
}

// setup is one check of one community: its clients and what VK said so far.
type setup struct {
	cfg             SetupConfig
	community, user *api.VK
	problems        []justify.SetupProblem
	// canManage: the community token has the manage right; userAdmin: the user token is
	// an administrator's. Either may change the Long Poll settings.
	canManage, userAdmin bool
}

func newSetup(cfg SetupConfig) (*setup, error) {
	if cfg.GroupID <= 0 || cfg.Token == "" {
		return nil, fmt.Errorf("check the setup of community %d: a group id and a community token are needed", cfg.GroupID)
	}
	s := &setup{cfg: cfg, community: newClient(cfg.Token, cfg.APIURL, cfg.HTTPClient, api.LimitGroupToken)}
	if cfg.UserToken != "" {
		s.user = newClient(cfg.UserToken, cfg.APIURL, cfg.HTTPClient, api.LimitUserToken)
	}
	return s, nil
}

// CheckSetup asks VK whether community cfg.GroupID is set up as modwatch needs: the
// community token is valid and this community's, it has the rights modwatch needs, the
// Bots Long Poll API is on with a recent version and every event type modwatch reads
// (EventTypes), and the user token, if any, is an admin's with the scopes modwatch needs.
// It returns what is missing, nothing when all is well. The error says VK could not be
// asked (the network, VK's servers); the problems found before it are returned with it.
func CheckSetup(ctx context.Context, cfg SetupConfig) ([]justify.SetupProblem, error) {
	s, err := newSetup(cfg)
	if err != nil {
		return nil, err
	}
	err = s.check(ctx)
	return s.problems, err
}

func (s *setup) check(ctx context.Context) error {
	if ok, err := s.checkCommunityToken(ctx); err != nil || !ok {
		// A token VK refuses, or another community's, tells nothing about this one; the
		// user token may still be checked.
		return errors.Join(err, s.checkUserToken(ctx))
	}
	if err := s.checkRights(ctx); err != nil {
		return err
	}
	if err := s.checkUserToken(ctx); err != nil {
		return err
	}
	return s.checkLongPoll(ctx)
}

func (s *setup) add(p justify.SetupProblem) {
	p.GroupID = s.cfg.GroupID
	s.problems = append(s.problems, p)
}

// call makes one VK call, with a timeout; its error never holds a token. refused is VK's
// own refusal, which the check reports as a problem; err is a failure to ask VK at all.
func (s *setup) call(ctx context.Context, vk *api.VK, method string, out any, params api.Params) (refused *api.Error, err error) {
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	err = vk.RequestUnmarshal(method, out, params.WithContext(ctx))
	if err == nil {
		return nil, nil
	}
	err = redact(err, s.cfg.Token, s.cfg.UserToken)
	if code := vkCode(err); code != 0 {
		return &api.Error{Code: code, Message: err.Error()}, nil
	}
	return nil, fmt.Errorf("ask VK about community %d (%s): %w", s.cfg.GroupID, method, err)
}

// communityInfo is what groups.getById says of a community.
type communityInfo struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	IsAdmin    int    `json:"is_admin"`
	AdminLevel int    `json:"admin_level"`
}

// parseGetByID reads groups.getById's answer: a bare array in the versions vksdk sends,
// {"groups": [...]} in later ones (and the schema).
func parseGetByID(raw json.RawMessage) ([]communityInfo, error) {
	var list []communityInfo
	if err := json.Unmarshal(raw, &list); err == nil {
		return list, nil
	}
	var obj struct {
		Groups []communityInfo `json:"groups"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("read groups.getById: %w", err)
	}
	return obj.Groups, nil
}

// checkCommunityToken asks VK whose the community token is: groups.getById without a
// group answers the token's own community. It reports whether the token is this
// community's.
func (s *setup) checkCommunityToken(ctx context.Context) (bool, error) {
	var raw json.RawMessage
	refused, err := s.call(ctx, s.community, "groups.getById", &raw, api.Params{})
	if err != nil {
		return false, err
	}
	fix := pathTokens + ": create a token with the rights " + needNames(CommunityRights, true) +
		" and put it in the environment variable that token_env names"
	if refused != nil {
		s.add(justify.SetupProblem{Check: justify.CheckCommunityToken, Name: "community token", Required: true,
			Problem: fmt.Sprintf("VK refuses the community token (error %d): it was revoked, mistyped, or is not a community token", refused.Code),
			Fix:     fix})
		return false, nil
	}
	groups, err := parseGetByID(raw)
	if err != nil || len(groups) == 0 {
		return false, fmt.Errorf("ask VK whose the token of community %d is: %w", s.cfg.GroupID, errors.Join(err, errors.New("no community in the answer")))
	}
	if id := groups[0].ID; id != s.cfg.GroupID {
		s.add(justify.SetupProblem{Check: justify.CheckTokenOwner, Name: "community token", Required: true,
			Problem: fmt.Sprintf("the community token is community %d's («%s»), not community %d's: modwatch would watch the wrong community",
				id, justify.CleanText(groups[0].Name), s.cfg.GroupID),
			Fix: fmt.Sprintf("in community %d: %s", s.cfg.GroupID, fix)})
		return false, nil
	}
	return true, nil
}

// checkRights compares the community token's rights with CommunityRights.
func (s *setup) checkRights(ctx context.Context) error {
	var perms struct {
		Mask        int64 `json:"mask"`
		Permissions []struct {
			Name    string `json:"name"`
			Setting int64  `json:"setting"`
		} `json:"permissions"`
	}
	refused, err := s.call(ctx, s.community, "groups.getTokenPermissions", &perms, api.Params{})
	if err != nil {
		return err
	}
	if refused != nil {
		s.add(justify.SetupProblem{Check: justify.CheckRights, Name: "rights", Required: true,
			Problem: fmt.Sprintf("VK would not list the community token's rights (error %d)", refused.Code),
			Fix:     pathTokens + ": check that the token is this community's"})
		return nil
	}
	has := map[string]bool{}
	for _, p := range perms.Permissions {
		has[p.Name] = true
	}
	s.canManage = has["manage"]
	var missing []string
	for _, r := range CommunityRights {
		if !has[r.Name] {
			missing = append(missing, r.Name)
		}
	}
	for _, r := range CommunityRights {
		if has[r.Name] {
			continue
		}
		s.add(justify.SetupProblem{Check: justify.CheckRights, Name: r.Name, Required: r.Required,
			Problem: fmt.Sprintf("the community token lacks the right %q, which modwatch needs for %s", r.Name, r.Why),
			// VK cannot add a right to an existing token: a new one replaces it.
			Fix: fmt.Sprintf("%s: create a new token with the rights %s (VK cannot add a right to a token) and replace the old one",
				pathTokens, withNames(needNames(CommunityRights, false), missing))})
	}
	return nil
}

// checkUserToken checks that the user token, if any, is an admin's of this community
// with the scopes modwatch needs.
func (s *setup) checkUserToken(ctx context.Context) error {
	if s.user == nil {
		return nil
	}
	fix := "log in to VK as a community admin and issue a user token with the scopes " + needNames(UserScopes, false) +
		", then put it in the environment variable that user_token_env names"
	// account.getAppPermissions takes user tokens only: a community token given as the
	// user token is told apart here, where groups.getById would answer it.
	var mask int64
	refused, err := s.call(ctx, s.user, "account.getAppPermissions", &mask, api.Params{})
	if err != nil {
		return err
	}
	if refused != nil {
		problem := fmt.Sprintf("VK refuses the admin's user token (error %d): it was revoked, expired or mistyped", refused.Code)
		if refused.Code == api.ErrGroupAuth {
			problem = "the admin's user token is a community token: reversals and post checks need a user token"
		}
		s.add(justify.SetupProblem{Check: justify.CheckUserToken, Name: "user token", Required: true, Problem: problem, Fix: fix})
		return nil
	}
	var raw json.RawMessage
	refused, err = s.call(ctx, s.user, "groups.getById", &raw,
		api.Params{"group_id": s.cfg.GroupID, "fields": "is_admin,admin_level"})
	if err != nil {
		return err
	}
	if refused != nil {
		s.add(justify.SetupProblem{Check: justify.CheckUserAdmin, Name: "user token", Required: true,
			Problem: fmt.Sprintf("VK would not say whether the user token's account is an admin of the community (error %d)", refused.Code),
			Fix:     fix})
		return nil
	}
	groups, err := parseGetByID(raw)
	if err != nil {
		return fmt.Errorf("ask VK about the user token of community %d: %w", s.cfg.GroupID, err)
	}
	if len(groups) == 0 || groups[0].ID != s.cfg.GroupID || groups[0].IsAdmin != 1 {
		s.add(justify.SetupProblem{Check: justify.CheckUserAdmin, Name: "user token", Required: true,
			Problem: "the user token's account is not an admin of the community: VK will refuse its unbans and restores",
			Fix:     "make that account a manager of the community (Manage community → Members → Managers), or " + fix})
		return nil
	}
	s.userAdmin = groups[0].AdminLevel >= 3
	var missing []string
	for _, sc := range UserScopes {
		if mask&sc.Bit == 0 {
			missing = append(missing, sc.Name)
		}
	}
	for _, sc := range UserScopes {
		if mask&sc.Bit != 0 {
			continue
		}
		s.add(justify.SetupProblem{Check: justify.CheckUserScopes, Name: sc.Name, Required: sc.Required,
			Problem: fmt.Sprintf("the admin's user token lacks the scope %q, which modwatch needs for %s", sc.Name, sc.Why),
			Fix: "log in to VK as a community admin and issue a new user token with the scopes " +
				withNames(needNames(UserScopes, false), missing) + ", then replace the old one"})
	}
	return nil
}

// longPollSettings is groups.getLongPollSettings' answer.
type longPollSettings struct {
	IsEnabled  json.RawMessage `json:"is_enabled"` // true or 1: the schema says boolean, VK sends both
	APIVersion string          `json:"api_version"`
	Events     map[string]int  `json:"events"`
}

func (l longPollSettings) enabled() bool {
	v := strings.TrimSpace(string(l.IsEnabled))
	return v == "true" || v == "1"
}

// settingsClient is the client that may read and change the Long Poll settings: the
// community token with the manage right, or else an administrator's user token.
func (s *setup) settingsClient() *api.VK {
	switch {
	case s.canManage:
		return s.community
	case s.userAdmin:
		return s.user
	}
	return nil
}

// checkLongPoll compares the Bots Long Poll settings with what modwatch reads.
func (s *setup) checkLongPoll(ctx context.Context) error {
	vk := s.settingsClient()
	if vk == nil {
		// The missing manage right is already named; nothing else may read the settings.
		return nil
	}
	var lp longPollSettings
	refused, err := s.call(ctx, vk, "groups.getLongPollSettings", &lp, api.Params{"group_id": s.cfg.GroupID})
	if err != nil {
		return err
	}
	if refused != nil {
		s.add(justify.SetupProblem{Check: justify.CheckLongPoll, Name: "settings",
			Problem: fmt.Sprintf("VK would not show the Long Poll settings (error %d), so the event types modwatch needs were not checked", refused.Code),
			Fix:     pathEvents + ": tick " + strings.Join(EventTypes(), ", ")})
		return nil
	}
	if !lp.enabled() {
		s.add(justify.SetupProblem{Check: justify.CheckLongPoll, Name: "is_enabled", Required: true, Fixable: true,
			Problem: "the Bots Long Poll API is off: modwatch receives no event from this community",
			Fix:     pathLongPoll + " → Settings: Long Poll API: Enabled"})
	}
	if !versionAtLeast(lp.APIVersion, MinLongPollVersion) {
		s.add(justify.SetupProblem{Check: justify.CheckLongPoll, Name: "api_version", Required: true, Fixable: true,
			Problem: fmt.Sprintf("the Long Poll API sends events in API version %q, older than %s: modwatch would misread them", lp.APIVersion, MinLongPollVersion),
			Fix:     pathLongPoll + " → Settings → API version: " + LongPollVersion})
	}
	for _, typ := range EventTypes() {
		if lp.Events[typ] == 1 {
			continue
		}
		label, lost := eventText(typ)
		s.add(justify.SetupProblem{Check: justify.CheckEvents, Name: typ, Required: true, Fixable: true,
			Problem: fmt.Sprintf("VK does not send %s events: %s", typ, lost),
			Fix:     pathEvents + " → " + label})
	}
	return nil
}

// FixSetup changes the community's Bots Long Poll settings so that the fixable problems
// among problems (found by CheckSetup) are gone: it turns the API on with
// LongPollVersion and turns on every event type missing, in one groups.setLongPollSettings
// call, with the community token if it has the manage right or else an administrator's
// user token. It returns what it changed, nothing when there was nothing to change.
// Problems it cannot fix (rights, scopes, tokens) are left for a person.
func FixSetup(ctx context.Context, cfg SetupConfig, problems []justify.SetupProblem) ([]string, error) {
	params := api.Params{"group_id": cfg.GroupID}
	var changes []string
	for _, p := range problems {
		if !p.Fixable || p.GroupID != cfg.GroupID {
			continue
		}
		switch p.Check {
		case justify.CheckLongPoll:
			// Whichever of the two is wrong, both are set: VK keeps no version for a Long
			// Poll that is off.
			if _, done := params["enabled"]; !done {
				params["enabled"], params["api_version"] = 1, LongPollVersion
			}
			changes = append(changes, p.Name)
		case justify.CheckEvents:
			params[p.Name] = 1
			changes = append(changes, p.Name)
		}
	}
	if len(changes) == 0 {
		return nil, nil
	}
	if _, set := params["enabled"]; !set {
		// Events arrive only while the API is on, in the version modwatch reads: setting
		// the events alone could leave either as it was.
		params["enabled"], params["api_version"] = 1, LongPollVersion
	}
	s, err := newSetup(cfg)
	if err != nil {
		return nil, err
	}
	var ok int
	var refusals []string
	for _, c := range []struct {
		vk   *api.VK
		name string
	}{{s.community, "the community token"}, {s.user, "the admin's user token"}} {
		if c.vk == nil {
			continue
		}
		refused, err := s.call(ctx, c.vk, "groups.setLongPollSettings", &ok, params)
		if err != nil {
			return nil, err
		}
		if refused == nil {
			slices.Sort(changes)
			return slices.Compact(changes), nil
		}
		refusals = append(refusals, fmt.Sprintf("%s (error %d)", c.name, refused.Code))
	}
	return nil, fmt.Errorf("change the Long Poll settings of community %d: VK refused %s; "+
		"it takes a community token with the right manage, or an administrator's user token", cfg.GroupID, strings.Join(refusals, " and "))
}

// needNames lists the names of needs, only the required ones when requiredOnly.
func needNames(needs []Need, requiredOnly bool) string {
	var names []string
	for _, n := range needs {
		if n.Required || !requiredOnly {
			names = append(names, n.Name)
		}
	}
	return strings.Join(names, ", ")
}

// withNames is a list of needs that marks the missing ones: "manage, messages (missing)".
func withNames(all string, missing []string) string {
	parts := strings.Split(all, ", ")
	for i, p := range parts {
		if slices.Contains(missing, p) {
			parts[i] = p + " (missing)"
		}
	}
	return strings.Join(parts, ", ")
}
