package report

import (
	"time"

	"github.com/modwatch/modwatch/justify"
)

// SpotCheckVerdict is a manager's verdict on a spot-checked dialog, as the JSON report
// lists them per community.
type SpotCheckVerdict struct {
	ID int64 `json:"id"`
	// Operator is the configured operator whose dialog it was, or UnknownOperator.
	Operator     string    `json:"operator"`
	CustomerVKID int64     `json:"customer_vk_id"`
	DialogAt     time.Time `json:"dialog_at"`
	Link         string    `json:"link"`
	// Verdict is "good" or "bad"; By who gave it, At when (the latest, if it was changed).
	Verdict string    `json:"verdict"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
	Comment string    `json:"comment,omitempty"`
}

// countSpotChecks adds the verdicts of both periods to qa_good and qa_bad: each counts in
// the period it was given in, for the operator whose dialog it was and for the community,
// and the current period's are listed.
func countSpotChecks(in Input, ops operators, get func(int64) *builder) {
	prevFrom := in.From.Add(-in.To.Sub(in.From))
	for _, sc := range in.SpotChecks {
		period := periodOf(sc.VerdictAt, prevFrom, in.From, in.To)
		if period < 0 || !sc.Verdict.Valid() {
			continue
		}
		b := get(sc.GroupID)
		accs := []*acc{&b.tot[period]}
		name, ok := ops.row(sc.OperatorVKID)
		if ok {
			accs = append(accs, b.op(period, name))
		}
		for _, a := range accs {
			if sc.Verdict == justify.VerdictGood {
				a.n.QAGood++
			} else {
				a.n.QABad++
			}
		}
		if period == cur {
			b.spots = append(b.spots, SpotCheckVerdict{ID: int64(sc.ID), Operator: name, CustomerVKID: sc.CustomerVKID,
				DialogAt: sc.StartedAt, Link: sc.Link, Verdict: string(sc.Verdict), By: sc.VerdictBy, At: sc.VerdictAt,
				Comment: sc.Comment})
		}
	}
}

func operatorSpotChecks(vs []SpotCheckVerdict, name string) []SpotCheckVerdict {
	var out []SpotCheckVerdict
	for _, v := range vs {
		if v.Operator == name {
			out = append(out, v)
		}
	}
	return out
}
