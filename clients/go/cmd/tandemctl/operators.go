package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"connectrpc.com/connect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
)

var operatorsCommands = []command{
	{"operators", "list", "", "list the operators", operatorsList},
	{"operators", "get", "OPERATOR", "show one operator (OPERATOR: his id or login name)", operatorsGet},
	{"operators", "create", "--name N --password P [--display-name D] --contact KIND:TARGET --queue QUEUE:LEVEL... [--tz ZONE] [--hours DAY=SPANS...]", "add an operator", operatorsCreate},
	{"operators", "update", "OPERATOR [--display-name D] [--password P] [--contact KIND:TARGET] [--softphone-password P] [--queue QUEUE:LEVEL...] [--replace-queues] [--tz ZONE] [--hours DAY=SPANS...] [--disable|--enable]", "change an operator", operatorsUpdate},
}

func operatorsList(c *cli, args []string) error {
	if _, err := c.parse(c.flags(), args); err != nil {
		return err
	}
	res, err := c.client.Admin.ListOperators(c.ctx, connect.NewRequest(&adminv1.ListOperatorsRequest{}))
	if err != nil {
		return err
	}
	// The columns are the flags of "operators create|update", their values as those flags take
	// them; created is the server's.
	return c.show(res.Msg, func(w io.Writer) {
		row(w, "id", "name", "display-name", "contact", "queue", "hours", "tz", "disable", "created")
		for _, o := range res.Msg.GetOperators() {
			row(w, o.GetOperatorId(), o.GetName(), o.GetDisplayName(), contactString(o.GetContact()), skillsString(o.GetQueues()), daysString(o.GetHours()), o.GetHours().GetTimeZone(), o.GetDisabled(), stamp(o.GetCreatedAt()))
		}
	})
}

func operatorsGet(c *cli, args []string) error {
	pos, err := c.parse(c.flags(), args, "OPERATOR")
	if err != nil {
		return err
	}
	id, err := c.names.operator(pos[0], nameRef{"the OPERATOR argument", "operator_id"})
	if err != nil {
		return err
	}
	res, err := c.client.Admin.GetOperator(c.ctx, connect.NewRequest(&adminv1.GetOperatorRequest{OperatorId: id}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { operatorTable(w, res.Msg.GetOperator()) })
}

func operatorsCreate(c *cli, args []string) error {
	fs := c.flags()
	name := fs.String("name", "", "login name")
	password := fs.String("password", "", "password (at least 8 characters)")
	display := fs.String("display-name", "", "name shown to supervisors")
	contact := fs.String("contact", "", "where the cloud dials him: user:NAME, sip:URI or pstn:+E164")
	var queues commaList
	fs.Var(&queues, "queue", "a queue he serves (its id or name) and his level 1-5, as QUEUE:LEVEL (repeatable or comma-separated)")
	hf := newHoursFlags(fs, "he works (his clients' calls wait for him only then; the zone is also his absences')")
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	req := &adminv1.CreateOperatorRequest{Name: *name, Password: *password, DisplayName: *display}
	var err error
	if hf.given(fs) {
		if req.Hours, err = hf.apply(fs, nil); err != nil {
			return err
		}
	}
	if *contact != "" {
		if req.Contact, err = parseContact(*contact); err != nil {
			return err
		}
	}
	if req.Queues, err = c.skills(queues); err != nil {
		return err
	}
	res, err := c.client.Admin.CreateOperator(c.ctx, connect.NewRequest(req))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { operatorTable(w, res.Msg.GetOperator()) })
}

func operatorsUpdate(c *cli, args []string) error {
	fs := c.flags()
	fs.String("display-name", "", "name shown to supervisors")
	fs.String("password", "", "new password (ends his sessions)")
	fs.String("contact", "", "where the cloud dials him: user:NAME, sip:URI or pstn:+E164")
	fs.String("softphone-password", "", "his Voximplant user's password, for the browser phone (a user: contact only; Tandem keeps its digest; --softphone-password= removes it)")
	var queues commaList
	fs.Var(&queues, "queue", "add or change a queue he serves (its id or name), as QUEUE:LEVEL (repeatable or comma-separated)")
	replace := fs.Bool("replace-queues", false, "make the --queue list his only queues (none when no --queue)")
	fs.Bool("disable", false, "take him out of service (ends his sessions)")
	fs.Bool("enable", false, "put him back in service")
	hf := newHoursFlags(fs, "he works (his clients' calls wait for him only then; the zone is also his absences')")
	pos, err := c.parse(fs, args, "OPERATOR")
	if err != nil {
		return err
	}
	// Every flag is checked before anything is looked up or changed.
	if _, err := parseSkills(queues); err != nil {
		return err
	}
	if _, err := parseDays(hf.hours); err != nil {
		return err
	}
	req := &adminv1.UpdateOperatorRequest{ReplaceQueues: *replace}
	fs.Visit(func(f *flag.Flag) {
		v := f.Value.String()
		switch f.Name {
		case "display-name":
			req.DisplayName = &v
		case "password":
			req.Password = &v
		case "softphone-password":
			req.SoftphonePassword = &v
		case "contact":
			if req.Contact, err = parseContact(v); err != nil {
				return
			}
		case "disable", "enable":
			if req.Disabled != nil {
				err = usagef("--disable and --enable together")
				return
			}
			disabled := (v == "true") == (f.Name == "disable")
			req.Disabled = &disabled
		}
	})
	if err != nil {
		return err
	}
	if req.OperatorId, err = c.names.operator(pos[0], nameRef{"the OPERATOR argument", "operator_id"}); err != nil {
		return err
	}
	if req.Queues, err = c.skills(queues); err != nil {
		return err
	}
	if hf.given(fs) {
		// The API replaces the hours whole: start from his, so --tz keeps the days and --hours the zone.
		got, err := c.client.Admin.GetOperator(c.ctx, connect.NewRequest(&adminv1.GetOperatorRequest{OperatorId: req.OperatorId}))
		if err != nil {
			return err
		}
		if req.Hours, err = hf.apply(fs, got.Msg.GetOperator().GetHours()); err != nil {
			return err
		}
	}
	res, err := c.client.Admin.UpdateOperator(c.ctx, connect.NewRequest(req))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { operatorTable(w, res.Msg.GetOperator()) })
}

func operatorTable(w io.Writer, o *adminv1.Operator) {
	row(w, "ID", o.GetOperatorId())
	row(w, "Name", o.GetName())
	row(w, "Display name", o.GetDisplayName())
	row(w, "Contact", contactString(o.GetContact()))
	row(w, "Queues", skillsString(o.GetQueues()))
	row(w, "Hours", hoursString(o.GetHours()))
	row(w, "Disabled", yesNo(o.GetDisabled()))
	row(w, "Created", stamp(o.GetCreatedAt()))
}

var contactKinds = map[string]commonv1.ContactKind{
	"user": commonv1.ContactKind_CONTACT_KIND_USER,
	"sip":  commonv1.ContactKind_CONTACT_KIND_SIP,
	"pstn": commonv1.ContactKind_CONTACT_KIND_PSTN,
}

// parseContact reads KIND:TARGET ("user:anna", "sip:sip:anna@pbx", "pstn:+14155550100").
func parseContact(s string) (*commonv1.Contact, error) {
	kind, target, _ := strings.Cut(s, ":")
	k, ok := contactKinds[kind]
	if !ok {
		return nil, usagef("--contact %q: want user:NAME, sip:URI or pstn:+E164", s)
	}
	return &commonv1.Contact{Kind: k, Target: target}, nil
}

func contactString(c *commonv1.Contact) string {
	if c == nil {
		return ""
	}
	return enumName(c.GetKind(), "CONTACT_KIND_") + ":" + c.GetTarget()
}

// parseSkills reads QUEUE:LEVEL values; the queue may be a name with a colon in it.
func parseSkills(vs []string) ([]*adminv1.QueueSkill, error) {
	var out []*adminv1.QueueSkill
	for _, v := range nonEmpty(vs) {
		i := strings.LastIndex(v, ":")
		if i <= 0 {
			return nil, usagef("--queue %q: want QUEUE:LEVEL, like support:3", v)
		}
		level, err := strconv.ParseUint(v[i+1:], 10, 32)
		if err != nil {
			return nil, usagef("--queue %q: want QUEUE:LEVEL, like support:3", v)
		}
		out = append(out, &adminv1.QueueSkill{QueueId: v[:i], Level: uint32(level)})
	}
	return out, nil
}

// skills reads QUEUE:LEVEL values whose queues may be named.
func (c *cli) skills(vs []string) ([]*adminv1.QueueSkill, error) {
	out, err := parseSkills(vs)
	if err != nil {
		return nil, err
	}
	for i, s := range out {
		if s.QueueId, err = c.names.queue(s.QueueId, nameRef{"--queue", fmt.Sprintf("queues[%d].queue_id", i)}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func skillsString(ss []*adminv1.QueueSkill) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = fmt.Sprintf("%s:%d", s.GetQueueId(), s.GetLevel())
	}
	return strings.Join(parts, ",")
}
