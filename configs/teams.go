package configs

import (
	"fmt"
	"slices"

	"github.com/modwatch/modwatch/justify"
)

// This file checks what lets one modwatch serve several brands' teams: each person's
// scope (people[].communities) and the team chats reviews and alerts go to.

// covers reports whether a scope covers groupID; a nil scope covers all.
func covers(scope []int64, groupID int64) bool {
	return scope == nil || slices.Contains(scope, groupID)
}

// validateTeams checks people's scopes against the communities configured, and the team
// chats: a group's id is negative, and a topic needs a chat.
func (c *Config) validateTeams(p *Problems) {
	configured := map[int64]bool{}
	for _, cm := range c.VK.Communities {
		configured[cm.GroupID] = true
	}
	for i, pc := range c.People {
		key := fmt.Sprintf("people[%d].communities", i)
		if pc.Communities != nil && len(pc.Communities) == 0 {
			p.add(key, "empty: list the group ids %s works for, or leave the key out for every community", pc.Name)
		}
		seen := map[int64]bool{}
		for j, g := range pc.Communities {
			switch {
			case !configured[g]:
				p.add(fmt.Sprintf("%s[%d]", key, j), "%d is not a community in vk.communities: write the group_id of a watched community", g)
			case seen[g]:
				p.add(fmt.Sprintf("%s[%d]", key, j), "%d is listed twice", g)
			}
			seen[g] = true
		}
	}
	checkChat(p, "telegram.review_chat", "telegram.review_topic", c.Telegram.ReviewChat, c.Telegram.ReviewTopic, true)
	checkChat(p, "telegram.alerts_chat", "telegram.alerts_topic", c.Telegram.AlertsChat, c.Telegram.AlertsTopic, true)
	for i, cm := range c.VK.Communities {
		key := fmt.Sprintf("vk.communities[%d].", i)
		checkChat(p, key+"review_chat", key+"review_topic", cm.ReviewChat, cm.ReviewTopic, c.Telegram.ReviewChat == 0)
		checkChat(p, key+"alerts_chat", key+"alerts_topic", cm.AlertsChat, cm.AlertsTopic, c.Telegram.AlertsChat == 0)
	}
}

// checkChat checks a team chat and its topic; topicNeedsChat says whether a topic with no
// chat has no chat to be a topic of.
func checkChat(p *Problems, chatKey, topicKey string, chat int64, topic int, topicNeedsChat bool) {
	if chat > 0 {
		p.add(chatKey, "%d is a person's id: write the group's or supergroup's id, which is negative (like -1001234567890); add the bot to the group and ask it, or a bot like @RawDataBot, for the id", chat)
	}
	switch {
	case topic < 0:
		p.add(topicKey, "%d must be a forum topic's id (message_thread_id), which is positive", topic)
	case topic > 0 && chat == 0 && topicNeedsChat:
		p.add(topicKey, "%d is set but there is no chat to be a topic of: set %s", topic, chatKey)
	}
}

// teamWarnings lists the communities that no manager covers: their cases go to their
// owners, or, with none either, to nobody.
func (c *Config) teamWarnings() []string {
	var w []string
	people := c.Directory()
	for i, cm := range c.VK.Communities {
		key := fmt.Sprintf("vk.communities[%d]", i)
		switch {
		case len(people.InScope(cm.GroupID, justify.RoleManager)) > 0:
		case len(people.InScope(cm.GroupID, justify.RoleOwner)) > 0:
			w = append(w, fmt.Sprintf("%s: no manager works for community %d (people[].communities): its owners decide its cases", key, cm.GroupID))
		default:
			w = append(w, fmt.Sprintf("%s: nobody but operators works for community %d (people[].communities): nobody will review its cases or hear its alerts", key, cm.GroupID))
		}
	}
	return w
}
