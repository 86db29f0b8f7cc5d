package telegram

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modwatch/modwatch/justify"
)

// catalogKeys lists, for each map of the catalogs, every key it must have. The domain lists
// only its reasons; the other lists are written here from the domain's constants: a value
// added there must be added here and translated. A map not listed here needs only the same
// keys in every language.
var catalogKeys = map[string][]any{
	"reasons": anys(justify.Reasons),
	"vkReasons": anys([]justify.BanReason{
		justify.BanOther, justify.BanSpam, justify.BanAbuse, justify.BanLanguage, justify.BanFlood,
	}),
	// A ban ends in one of these; a deletion in one of outcomesDel's.
	"outcomes": anys([]justify.Resolution{
		justify.ResolutionApproved, justify.ResolutionReversed, justify.ResolutionReversedByHand,
		justify.ResolutionReversedInVK, justify.ResolutionExpired,
	}),
	"outcomesDel": anys([]justify.Resolution{
		justify.ResolutionApproved, justify.ResolutionRestored, justify.ResolutionRestoredByHand,
		justify.ResolutionRestoredInVK,
	}),
	"undoProblems": anys([]justify.UndoProblem{
		justify.UndoNoToken, justify.UndoTokenInvalid, justify.UndoNoRights, justify.UndoNotPossible,
		justify.UndoUnreachable, justify.UndoRefused, justify.UndoInterrupted, justify.UndoFailed, justify.UndoStuck,
	}),
	"greeting": anys([]justify.Role{justify.RoleOperator, justify.RoleManager, justify.RoleOwner}),
	"alertTitles": anys([]justify.AlertKind{
		justify.AlertWave, justify.AlertDeletedRequest, justify.AlertUnknownAdmin, justify.AlertOfficers,
		justify.AlertToken, justify.AlertUnreachable, justify.AlertQuarantined, justify.AlertUndelivered,
		justify.AlertSetup, justify.AlertConfig,
	}),
	"states": anys([]justify.State{
		justify.StateAwaitingReason, justify.StateAwaitingReview, justify.StateReversing,
		justify.StateUndoPending, justify.StateClosed,
	}),
	"actions": anys([]justify.Action{
		justify.ActionOpened, justify.ActionReminded, justify.ActionOverdue, justify.ActionJustified,
		justify.ActionExplained, justify.ActionApproved, justify.ActionReverseStarted, justify.ActionReverseRetried, justify.ActionReversed,
		justify.ActionUndoRequested, justify.ActionUndoneInVK, justify.ActionUnbatched,
		justify.ActionShortForm, justify.ActionUndelivered, justify.ActionNotAsked,
	}),
	// An alert about a message that reached nobody names what it was.
	"delivery.kinds": anys([]justify.MessageKind{
		justify.MsgPrompt, justify.MsgAskText, justify.MsgReminder, justify.MsgReview, justify.MsgOutcome,
		justify.MsgUndoByHand, justify.MsgAlert, justify.MsgDigest, justify.MsgBatchPrompt, justify.MsgBatchAskText,
		justify.MsgBatchReminder, justify.MsgBatchReview, justify.MsgBatchOutcome,
	}),
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// TestCatalogsAreComplete walks every catalog by reflection, so that a text added to one
// language and forgotten in another, or left empty, fails here rather than showing a
// person a blank line or a raw key.
func TestCatalogsAreComplete(t *testing.T) {
	require.NotEmpty(t, catalogs)
	checkCatalogs(t, catalogs)
}

// checkCatalogs reports every empty text, unset function, missing key of catalogKeys and
// entry that one language has and another lacks, naming the language and the entry.
func checkCatalogs(t reporter, cats map[string]*catalog) {
	t.Helper()
	langs := slices.Sorted(maps.Keys(cats))
	entries := map[string]map[string]bool{} // language → the entries its catalog has
	all := map[string]bool{}
	for _, lang := range langs {
		if cats[lang] == nil {
			t.Errorf("%s: no catalog", lang)
			continue
		}
		entries[lang] = map[string]bool{}
		walkCatalog(t, lang, "", reflect.ValueOf(cats[lang]).Elem(), entries[lang])
		maps.Copy(all, entries[lang])
	}
	for field, keys := range catalogKeys {
		for _, k := range keys {
			all[field+"["+keyString(reflect.ValueOf(k))+"]"] = true
		}
	}
	for _, lang := range langs {
		for _, e := range slices.Sorted(maps.Keys(all)) {
			if entries[lang] != nil && !entries[lang][e] {
				t.Errorf("%s: %s is missing", lang, e)
			}
		}
	}
}

// walkCatalog checks the texts of one struct of a catalog and records each entry's path
// ("help", "reasons[spam]", "batch.title"). Strings must not be empty; functions (texts
// with counts) and pointers must be set. A field of any other kind fails the test, so that
// the walk is extended rather than silently skipping it.
func walkCatalog(t reporter, lang, prefix string, v reflect.Value, seen map[string]bool) {
	t.Helper()
	for i := range v.NumField() {
		f, name := v.Field(i), prefix+v.Type().Field(i).Name
		seen[name] = true
		switch f.Kind() {
		case reflect.String:
			if f.String() == "" {
				t.Errorf("%s: %s is empty", lang, name)
			}
		case reflect.Func:
			if f.IsNil() {
				t.Errorf("%s: %s is not set", lang, name)
			}
		case reflect.Pointer:
			if f.IsNil() || f.Elem().Kind() != reflect.Struct {
				t.Errorf("%s: %s is not set", lang, name)
				continue
			}
			walkCatalog(t, lang, name+".", f.Elem(), seen)
		case reflect.Map:
			if _, known := catalogKeys[name]; !known && f.Len() == 0 {
				t.Errorf("%s: %s is empty", lang, name)
			}
			if f.Type().Elem().Kind() != reflect.String {
				t.Errorf("%s: %s holds %s; the test checks maps of strings only", lang, name, f.Type().Elem())
				continue
			}
			keys := f.MapKeys()
			sort.Slice(keys, func(a, b int) bool { return keyString(keys[a]) < keyString(keys[b]) })
			for _, k := range keys {
				e := name + "[" + keyString(k) + "]"
				seen[e] = true
				if f.MapIndex(k).String() == "" {
					t.Errorf("%s: %s is empty", lang, e)
				}
			}
		default:
			t.Errorf("%s: %s is a %s, which the test does not check", lang, name, f.Kind())
		}
	}
}

// reporter is the part of testing.T the walk reports to.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// gaps collects what a walk reports, for the test of the walk itself.
type gaps []string

func (g *gaps) Helper() {}
func (g *gaps) Errorf(format string, args ...any) {
	*g = append(*g, fmt.Sprintf(format, args...))
}

// keyString names a map key the same way whether it was read from an unexported field
// (where reflection cannot call its methods) or written in the test.
func keyString(k reflect.Value) string {
	switch k.Kind() {
	case reflect.String:
		return k.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10)
	}
	return k.Type().String() + "?"
}

// The check itself must find what it is meant to: a blank text, a nil function, a key of
// one language only and a key no language has.
func TestCatalogCheckFindsGaps(t *testing.T) {
	broken := en
	broken.help = ""
	broken.ago = nil
	broken.reasons = maps.Clone(en.reasons)
	delete(broken.reasons, justify.ReasonFlood)
	batch := *en.batch
	batch.chooseAll = ""
	broken.batch = &batch
	// Neither language names the VK reason "flood": the domain's list still asks for it.
	noFlood := func(c catalog) *catalog {
		c.vkReasons = maps.Clone(c.vkReasons)
		delete(c.vkReasons, justify.BanFlood)
		return &c
	}
	flood := "vkReasons[" + strconv.Itoa(int(justify.BanFlood)) + "]"

	var found gaps
	checkCatalogs(&found, map[string]*catalog{"en": noFlood(en), "xx": noFlood(broken)})
	assert.ElementsMatch(t, gaps{
		"xx: help is empty", "xx: ago is not set", "xx: batch.chooseAll is empty", "xx: reasons[flood] is missing",
		"en: " + flood + " is missing", "xx: " + flood + " is missing",
	}, found)
}
