package main

import (
	"errors"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
)

func TestResolve(t *testing.T) {
	operators := []named{
		{"op_1", []string{"anna", "Anna Petrova"}},
		{"op_2", []string{"boris", "Boris"}},
		{"op_3", []string{"op_1", "Tricky"}}, // his login name is anna's id
		{"op_4", []string{"Vera", "Vera K."}},
		{"op_5", []string{"vera", "Vera L."}},
		{"op_6", []string{"Gleb", ""}},
	}
	queues := []named{
		{"support", []string{"Support"}},
		{"sales", []string{"Sales desk"}},
		{"shop", []string{"sales"}}, // named as the other's id
		{"billing-a", []string{"Billing"}},
		{"billing-b", []string{"billing"}},
		{"billing-c", []string{"BILLING"}},
	}
	at := nameRef{"--queue", "queue_id"}
	for _, tc := range []struct {
		name  string
		all   []named
		in    string
		want  string
		code  connect.Code // of the error, when there is one
		parts []string     // in its message
	}{
		{"an id", operators, "op_2", "op_2", 0, nil},
		{"a login name", operators, "boris", "op_2", 0, nil},
		{"a login name in another case", operators, "BORIS", "op_2", 0, nil},
		{"an id wins over a name", operators, "op_1", "op_1", 0, nil},
		{"the exact case wins", operators, "vera", "op_5", 0, nil},
		{"two in another case", operators, "VERA", "", connect.CodeInvalidArgument, []string{`operator "VERA" (--queue) names 2 operators: Vera (op_4), vera (op_5); give the id`}},
		{"a display name is not a login name", operators, "Anna Petrova", "", connect.CodeNotFound, []string{`no operator "Anna Petrova"`, "near: anna (op_1)"}},
		{"a typo", operators, "anan", "", connect.CodeNotFound, []string{`no operator "anan" (--queue, by ID or login name); near: anna (op_1)`}},
		{"nothing near", operators, "zzzzzzzz", "", connect.CodeNotFound, []string{`no operator "zzzzzzzz"`}},
		{"a queue by name in any case", queues, "SUPPORT", "support", 0, nil},
		{"a queue name with a space", queues, "sales DESK", "sales", 0, nil},
		{"a queue id wins over a name", queues, "sales", "sales", 0, nil},
		{"a queue named as another's id", queues, "shop", "shop", 0, nil},
		{"the exact name of three alike", queues, "Billing", "billing-a", 0, nil},
		{"ambiguous queue", queues, "BiLLing", "", connect.CodeInvalidArgument, []string{"names 3 queues: Billing (billing-a), billing (billing-b), BILLING (billing-c)"}},
		{"a queue typo", queues, "suport", "", connect.CodeNotFound, []string{`no queue "suport" (--queue, by ID or name); near: Support (support)`}},
		{"a prefix", queues, "bill", "", connect.CodeNotFound, []string{"near: Billing (billing-a), billing (billing-b), BILLING (billing-c)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kind, by := "operator", "ID or login name"
			if tc.all[0].id == "support" {
				kind, by = "queue", "ID or name"
			}
			got, err := resolve(kind, by, tc.all, tc.in, at)
			if tc.code == 0 {
				if err != nil || got != tc.want {
					t.Errorf("resolve(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
				}
				return
			}
			var ce *connect.Error
			if !errors.As(err, &ce) || ce.Code() != tc.code {
				t.Fatalf("resolve(%q) = %q, %v; want a %v error", tc.in, got, err, tc.code)
			}
			for _, p := range tc.parts {
				if !strings.Contains(ce.Message(), p) {
					t.Errorf("message %q lacks %q", ce.Message(), p)
				}
			}
			if !strings.Contains(ce.Message(), "near:") && tc.name != "nothing near" && tc.code == connect.CodeNotFound {
				t.Errorf("no near matches in %q", ce.Message())
			}
			field := ""
			for _, d := range ce.Details() {
				if v, err := d.Value(); err == nil {
					if br, ok := v.(*errdetails.BadRequest); ok && len(br.GetFieldViolations()) == 1 {
						field = br.GetFieldViolations()[0].GetField()
					}
				}
			}
			if field != "queue_id" {
				t.Errorf("field = %q, want queue_id", field)
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"anna", "anna", 0}, {"anan", "anna", 2}, {"suport", "support", 1}, {"kitten", "sitting", 3}, {"ёж", "еж", 1},
	} {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
