package store

// How the hourly roll-up (rollups.go) packs facts into blobs: varints, each list prefixed
// with its length, times as offsets from the hour.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/modwatch/modwatch/justify"
)

// packer appends varints.
type packer []byte

func (p *packer) int(v int64)  { *p = binary.AppendVarint(*p, v) }
func (p *packer) uint(v int64) { *p = binary.AppendUvarint(*p, uint64(v)) }
func (p *packer) str(v string) {
	p.uint(int64(len(v)))
	*p = append(*p, v...)
}

func (p *packer) bool(v bool) {
	if v {
		p.uint(1)
	} else {
		p.uint(0)
	}
}

// unpacker reads what packer wrote; the first error sticks.
type unpacker struct {
	b   []byte
	err error
}

// varint reads one varint with read (binary.Varint or binary.Uvarint's signed view).
func (u *unpacker) varint(read func([]byte) (int64, int)) int64 {
	if u.err != nil {
		return 0
	}
	v, n := read(u.b)
	if n <= 0 {
		u.err = errors.New("truncated roll-up")
		return 0
	}
	u.b = u.b[n:]
	return v
}

func (u *unpacker) int() int64 { return u.varint(binary.Varint) }

func (u *unpacker) uint() int64 {
	return u.varint(func(b []byte) (int64, int) {
		v, n := binary.Uvarint(b)
		return int64(v), n
	})
}

func (u *unpacker) bool() bool { return u.uint() == 1 }

func (u *unpacker) str() string {
	n := u.uint()
	if u.err != nil || n < 0 || n > int64(len(u.b)) {
		if u.err == nil {
			u.err = errors.New("truncated roll-up")
		}
		return ""
	}
	v := string(u.b[:n])
	u.b = u.b[n:]
	return v
}

// signKinds numbers the kinds in blobs.
var signKinds = func() map[justify.SignKind]int64 {
	m := map[justify.SignKind]int64{}
	for i, k := range justify.SignKinds {
		m[k] = int64(i)
	}
	return m
}()

func packDialogs(hour int64, ds []justify.DialogStat) []byte {
	p := packer{}
	p.uint(int64(len(ds)))
	for _, d := range ds {
		p.uint(ms(d.StartedAt) - hour)
		p.bool(d.Touched)
		p.int(d.FirstTouchBy)
		p.uint(d.FirstTouch.Milliseconds())
		p.bool(d.Answered)
		p.int(d.FirstAnswerBy)
		p.uint(d.FirstAnswer.Milliseconds())
		p.uint(int64(d.Messages))
		p.uint(int64(len(d.Reactions)))
		for _, r := range d.Reactions {
			p.int(r.By)
			p.uint(r.Wait.Milliseconds())
		}
	}
	return p
}

func unpackDialogs(group, hour int64, b []byte, out []justify.DialogStat) ([]justify.DialogStat, error) {
	u := &unpacker{b: b}
	for n := u.uint(); n > 0 && u.err == nil; n-- {
		d := justify.DialogStat{GroupID: group, StartedAt: fromMS(hour + u.uint())}
		d.Touched, d.FirstTouchBy, d.FirstTouch = u.bool(), u.int(), time.Duration(u.uint())*time.Millisecond
		d.Answered, d.FirstAnswerBy, d.FirstAnswer = u.bool(), u.int(), time.Duration(u.uint())*time.Millisecond
		d.Messages = int(u.uint())
		if nr := u.uint(); nr > 0 {
			d.Reactions = make([]justify.Reaction, 0, min(nr, 1024))
			for ; nr > 0 && u.err == nil; nr-- {
				d.Reactions = append(d.Reactions, justify.Reaction{By: u.int(), Wait: time.Duration(u.uint()) * time.Millisecond})
			}
		}
		out = append(out, d)
	}
	return out, u.err
}

func packSigns(hour int64, ss []justify.SignFact) []byte {
	p := packer{}
	p.uint(int64(len(ss)))
	for _, s := range ss {
		p.uint(signKinds[s.Kind])
		p.int(s.OperatorVKID)
		p.bool(s.Primary)
		p.uint(int64(s.Minutes))
		p.uint(ms(s.At) - hour)
		p.uint(int64(len(s.OnShift)))
		for _, vk := range s.OnShift {
			p.int(vk)
		}
	}
	return p
}

func unpackSigns(group, hour int64, b []byte, out []justify.SignFact) ([]justify.SignFact, error) {
	u := &unpacker{b: b}
	for n := u.uint(); n > 0 && u.err == nil; n-- {
		k := u.uint()
		if k < 0 || k >= int64(len(justify.SignKinds)) {
			return out, fmt.Errorf("roll-up names sign kind %d", k)
		}
		s := justify.SignFact{GroupID: group, Kind: justify.SignKinds[k], OperatorVKID: u.int(), Primary: u.bool(),
			Minutes: int(u.uint())}
		s.At = fromMS(hour + u.uint())
		for ns := u.uint(); ns > 0 && u.err == nil; ns-- {
			s.OnShift = append(s.OnShift, u.int())
		}
		out = append(out, s)
	}
	return out, u.err
}

func packReplies(hour int64, rs []justify.ReplyFact) []byte {
	p := packer{}
	p.uint(int64(len(rs)))
	for _, r := range rs {
		p.int(r.OperatorVKID)
		p.int(r.Hash)
		p.int(r.CustomerVKID)
		p.uint(ms(r.At) - hour)
		p.bool(r.WroteAfter)
	}
	return p
}

func unpackReplies(group, hour int64, b []byte, out []justify.ReplyFact) ([]justify.ReplyFact, error) {
	u := &unpacker{b: b}
	for n := u.uint(); n > 0 && u.err == nil; n-- {
		r := justify.ReplyFact{GroupID: group, OperatorVKID: u.int(), Hash: u.int(), CustomerVKID: u.int()}
		r.At, r.WroteAfter = fromMS(hour+u.uint()), u.bool()
		out = append(out, r)
	}
	return out, u.err
}

// packAnswered packs tickets first answered in an hour, with what figures need of them.
func packAnswered(hour int64, ts []justify.AnsweredTicket) []byte {
	p := packer{}
	p.uint(int64(len(ts)))
	for _, t := range ts {
		p.uint(t.ID)
		p.uint(ms(t.AnsweredAt) - hour)
		p.int(ms(t.CreatedAt))
		p.int(t.AnsweredBy)
		p.int(ms(t.DeletedAt))
		p.bool(t.Closed)
	}
	return p
}

func unpackAnswered(group, hour int64, b []byte, out []justify.AnsweredTicket) ([]justify.AnsweredTicket, error) {
	u := &unpacker{b: b}
	for n := u.uint(); n > 0 && u.err == nil; n-- {
		t := justify.AnsweredTicket{ID: u.uint(), GroupID: group}
		t.AnsweredAt, t.CreatedAt, t.AnsweredBy, t.DeletedAt = fromMS(hour+u.uint()), fromMS(u.int()), u.int(), fromMS(u.int())
		t.Closed = u.bool()
		out = append(out, t)
	}
	return out, u.err
}
