package ticketimport

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Encoding is the character encoding of an import file. Help desks in Russia often
// export Windows-1251, older mail systems KOI8-R; everything modwatch stores is UTF-8.
type Encoding struct {
	// Name is the encoding's usual name: "utf-8", "windows-1251" or "koi8-r".
	Name string
	// cm decodes the file; nil for UTF-8.
	cm *charmap.Charmap
}

// UTF8 is the default encoding of an import file.
var UTF8 = Encoding{Name: "utf-8"}

var (
	windows1251 = Encoding{Name: "windows-1251", cm: charmap.Windows1251}
	koi8r       = Encoding{Name: "koi8-r", cm: charmap.KOI8R}
)

// encodingNames are the spellings people use, without case, dashes, underscores or spaces.
var encodingNames = map[string]Encoding{
	"utf8":        UTF8,
	"windows1251": windows1251, "cp1251": windows1251, "win1251": windows1251, "1251": windows1251,
	"xcp1251": windows1251, "mscyrl": windows1251,
	"koi8r": koi8r, "koi8": koi8r, "cskoi8r": koi8r,
}

// ParseEncoding reads an encoding's name as a person would write it: "windows-1251",
// "CP1251", "koi8-r", "utf8".
func ParseEncoding(name string) (Encoding, error) {
	key := strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(strings.TrimSpace(name)))
	if e, ok := encodingNames[key]; ok {
		return e, nil
	}
	return Encoding{}, fmt.Errorf("unknown encoding %q: use utf-8 (the default), windows-1251 (also cp1251) or koi8-r", name)
}

// Decode returns the file's bytes as UTF-8. A file read as UTF-8 must be valid UTF-8 (a
// leading BOM is fine): otherwise the first bad line is named, with a hint at the
// encoding the file seems to be in. A file read in another encoding must not already be
// UTF-8, which would garble every letter outside ASCII.
func Decode(data []byte, enc Encoding) ([]byte, *RowError) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return nil, &RowError{Line: 1, Why: "the file is UTF-16 (it starts with a UTF-16 byte order mark): save it as UTF-8 (\"CSV UTF-8\" in Excel) and import that"}
	}
	if enc.cm == nil {
		if line, col, b, more, bad := firstInvalid(data); bad {
			return nil, &RowError{Line: line, Why: fmt.Sprintf("not UTF-8 (byte 0x%02X at character %d%s); %s",
				b, col, moreLines(more), encodingHint(data))}
		}
		return data, nil
	}
	if line, ok := firstNonASCII(data); ok && utf8.Valid(data) {
		return nil, &RowError{Line: line, Why: fmt.Sprintf("the file is already UTF-8: reading it as %s would garble every letter outside ASCII; drop --encoding %s",
			enc.Name, enc.Name)}
	}
	out, err := enc.cm.NewDecoder().Bytes(data)
	if err != nil {
		// A single-byte charmap decodes every byte; this is only a safeguard.
		return nil, &RowError{Line: 1, Why: fmt.Sprintf("cannot read the file as %s: %v", enc.Name, err)}
	}
	return out, nil
}

// firstInvalid finds the first byte that is not valid UTF-8: its line, its character
// column, the byte, and how many more lines hold such bytes.
func firstInvalid(data []byte) (line, col int, b byte, more int, bad bool) {
	for n, l := range bytes.Split(data, []byte("\n")) {
		if utf8.Valid(l) {
			continue
		}
		if !bad {
			i := 0
			for i < len(l) {
				r, size := utf8.DecodeRune(l[i:])
				if r == utf8.RuneError && size == 1 {
					break
				}
				i += size
			}
			line, col, b, bad = n+1, utf8.RuneCount(l[:i])+1, l[i], true
			continue
		}
		more++
	}
	return line, col, b, more, bad
}

func moreLines(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return "; 1 more line like it"
	}
	return fmt.Sprintf("; %d more lines like it", n)
}

// encodingHint says which --encoding the file probably needs. Russian text is mostly
// lowercase, and the two encodings put lowercase letters in opposite halves of the upper
// bytes: Windows-1251 at 0xE0-0xFF, KOI8-R at 0xC0-0xDF. Only bytes that are not UTF-8
// count, so a UTF-8 file with one stray byte gets no guess.
func encodingHint(data []byte) string {
	var high, low int // letters in 0xE0-0xFF and in 0xC0-0xDF
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if c := data[i]; r == utf8.RuneError && size == 1 {
			switch {
			case c >= 0xE0:
				high++
			case c >= 0xC0:
				low++
			}
		}
		i += size
	}
	switch {
	case high+low >= 4 && high >= 3*low:
		return "the file looks like Windows-1251: add --encoding windows-1251"
	case high+low >= 4 && low >= 3*high:
		return "the file looks like KOI8-R: add --encoding koi8-r"
	}
	return "if it came from a help desk in Windows-1251 or KOI8-R, add --encoding windows-1251 or --encoding koi8-r"
}

// firstNonASCII returns the line of the first byte outside ASCII.
func firstNonASCII(data []byte) (int, bool) {
	for i, c := range data {
		if c >= 0x80 {
			return bytes.Count(data[:i], []byte("\n")) + 1, true
		}
	}
	return 0, false
}
