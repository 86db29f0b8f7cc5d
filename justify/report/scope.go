package report

import "slices"

// Within returns the report restricted to the communities of a person's scope (nil: the
// report as it is): their figures, deleted requests, breaches and hourly activity. Help-
// desk tickets (group 0) belong to no community, so a scoped person does not see them.
// /stats and `modwatch report --for` show a person nothing else.
func (r Report) Within(scope []int64) Report {
	if scope == nil {
		return r
	}
	out := r
	out.Communities = nil
	out.Activity, out.Replies = map[string][24]int{}, map[string][24]int{}
	for _, c := range r.Communities {
		if !slices.Contains(scope, c.GroupID) {
			continue
		}
		out.Communities = append(out.Communities, c)
		addActivity(out.Activity, c.Activity)
		addActivity(out.Replies, c.Replies)
	}
	return out
}
