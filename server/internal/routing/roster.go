package routing

import (
	"slices"

	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// roster is who serves a queue: its operators in id order (byQueue) marked, one bit set per
// operator, in a bit set for each reason they cannot take an offer now ("" when they can). A
// change of state flips a bit in each of the operator's queues (his place in each is kept in
// operator.at), so the decision record counts who was left out, and finds the first of each
// reason, without walking the queue's operators or moving them between lists.
type roster struct {
	byWhy map[string]*whySet
}

// whySet marks the operators of one reason by their place in the queue's byQueue list.
type whySet struct {
	n     int
	words []uint64
}

func (s *whySet) set(p int) {
	for len(s.words) <= p/64 {
		s.words = append(s.words, 0)
	}
	s.words[p/64] |= 1 << (p % 64)
	s.n++
}

func (s *whySet) clear(p int) {
	s.words[p/64] &^= 1 << (p % 64)
	s.n--
}

// insert makes room for a new place p: the places from p on move up one.
func (s *whySet) insert(p int) {
	w := p / 64
	if w >= len(s.words) {
		return
	}
	carry := s.words[len(s.words)-1] >> 63
	if carry != 0 {
		s.words = append(s.words, 0)
	}
	for i := len(s.words) - 1; i > w; i-- {
		s.words[i] = s.words[i]<<1 | s.words[i-1]>>63
	}
	low := uint64(1)<<(p%64) - 1
	s.words[w] = s.words[w]&low | (s.words[w]&^low)<<1
}

// remove takes place p out: the places after it move down one.
func (s *whySet) remove(p int) {
	w := p / 64
	if w >= len(s.words) {
		return
	}
	low := uint64(1)<<(p%64) - 1
	high := s.words[w] &^ low &^ (1 << (p % 64))
	s.words[w] = s.words[w]&low | high>>1
	for i := w; i < len(s.words)-1; i++ {
		s.words[i] |= s.words[i+1] << 63
		s.words[i+1] >>= 1
	}
}

func (e *Engine) roster(q cc.QueueID) *roster {
	r := e.staff[q]
	if r == nil {
		r = &roster{byWhy: map[string]*whySet{}}
		e.staff[q] = r
	}
	return r
}

func (r *roster) of(why string) *whySet {
	s := r.byWhy[why]
	if s == nil {
		s = &whySet{}
		r.byWhy[why] = s
	}
	return s
}

// indexQueues moves o in the index of who serves each queue (each list sorted by id) from the
// queues he served (old) to the ones he serves now: a binary search and an insert per queue,
// where rebuilding the whole index for every change made loading n operators O(n²). The
// rosters follow: the places after his move, in the bit sets and in the operators who have them.
func (e *Engine) indexQueues(o *operator, old []cc.QueueSkill) {
	for _, s := range old {
		ops := e.byQueue[s.Queue]
		i, found := slices.BinarySearchFunc(ops, o.cfg.ID, byOperatorID)
		if !found {
			continue
		}
		r := e.roster(s.Queue)
		r.of(o.why).clear(i)
		for _, set := range r.byWhy {
			set.remove(i)
		}
		ops = slices.Delete(ops, i, i+1)
		e.byQueue[s.Queue] = ops
		renumber(ops[i:], i, s.Queue)
	}
	o.why = eligible(o)
	o.at = make([]int, len(o.cfg.Queues))
	for k, s := range o.cfg.Queues {
		ops := e.byQueue[s.Queue]
		i, found := slices.BinarySearchFunc(ops, o.cfg.ID, byOperatorID)
		if found {
			continue // listed twice: checkSkills refuses that
		}
		r := e.roster(s.Queue)
		for _, set := range r.byWhy {
			set.insert(i)
		}
		ops = slices.Insert(ops, i, o)
		e.byQueue[s.Queue] = ops
		o.at[k] = i
		renumber(ops[i+1:], i+1, s.Queue)
		r.of(o.why).set(i)
	}
}

// renumber tells the operators of ops, from place from on in queue q's list, their places.
func renumber(ops []*operator, from int, q cc.QueueID) {
	for j, op := range ops {
		for k, s := range op.cfg.Queues {
			if s.Queue == q {
				op.at[k] = from + j
			}
		}
	}
}

// file moves o between the reasons of his queues' rosters after anything eligible looks at
// changed.
func (e *Engine) file(o *operator) {
	why := eligible(o)
	if why == o.why {
		return
	}
	for k, s := range o.cfg.Queues {
		r := e.roster(s.Queue)
		r.of(o.why).clear(o.at[k])
		r.of(why).set(o.at[k])
	}
	o.why = why
}
