package callcenter

import (
	"reflect"
	"testing"
)

// notStored are the fields of Changes the store does not write: Empty ignores them.
var notStored = map[string]bool{"Next": true, "Commands": true, "Repairs": true}

// notMerged are the fields Merge leaves out: the next command is the reply to one request.
var notMerged = map[string]bool{"Next": true}

// oneOf returns a value of type t that is not its zero value: a slice or map of one zero
// element, a pointer to a zero value.
func oneOf(t *testing.T, typ reflect.Type) reflect.Value {
	t.Helper()
	switch typ.Kind() {
	case reflect.Slice:
		return reflect.MakeSlice(typ, 1, 1)
	case reflect.Map:
		m := reflect.MakeMap(typ)
		m.SetMapIndex(reflect.Zero(typ.Key()), reflect.Zero(typ.Elem()))
		return m
	case reflect.Pointer:
		return reflect.New(typ.Elem())
	}
	t.Fatalf("Changes has a field of kind %s: teach this test (and Merge, Empty and the store's Apply) about it", typ.Kind())
	return reflect.Value{}
}

// TestChangesFieldsAreMergedAndStored sets each field of Changes alone: it must survive Merge
// (the batches of the switchboard and the simulator are built by it) and make the changes
// not Empty (or nothing would be stored), unless it is one of the fields listed as not stored
// or not merged. A new field that Merge or Empty forgets fails here.
func TestChangesFieldsAreMergedAndStored(t *testing.T) {
	typ := reflect.TypeFor[Changes]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		t.Run(f.Name, func(t *testing.T) {
			var one Changes
			v := oneOf(t, f.Type)
			reflect.ValueOf(&one).Elem().Field(i).Set(v)

			if got := one.Empty(); got != notStored[f.Name] {
				t.Errorf("Empty() = %v with only %s set; stored fields must make it false, others true", got, f.Name)
			}

			var batch Changes
			batch.Merge(one)
			got := reflect.ValueOf(batch).Field(i)
			switch {
			case notMerged[f.Name]:
				if !got.IsZero() {
					t.Errorf("Merge carried %s over; it is listed as not merged", f.Name)
				}
			case !reflect.DeepEqual(got.Interface(), v.Interface()):
				t.Errorf("Merge into empty changes gave %s = %#v, want %#v", f.Name, got.Interface(), v.Interface())
			}

			// A second merge keeps what the first brought (appends, never replaces with less).
			if !notMerged[f.Name] {
				batch.Merge(one)
				if l := reflect.ValueOf(batch).Field(i); l.Kind() == reflect.Slice && l.Len() != 2 {
					t.Errorf("two merges of one %s gave %d", f.Name, l.Len())
				}
			}
		})
	}
}

// TestMergeLaterRowWins: the store writes a batch in order, so the later value of a row wins;
// Merge keeps both in order, and a later cursor replaces an earlier one.
func TestMergeLaterRowWins(t *testing.T) {
	var b Changes
	b.Merge(Changes{Calls: []Call{{ID: "c", State: CallWaiting}}, Cursors: map[QueueID]OperatorID{"q": "a"}})
	b.Merge(Changes{Calls: []Call{{ID: "c", State: CallConnected}}, Cursors: map[QueueID]OperatorID{"q": "b"}})
	if len(b.Calls) != 2 || b.Calls[1].State != CallConnected {
		t.Fatalf("calls merged as %+v", b.Calls)
	}
	if b.Cursors["q"] != "b" {
		t.Fatalf("cursor %q, want the later b", b.Cursors["q"])
	}
}
