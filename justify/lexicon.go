package justify

import (
	"hash/fnv"
	"sort"
	"strings"
	"unicode"
)

// ReplyClass is what a community message says, as far as words tell: whether it answers
// the customer or only looks like it does.
type ReplyClass string

// Reply classes.
const (
	// ReplyAnswer says something: anything beyond the lexicons' phrases, or an attachment.
	ReplyAnswer ReplyClass = "answer"
	// ReplyGreeting is only a greeting or an acknowledgement («Здравствуйте!», "Thanks for
	// contacting us").
	ReplyGreeting ReplyClass = "greeting"
	// ReplyHolding only says the question is being looked into («Уточняю», "Checking").
	ReplyHolding ReplyClass = "holding"
	// ReplyOneWord is only «да», «нет», «не знаю», "ok" and the like, a sticker or an emoji.
	ReplyOneWord ReplyClass = "one_word"
)

// Substantive reports whether a reply of this class answers the customer at all: a
// one-word reply does (badly, which is a sign of its own); a greeting or a holding reply
// does not.
func (c ReplyClass) Substantive() bool { return c == ReplyAnswer || c == ReplyOneWord }

// CustomerClass is what a customer's message asks for.
type CustomerClass string

// Customer message classes.
const (
	// CustomerRequest asks or tells something that needs an answer.
	CustomerRequest CustomerClass = "request"
	// CustomerGreeting is only a greeting: the request usually follows.
	CustomerGreeting CustomerClass = "greeting"
	// CustomerThanks only thanks or acknowledges («Спасибо!», "ok", 👍): it needs no
	// answer, opens no dialog and is no repeat contact.
	CustomerThanks CustomerClass = "thanks"
	// CustomerResolved says the customer needs no answer any more («Уже нашёл», «Вопрос
	// снят», "never mind"): like thanks, and it also ends a holding reply's wait, so the
	// request is no stall.
	CustomerResolved CustomerClass = "resolved"
)

// LexiconWords are phrases that extend the built-in lexicons (the config's
// conversations.greetings, holding_replies, one_word_replies and thanks). Case, ё and
// punctuation do not matter.
type LexiconWords struct {
	Greetings, Holding, OneWord, Thanks []string
}

// Lexicon tells greetings, holding replies and one-word replies from answers, in Russian
// and English. It is built once and safe for concurrent use.
type Lexicon struct {
	greetings, holding, oneWord, thanks, resolved, glue phrases
	// known are the words of every phrase: a known word starting a sentence before a
	// comma («Спасибо, ...») is not a name.
	known map[string]bool
}

// The built-in lexicons. Phrases are matched on whole words after normalisation (lower
// case, ё as е, punctuation as spaces), longest first.
var (
	builtinGreetings = []string{
		"здравствуйте", "здравствуй", "здрасте", "добрый день", "добрый вечер", "доброе утро", "доброй ночи",
		"доброго дня", "доброго времени суток", "приветствую", "приветствуем", "привет", "салют",
		"хорошего дня", "всего доброго", "до свидания",
		"спасибо", "благодарю", "благодарим", "спасибо за обращение", "спасибо за ваше обращение",
		"благодарим за обращение", "благодарим за ваше обращение", "спасибо что обратились",
		"спасибо что написали", "спасибо за ожидание", "обращение принято", "ваше обращение принято",
		"запрос принят", "ваш запрос принят", "сообщение получено", "ваше сообщение получено",
		"получили ваше сообщение", "мы получили ваше сообщение", "получили ваше обращение", "принято",
		"чем могу помочь", "чем можем помочь", "чем могу быть полезен", "чем могу быть полезна",
		"чем можем быть полезны", "слушаю вас", "слушаю", "на связи", "меня зовут", "рады помочь",
		"hello", "hi", "hey", "good morning", "good afternoon", "good evening", "greetings", "welcome",
		"thanks", "thank you", "thanks for contacting us", "thank you for contacting us",
		"thanks for reaching out", "thank you for reaching out", "thank you for your message",
		"we received your message", "we have received your message", "message received",
		"request received", "how can i help", "how can i help you", "how can we help", "how can we help you",
		"how may i help you", "my name is", "have a nice day", "good day",
	}
	builtinHolding = []string{
		"уточняю", "уточню", "уточним", "уточняем", "уточняется", "уточняю информацию", "уточню информацию",
		"ожидайте", "ожидайте ответа", "подождите", "минуту", "одну минуту", "минуточку", "секунду",
		"секундочку", "в работе", "взяли в работу", "взял в работу", "взяла в работу",
		"передал", "передала", "передали", "передал специалистам", "передала специалистам",
		"передали специалистам", "передал специалисту", "передала специалисту", "передали специалисту",
		"разбираемся", "разберемся", "разбираюсь", "разберусь", "проверяем", "проверяю", "проверим",
		"проверю", "выясняем", "выясняю", "выясним", "выясню", "изучаем", "изучаю", "изучим",
		"скоро ответим", "скоро отвечу", "ответим позже", "отвечу позже", "ответим в ближайшее время",
		"вернемся с ответом", "вернусь с ответом", "сообщим", "сообщу", "как только будет информация",
		"как только будет ответ", "занимаемся", "занимаюсь", "решаем", "посмотрю", "посмотрим", "смотрю", "смотрим",
		"узнаю", "узнаем", "передам", "передадим", "ждите", "ждите ответа", "свяжемся", "свяжусь", "отпишусь",
		"отпишемся", "напишу", "напишем", "вернусь", "вернемся",
		"checking", "let me check", "i will check", "i ll check", "we will check", "looking into it",
		"looking into this", "let me look into it", "passed to", "passed it to", "forwarded to",
		"forwarded it to", "escalated", "escalated to", "in progress", "we will get back to you",
		"i will get back to you", "will get back to you", "get back to you", "please wait", "one moment",
		"a moment", "just a moment", "bear with us", "hold on", "working on it", "investigating", "looking into",
		"find out", "let me find out", "let me see", "we re checking", "we are checking",
	}
	builtinOneWord = []string{
		"да", "нет", "не знаю", "незнаю", "не в курсе", "без понятия", "ок", "окей", "ok", "okay", "ага",
		"угу", "неа", "нету", "хорошо", "ладно", "понятно", "ясно", "возможно", "может быть", "наверное",
		"не могу сказать", "yes", "no", "yep", "nope", "yeah", "nah", "i don t know", "don t know",
		"dunno", "not sure", "maybe", "perhaps", "sure", "fine", "k", "kk", "конечно", "нельзя", "хз", "of course",
	}
	builtinThanks = []string{
		"спасибо", "спасибо большое", "большое спасибо", "благодарю", "спасибо за помощь",
		"спасибо за ответ", "ок", "окей", "ok", "okay", "понятно", "ясно", "хорошо", "ладно", "понял",
		"поняла", "отлично", "супер", "класс", "ага", "угу", "thanks", "thank you", "thank you very much",
		"thanks a lot", "thx", "got it", "great", "good", "thanks for the help", "thank you for your help",
	}
	// builtinResolved are customers' words that they need no answer any more.
	builtinResolved = []string{
		"нашел", "нашла", "разобрался", "разобралась", "разобрались", "вопрос решен", "вопрос снят", "неактуально",
		"не актуально", "уже не надо", "уже не нужно", "found it", "never mind", "nevermind", "solved", "sorted",
	}
	// builtinGlue are words that carry no answer of their own; they are ignored around a
	// lexicon phrase («Передал ваш вопрос специалистам, ожидайте, пожалуйста»), never alone.
	builtinGlue = []string{
		"пожалуйста", "please", "немного", "чуть", "еще", "все", "пока", "сейчас", "уже", "still", "now", "just", "мы", "я", "вас",
		"вам", "нам", "ваш", "ваше", "вашу", "вашего", "ваша", "ваши", "вашему", "вашим", "информацию",
		"информация", "вопрос", "вопросу", "по", "за", "и", "с", "в", "на", "к", "это", "специалистам",
		"специалисту", "коллегам", "отдел", "в отдел", "we", "i", "you", "your", "us", "the", "a", "an",
		"and", "for", "to", "it", "this", "with", "on", "in", "team", "our", "specialists", "colleagues",
		"are", "am", "is", "ll", "will", "very", "much", "all", "re", "there", "заказ", "заказу", "заказа",
		"заказом", "обращение", "обращению", "ситуацию", "ситуации", "у", "вами", "коллег", "коллегами", "ответ", "ответом",
		"скоро", "позже", "завтра", "обязательно", "order", "request", "soon", "back",
	}
)

// phrases is a lexicon: each phrase as its words, longest first.
type phrases [][]string

func newPhrases(lists ...[]string) phrases {
	seen := map[string]bool{}
	var out phrases
	for _, l := range lists {
		for _, p := range l {
			ws := words(p)
			key := strings.Join(ws, " ")
			if len(ws) == 0 || seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, ws)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// match returns the length of the longest phrase starting at ws[i], 0 when none does.
func (ps phrases) match(ws []token, i int) int {
	for _, p := range ps {
		if len(p) > len(ws)-i {
			continue
		}
		ok := true
		for k, w := range p {
			if ws[i+k].word != w {
				ok = false
				break
			}
		}
		if ok {
			return len(p)
		}
	}
	return 0
}

// NewLexicon builds the built-in lexicons extended by extra.
func NewLexicon(extra LexiconWords) *Lexicon {
	l := &Lexicon{
		greetings: newPhrases(builtinGreetings, extra.Greetings),
		holding:   newPhrases(builtinHolding, extra.Holding),
		oneWord:   newPhrases(builtinOneWord, extra.OneWord),
		thanks:    newPhrases(builtinThanks, extra.Thanks),
		resolved:  newPhrases(builtinResolved),
		glue:      newPhrases(builtinGlue),
		known:     map[string]bool{},
	}
	for _, ps := range []phrases{l.greetings, l.holding, l.oneWord, l.thanks, l.resolved, l.glue} {
		for _, p := range ps {
			for _, w := range p {
				l.known[w] = true
			}
		}
	}
	return l
}

// token is one word of a text: its normalised form and what the text around it says of
// it, which tells a name being addressed from other words.
type token struct {
	word string // lower case, ё as е
	// capital: written with a capital letter; first: the first word of a sentence;
	// comma: a comma follows it.
	capital, first, comma bool
}

// tokenize splits text into words: runs of letters and digits.
func tokenize(text string) []token {
	var out []token
	var cur []rune
	sentence := true
	flush := func() {
		if len(cur) == 0 {
			return
		}
		w := strings.ReplaceAll(strings.ToLower(string(cur)), "ё", "е")
		out = append(out, token{word: w, capital: capitalized(cur), first: sentence})
		sentence = false
		cur = cur[:0]
	}
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			cur = append(cur, r)
			continue
		}
		flush()
		switch r {
		case '.', '!', '?', '\n':
			sentence = true
		case ',':
			if len(out) > 0 {
				out[len(out)-1].comma = true
			}
		}
	}
	flush()
	return out
}

// capitalized reports whether a word starts with a capital letter and is not written all
// in capitals (which is shouting, not a name).
func capitalized(w []rune) bool {
	if !unicode.IsUpper(w[0]) {
		return false
	}
	if len(w) == 1 {
		return true
	}
	for _, r := range w[1:] {
		if unicode.IsLower(r) {
			return true
		}
	}
	return false
}

// words returns text's normalised words.
func words(text string) []string {
	ts := tokenize(text)
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.word
	}
	return out
}

// addressed reports whether a word is most likely a name the text addresses: a
// capitalised word that does not start a sentence («Спасибо за отзыв, Анна»), or one that
// does but is followed by a comma («Мария, добрый день») and is no word of the lexicons
// («Спасибо, ...»).
func (l *Lexicon) addressed(t token) bool {
	return t.capital && (!t.first || (t.comma && !l.known[t.word]))
}

// scan walks text's words, taking the longest phrase of any lexicon at each word; it
// says which lexicons matched and returns the words that none did.
func (l *Lexicon) scan(ts []token, lexicons map[string]phrases) (matched map[string]bool, rest []token) {
	matched = map[string]bool{}
	for i := 0; i < len(ts); {
		best, which := 0, ""
		for name, ps := range lexicons {
			if n := ps.match(ts, i); n > best || (n == best && n > 0 && name < which) {
				best, which = n, name
			}
		}
		if best == 0 {
			rest = append(rest, ts[i])
			i++
			continue
		}
		matched[which] = true
		i += best
	}
	return matched, rest
}

// ClassifyReply says what a community message is. names are the customer's names (first,
// last), which a reply may address without saying anything more; hasAttachments is true
// when the message carries more than a sticker (a photo, a document, a link).
func (l *Lexicon) ClassifyReply(text string, names []string, hasAttachments bool) ReplyClass {
	if hasAttachments {
		return ReplyAnswer
	}
	ts := tokenize(text)
	if len(ts) == 0 {
		// A sticker, an emoji, "?" or nothing: no words at all.
		return ReplyOneWord
	}
	matched, rest := l.scan(ts, map[string]phrases{
		"greeting": l.greetings, "holding": l.holding, "one_word": l.oneWord, "glue": l.glue,
	})
	lexical := matched["greeting"] || matched["holding"] || matched["one_word"]
	if !lexical || !l.onlyNames(rest, names) {
		return ReplyAnswer
	}
	switch {
	case matched["holding"]:
		return ReplyHolding
	case matched["one_word"]:
		return ReplyOneWord
	}
	return ReplyGreeting
}

// onlyNames reports whether the words left over are at most two names being addressed.
func (l *Lexicon) onlyNames(rest []token, names []string) bool {
	left := 0
	for _, t := range rest {
		if isName(t.word, names) {
			continue
		}
		if !l.addressed(t) {
			return false
		}
		left++
	}
	return left <= 2
}

func isName(w string, names []string) bool {
	for _, n := range names {
		if n != "" && w == n {
			return true
		}
	}
	return false
}

// ClassifyCustomer says whether a customer's message needs an answer.
func (l *Lexicon) ClassifyCustomer(text string, hasAttachments bool) CustomerClass {
	if hasAttachments {
		return CustomerRequest
	}
	ts := tokenize(text)
	if len(ts) == 0 {
		if strings.Contains(text, "?") {
			return CustomerRequest // "??": still waiting
		}
		return CustomerThanks // 👍, a sticker
	}
	if m, rest := l.scan(ts, map[string]phrases{"thanks": l.thanks, "resolved": l.resolved, "glue": l.glue}); len(rest) == 0 {
		switch {
		case m["resolved"]:
			return CustomerResolved
		case m["thanks"]:
			return CustomerThanks
		}
	}
	if m, rest := l.scan(ts, map[string]phrases{"greeting": l.greetings, "glue": l.glue}); m["greeting"] && l.onlyNames(rest, nil) {
		return CustomerGreeting
	}
	return CustomerRequest
}

// NormalizeTemplate is a reply reduced to what copy-paste keeps: lower case, ё as е, no
// punctuation or extra spaces, numbers as 0, and without names (the customer's own, and
// words that look like a name being addressed), so that «Мария, спасибо за отзыв!» and
// «Спасибо за отзыв, Иван.» are the same template.
func (l *Lexicon) NormalizeTemplate(text string, names []string) string {
	var out []string
	for _, t := range tokenize(text) {
		if isName(t.word, names) || l.addressed(t) {
			continue
		}
		out = append(out, digitsToZero(t.word))
	}
	return strings.Join(out, " ")
}

func digitsToZero(w string) string {
	if !strings.ContainsFunc(w, unicode.IsDigit) {
		return w
	}
	var b strings.Builder
	prev := false
	for _, r := range w {
		if unicode.IsDigit(r) {
			if !prev {
				b.WriteByte('0')
			}
			prev = true
			continue
		}
		prev = false
		b.WriteRune(r)
	}
	return b.String()
}

// TemplateHash is the identity of a normalised reply; 0 means "no template" (an empty
// normalised text).
func TemplateHash(normalized string) int64 {
	if normalized == "" {
		return 0
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(normalized))
	v := int64(h.Sum64())
	if v == 0 {
		v = 1
	}
	return v
}

// NameWords splits a person's name ("Мария Иванова") into the words a reply may address
// them by.
func NameWords(name string) []string { return words(name) }
