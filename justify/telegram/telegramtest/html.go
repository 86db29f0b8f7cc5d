package telegramtest

import (
	"fmt"
	"strconv"
	"strings"
)

// supportedTags are the tags Telegram's HTML parse mode accepts.
var supportedTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "a": true, "code": true, "pre": true,
	"span": true, "tg-spoiler": true, "tg-emoji": true, "blockquote": true,
}

// namedEntities are the only named entities Telegram decodes.
var namedEntities = map[string]string{"lt": "<", "gt": ">", "amp": "&", "quot": `"`}

// ParseHTML checks s the way Telegram's HTML parse mode does and returns the plain text
// a user would see. The error text follows Telegram's "can't parse entities" messages.
func ParseHTML(s string) (string, error) {
	var out strings.Builder
	var stack []string
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("Unclosed start tag at byte offset %d", i)
			}
			tag := s[i+1 : i+end]
			if strings.HasPrefix(tag, "/") {
				name := strings.ToLower(strings.TrimSpace(tag[1:]))
				if len(stack) == 0 || stack[len(stack)-1] != name {
					return "", fmt.Errorf("Unexpected end tag at byte offset %d", i)
				}
				stack = stack[:len(stack)-1]
			} else {
				name, attrs, _ := strings.Cut(tag, " ")
				name = strings.ToLower(name)
				if name == "" || !supportedTags[name] {
					return "", fmt.Errorf("Unsupported start tag \"%s\" at byte offset %d", name, i)
				}
				if name == "a" && !strings.Contains(attrs, "href=") {
					return "", fmt.Errorf("Can't find href attribute of the tag \"a\" at byte offset %d", i)
				}
				if strings.Count(attrs, `"`)%2 != 0 {
					return "", fmt.Errorf("Unclosed attribute value at byte offset %d", i)
				}
				stack = append(stack, name)
			}
			i += end + 1
		case '&':
			end := strings.IndexByte(s[i:], ';')
			if end < 0 || end > 10 {
				return "", fmt.Errorf("Character '&' is reserved and must be escaped at byte offset %d", i)
			}
			ent := s[i+1 : i+end]
			if v, ok := namedEntities[ent]; ok {
				out.WriteString(v)
			} else if strings.HasPrefix(ent, "#") {
				n, err := parseCharRef(ent[1:])
				if err != nil {
					return "", fmt.Errorf("Invalid numeric entity at byte offset %d", i)
				}
				out.WriteRune(rune(n))
			} else {
				return "", fmt.Errorf("Unsupported HTML entity \"&%s;\" at byte offset %d", ent, i)
			}
			i += end + 1
		default:
			out.WriteByte(s[i])
			i++
		}
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1])
	}
	return out.String(), nil
}

func parseCharRef(s string) (int64, error) {
	if strings.HasPrefix(s, "x") || strings.HasPrefix(s, "X") {
		return strconv.ParseInt(s[1:], 16, 32)
	}
	return strconv.ParseInt(s, 10, 32)
}
