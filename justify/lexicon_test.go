package justify_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modwatch/modwatch/justify"
)

func TestClassifyReply(t *testing.T) {
	lex := justify.NewLexicon(justify.LexiconWords{
		Greetings: []string{"Приветствуем в Брендшопе"},
		Holding:   []string{"Смотрим в базе"},
		OneWord:   []string{"Без комментариев"},
	})
	tests := []struct {
		name        string
		text        string
		names       []string
		attachments bool
		want        justify.ReplyClass
	}{
		{name: "bare Russian greeting", text: "Здравствуйте!", want: justify.ReplyGreeting},
		{name: "greeting with the customer's name", text: "Добрый день, Мария!", names: []string{"мария", "иванова"}, want: justify.ReplyGreeting},
		{name: "name first", text: "Мария, здравствуйте.", want: justify.ReplyGreeting},
		{name: "greeting and how can I help", text: "Здравствуйте! Чем могу помочь?", want: justify.ReplyGreeting},
		{name: "acknowledgement", text: "Спасибо за обращение! Ваше обращение принято.", want: justify.ReplyGreeting},
		{name: "English greeting", text: "Hi! Thanks for reaching out.", want: justify.ReplyGreeting},
		{name: "greeting opening a real answer", text: "Здравствуйте! Ваш заказ отправлен вчера, трек RA123456789RU.", want: justify.ReplyAnswer},
		{name: "holding", text: "Уточняю информацию, ожидайте", want: justify.ReplyHolding},
		{name: "holding with glue", text: "Передал ваш вопрос специалистам, ожидайте, пожалуйста.", want: justify.ReplyHolding},
		{name: "greeting and holding", text: "Добрый день! Разбираемся.", want: justify.ReplyHolding},
		{name: "in progress", text: "В работе", want: justify.ReplyHolding},
		{name: "English holding", text: "Checking, please wait.", want: justify.ReplyHolding},
		{name: "holding word inside an answer", text: "Передал курьеру, доставка завтра до 18:00", want: justify.ReplyAnswer},
		{name: "yes", text: "Да.", want: justify.ReplyOneWord},
		{name: "no", text: "нет", want: justify.ReplyOneWord},
		{name: "don't know", text: "Не знаю", want: justify.ReplyOneWord},
		{name: "ok", text: "ok", want: justify.ReplyOneWord},
		{name: "English don't know", text: "I don't know", want: justify.ReplyOneWord},
		{name: "emoji only", text: "👍", want: justify.ReplyOneWord},
		{name: "no with a reason", text: "Нет в наличии, поступит в пятницу", want: justify.ReplyAnswer},
		{name: "a photo with a greeting", text: "Здравствуйте", attachments: true, want: justify.ReplyAnswer},
		{name: "a template is still an answer", text: "Спасибо за отзыв!", want: justify.ReplyAnswer},
		{name: "config greeting", text: "Приветствуем в Брендшопе!", want: justify.ReplyGreeting},
		{name: "config holding", text: "Смотрим в базе", want: justify.ReplyHolding},
		{name: "config one-word", text: "Без комментариев.", want: justify.ReplyOneWord},
		{name: "ё and capitals do not matter", text: "РАЗБЕРЁМСЯ", want: justify.ReplyHolding},
		{name: "three capitalised words are not a name", text: "Здравствуйте, Москва Санкт Петербург", want: justify.ReplyAnswer},
		// What support teams really write when they stall.
		{name: "stall about the order", text: "Здравствуйте, Мария! Уточняю информацию по вашему заказу, ожидайте.",
			names: []string{"мария"}, want: justify.ReplyHolding},
		{name: "I'll have a look", text: "Добрый день! Сейчас посмотрю.", want: justify.ReplyHolding},
		{name: "passing it on", text: "Передам коллегам", want: justify.ReplyHolding},
		{name: "we will contact you", text: "Мы с вами свяжемся", want: justify.ReplyHolding},
		{name: "will find out and write", text: "Узнаю и отпишусь", want: justify.ReplyHolding},
		{name: "English: looking into it", text: "We're looking into it", want: justify.ReplyHolding},
		{name: "English: let me find out", text: "Let me find out", want: justify.ReplyHolding},
		{name: "a holding word beside a real answer", text: "Заказ передам курьеру завтра", want: justify.ReplyAnswer},
		{name: "asking the customer for details is an answer", text: "Уточните номер заказа, пожалуйста", want: justify.ReplyAnswer},
		{name: "of course", text: "Конечно!", want: justify.ReplyOneWord},
		{name: "English greeting: hi there", text: "Hi there!", want: justify.ReplyGreeting},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, lex.ClassifyReply(tt.text, tt.names, tt.attachments))
		})
	}
}

func TestClassifyReplySubstantive(t *testing.T) {
	assert.True(t, justify.ReplyAnswer.Substantive())
	assert.True(t, justify.ReplyOneWord.Substantive(), "a bad answer is still an answer")
	assert.False(t, justify.ReplyGreeting.Substantive())
	assert.False(t, justify.ReplyHolding.Substantive())
}

func TestClassifyCustomer(t *testing.T) {
	lex := justify.NewLexicon(justify.LexiconWords{Thanks: []string{"мерси"}})
	tests := []struct {
		name        string
		text        string
		attachments bool
		want        justify.CustomerClass
	}{
		{name: "question", text: "Где мой заказ?", want: justify.CustomerRequest},
		{name: "greeting and question", text: "Здравствуйте, где мой заказ?", want: justify.CustomerRequest},
		{name: "greeting only", text: "Добрый день!", want: justify.CustomerGreeting},
		{name: "thanks", text: "Спасибо большое!", want: justify.CustomerThanks},
		{name: "ok", text: "Ок, понятно", want: justify.CustomerThanks},
		{name: "thanks but", text: "Спасибо, но заказ так и не пришёл", want: justify.CustomerRequest},
		{name: "thumbs up", text: "👍", want: justify.CustomerThanks},
		{name: "question marks", text: "???", want: justify.CustomerRequest},
		{name: "a photo", text: "", attachments: true, want: justify.CustomerRequest},
		{name: "config thanks", text: "Мерси!", want: justify.CustomerThanks},
		{name: "found it", text: "Спасибо, уже нашёл!", want: justify.CustomerResolved},
		{name: "solved", text: "Вопрос решён, спасибо", want: justify.CustomerResolved},
		{name: "English: never mind", text: "Never mind, found it", want: justify.CustomerResolved},
		{name: "found it, but", text: "Нашёл заказ, но он не тот", want: justify.CustomerRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, lex.ClassifyCustomer(tt.text, tt.attachments))
		})
	}
}

func TestNormalizeTemplate(t *testing.T) {
	lex := justify.NewLexicon(justify.LexiconWords{})
	tests := []struct {
		name  string
		texts []string
		names []string
		same  bool
	}{
		{name: "case, spacing and punctuation", texts: []string{"Спасибо за отзыв!", "спасибо  за ОТЗЫВ", "Спасибо, за отзыв..."}, same: true},
		{name: "names addressed", texts: []string{"Мария, спасибо за отзыв!", "Спасибо за отзыв, Иван.", "Спасибо за отзыв"}, same: true},
		{name: "the customer's own name", texts: []string{"спасибо за отзыв мария", "спасибо за отзыв"}, names: []string{"мария"}, same: true},
		{name: "numbers", texts: []string{"Ваш заказ 12345 отправлен", "Ваш заказ 987 отправлен"}, same: true},
		{name: "ё", texts: []string{"Всё отправлено", "Все отправлено"}, same: true},
		{name: "different words", texts: []string{"Спасибо за отзыв!", "Спасибо за заказ!"}, same: false},
		{name: "shouting is not a name", texts: []string{"СПАСИБО ЗА ОТЗЫВ", "Спасибо отзыв"}, same: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first := lex.NormalizeTemplate(tt.texts[0], tt.names)
			assert.NotEmpty(t, first)
			for _, other := range tt.texts[1:] {
				n := lex.NormalizeTemplate(other, tt.names)
				if tt.same {
					assert.Equal(t, first, n)
					assert.Equal(t, justify.TemplateHash(first), justify.TemplateHash(n))
				} else {
					assert.NotEqual(t, justify.TemplateHash(first), justify.TemplateHash(n))
				}
			}
		})
	}
	assert.Zero(t, justify.TemplateHash(""), "nothing left is no template")
	assert.Equal(t, "ваш заказ 0 отправлен", lex.NormalizeTemplate("Ваш заказ №12345 отправлен", nil))
}
