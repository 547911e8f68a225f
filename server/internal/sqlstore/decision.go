package sqlstore

import (
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/tandemcc/tandem/server/internal/callcenter"
)

// appendDecisionJSON appends d's record as decisionRecord's JSON, as encoding/json would
// write it, without reflection: it is written with every offer, by the switchboard's loop.
func appendDecisionJSON(b []byte, d callcenter.Decision) []byte {
	b = append(b, '{')
	sep := func() {
		if b[len(b)-1] != '{' {
			b = append(b, ',')
		}
	}
	if d.Candidates != nil {
		b = append(b, `"c":[`...)
		for i, c := range d.Candidates {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendCandidateJSON(b, c)
		}
		b = append(b, ']')
	}
	if d.EligibleCount != 0 {
		sep()
		b = append(b, `"n":`...)
		b = strconv.AppendInt(b, int64(d.EligibleCount), 10)
	}
	if d.ExcludedCount != 0 {
		sep()
		b = append(b, `"xn":`...)
		b = strconv.AppendInt(b, int64(d.ExcludedCount), 10)
	}
	if len(d.ExcludedByReason) > 0 {
		reasons := make([]string, 0, len(d.ExcludedByReason))
		for r := range d.ExcludedByReason {
			reasons = append(reasons, r)
		}
		slices.Sort(reasons)
		sep()
		b = append(b, `"x":{`...)
		for i, r := range reasons {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, r)
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(d.ExcludedByReason[r]), 10)
		}
		b = append(b, '}')
	}
	if r := d.Relax; r != nil {
		sep()
		b = appendRelaxJSON(append(b, `"r":`...), *r, d.RelaxText)
	}
	return append(b, '}')
}

// appendRelaxJSON appends a decision's relaxation step as relaxRow's JSON.
func appendRelaxJSON(b []byte, r callcenter.RelaxPool, text string) []byte {
	b = append(b, '{')
	sep := func(k string) {
		if b[len(b)-1] != '{' {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, k...)
		b = append(b, `":`...)
	}
	if r.Step != 0 {
		sep("k")
		b = strconv.AppendInt(b, int64(r.Step), 10)
	}
	if ms := r.After.Milliseconds(); ms != 0 {
		sep("a")
		b = strconv.AppendInt(b, ms, 10)
	}
	if r.MinLevel != 0 {
		sep("l")
		b = strconv.AppendInt(b, int64(r.MinLevel), 10)
	}
	if len(r.Also) > 0 {
		sep("q")
		b = append(b, '[')
		for i, q := range r.Also {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, string(q))
		}
		b = append(b, ']')
	}
	if text != "" {
		sep("t")
		b = appendJSONString(b, text)
	}
	return append(b, '}')
}

// appendCandidateJSON appends c as candidateRow's JSON: short keys, empty fields left out.
func appendCandidateJSON(b []byte, c callcenter.Candidate) []byte {
	b = append(b, '{')
	first := true
	key := func(k string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, k...)
		b = append(b, `":`...)
	}
	str := func(k, v string) {
		if v != "" {
			key(k)
			b = appendJSONString(b, v)
		}
	}
	num := func(k string, v int64) {
		if v != 0 {
			key(k)
			b = strconv.AppendInt(b, v, 10)
		}
	}
	float := func(k string, v float64) {
		if v != 0 && !math.IsNaN(v) && !math.IsInf(v, 0) {
			key(k)
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
		}
	}
	str("o", string(c.Operator))
	str("sp", string(c.Spare))
	str("s", string(c.State))
	if c.Eligible {
		key("e")
		b = append(b, "true"...)
	}
	str("x", c.ExcludedBecause)
	num("i", int64(c.Idle))
	num("l", int64(c.Level))
	float("sc", c.Score)
	num("c", int64(c.CallsToday))
	float("v", c.Value)
	str("vs", c.ValueString)
	return append(b, '}')
}

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes U+FFFD, as encoding/json
// writes it.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
