package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"
)

// CSV row kinds: a community's total, a configured operator, admins who are not
// configured. A manager or owner who moderates too has a row of kind "manager" or "owner".
const (
	RowTotal    = "total"
	RowOperator = "operator"
	RowUnknown  = "unknown"
)

// csvFigures are the figures of a CSV row, in column order; each is followed by its
// previous-period value in a column suffixed "_prev".
var csvFigures = []struct {
	name string
	get  func(Counts) int64
}{
	{"bans", func(c Counts) int64 { return int64(c.Bans) }},
	{"deletions", func(c Counts) int64 { return int64(c.Deletions) }},
	{"justified_in_time", func(c Counts) int64 { return int64(c.JustifiedInTime) }},
	{"justified_late", func(c Counts) int64 { return int64(c.JustifiedLate) }},
	{"never_justified", func(c Counts) int64 { return int64(c.NeverJustified) }},
	{"approved", func(c Counts) int64 { return int64(c.Approved) }},
	{"reversed", func(c Counts) int64 { return int64(c.Reversed) }},
	{"reversed_in_vk", func(c Counts) int64 { return int64(c.ReversedInVK) }},
	{"deleted_requests", func(c Counts) int64 { return int64(c.DeletedRequests) }},
	{"sla_breaches", func(c Counts) int64 { return int64(c.SLABreaches) }},
	{"answered", func(c Counts) int64 { return int64(c.Answered) }},
	{"median_first_response_seconds", func(c Counts) int64 { return int64(c.MedianFirstResponse / time.Second) }},
	// Last, so that readers of the earlier columns by position are not disturbed.
	{"vanished_posts", func(c Counts) int64 { return int64(c.VanishedPosts) }},
	{"dialogs", func(c Counts) int64 { return int64(c.Dialogs) }},
	{"dialogs_answered", func(c Counts) int64 { return int64(c.DialogsAnswered) }},
	{"dialogs_unanswered", func(c Counts) int64 { return int64(c.DialogsUnanswered) }},
	{"dialog_length_median", func(c Counts) int64 { return int64(c.DialogLengthMedian) }},
	{"first_touch_median_seconds", func(c Counts) int64 { return c.FirstTouchMedianSeconds }},
	{"first_touch_p90_seconds", func(c Counts) int64 { return c.FirstTouchP90Seconds }},
	{"first_answer_median_seconds", func(c Counts) int64 { return c.FirstAnswerMedianSeconds }},
	{"first_answer_p90_seconds", func(c Counts) int64 { return c.FirstAnswerP90Seconds }},
	{"reaction_median_seconds", func(c Counts) int64 { return c.ReactionMedianSeconds }},
	{"reaction_p90_seconds", func(c Counts) int64 { return c.ReactionP90Seconds }},
	{"bare_greetings", func(c Counts) int64 { return int64(c.BareGreetings) }},
	{"stalls", func(c Counts) int64 { return int64(c.Stalls) }},
	{"template_replies", func(c Counts) int64 { return int64(c.TemplateReplies) }},
	{"one_word_replies", func(c Counts) int64 { return int64(c.OneWordReplies) }},
	{"skipped", func(c Counts) int64 { return int64(c.Skipped) }},
	{"closed_without_reply", func(c Counts) int64 { return int64(c.ClosedWithoutReply) }},
	{"repeat_contacts", func(c Counts) int64 { return int64(c.RepeatContacts) }},
	{"idle_minutes", func(c Counts) int64 { return int64(c.IdleMinutes) }},
	{"qa_good", func(c Counts) int64 { return int64(c.QAGood) }},
	{"qa_bad", func(c Counts) int64 { return int64(c.QABad) }},
}

// WriteCSV writes a header row, then for each community its total (kind "total") and one
// row per operator ("operator"; "manager" or "owner" for one who moderates too; "unknown"
// for admins who are not configured people),
// every figure followed by its previous-period value. Times are RFC 3339; the median
// first response is in seconds; SLA breaches are counted on total rows only.
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	header := []string{"from", "to", "group_id", "community", "kind", "operator"}
	for _, f := range csvFigures {
		header = append(header, f.name, f.name+"_prev")
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write csv header: %w", err)
	}
	from, to := r.From.Format(time.RFC3339), r.To.Format(time.RFC3339)
	row := func(c CommunityReport, kind, operator string, fig Figures) error {
		rec := []string{from, to, strconv.FormatInt(c.GroupID, 10), c.Name, kind, operator}
		for _, f := range csvFigures {
			rec = append(rec, strconv.FormatInt(f.get(fig.Current), 10), strconv.FormatInt(f.get(fig.Previous), 10))
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write csv row of %s in group %d: %w", kind, c.GroupID, err)
		}
		return nil
	}
	for _, c := range r.Communities {
		if err := row(c, RowTotal, "", c.Total); err != nil {
			return err
		}
		for _, o := range c.Operators {
			kind := RowOperator
			switch {
			case o.Operator == UnknownOperator:
				kind = RowUnknown
			case o.Role != "":
				kind = string(o.Role)
			}
			if err := row(c, kind, o.Operator, o.Figures); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// WriteJSON writes the report as indented JSON (the fields' json tags); empty lists are
// written as [] rather than null, so readers need not tell the two apart.
func WriteJSON(w io.Writer, r Report) error {
	out := r
	out.Communities = append([]CommunityReport{}, r.Communities...)
	for i, c := range out.Communities {
		if c.Operators == nil {
			c.Operators = []OperatorFigures{}
		}
		if c.DeletedRequests == nil {
			c.DeletedRequests = []DeletedRequest{}
		}
		if c.SLABreaches == nil {
			c.SLABreaches = []Breach{}
		}
		if c.Signs == nil {
			c.Signs = []Sign{}
		}
		if c.Templates == nil {
			c.Templates = []Template{}
		}
		if c.Activity == nil {
			c.Activity = map[string][24]int{}
		}
		out.Communities[i] = c
	}
	if out.Activity == nil {
		out.Activity = map[string][24]int{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}
