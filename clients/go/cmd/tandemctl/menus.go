package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/timestamppb"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	analyticsv1 "github.com/tandemcc/tandem/gen/go/tandem/analytics/v1"
	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
)

// IVR menus are trees of prompts and choices: too many settings for flags, so a menu goes in
// and out as the API's JSON (the Menu message, snake_case or camelCase keys).
var menusCommands = []command{
	{"menus", "list", "", "list the IVR menus: their numbers and nodes", menusList},
	{"menus", "get", "MENU", "print an IVR menu as JSON (what menus put takes)", menusGet},
	{"menus", "put", "FILE.json|-", "create or replace an IVR menu from its JSON (the Menu message; - reads stdin)", menusPut},
	{"menus", "delete", "MENU", "delete an IVR menu: its numbers lead to their queues again", menusDelete},
	{"menus", "report", "[MENU] [--period day|week|month|custom] [--date YYYY-MM-DD] [--first YYYY-MM-DD --last YYYY-MM-DD] [--zone TZ]", "the calls that entered the menus in a period: how they left, and the answers at each node", menusReport},
}

func menusList(c *cli, args []string) error {
	if _, err := c.parse(c.flags(), args); err != nil {
		return err
	}
	res, err := c.client.Admin.ListMenus(c.ctx, connect.NewRequest(&adminv1.ListMenusRequest{}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) {
		row(w, "id", "name", "number", "nodes", "exits")
		for _, m := range res.Msg.GetMenus() {
			var nodes []string
			for _, n := range m.GetNodes() {
				nodes = append(nodes, n.GetNodeId())
			}
			row(w, m.GetMenuId(), m.GetName(), strings.Join(m.GetDialedNumbers(), ","), strings.Join(nodes, ","), strings.Join(menuExits(m), ","))
		}
	})
}

// menuExits lists where a menu's callers can go, once each, in the menu's order.
func menuExits(m *commonv1.Menu) []string {
	var out []string
	seen := map[string]bool{}
	add := func(a *commonv1.MenuAction) {
		var s string
		switch {
		case a.GetQueueId() != "":
			s = "queue:" + a.GetQueueId()
		case a.GetNumber() != "":
			s = "number:" + a.GetNumber()
		case a.GetVoicemailQueueId() != "":
			s = "voicemail:" + a.GetVoicemailQueueId()
		default:
			return
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, n := range m.GetNodes() {
		for _, ch := range n.GetChoices() {
			add(ch.GetAction())
		}
		add(n.GetDefaultAction())
	}
	return out
}

// menuByID finds a menu in the list: there is no GetMenu.
func menuByID(c *cli, id string) (*commonv1.Menu, error) {
	res, err := c.client.Admin.ListMenus(c.ctx, connect.NewRequest(&adminv1.ListMenusRequest{}))
	if err != nil {
		return nil, err
	}
	for _, m := range res.Msg.GetMenus() {
		if m.GetMenuId() == id || strings.EqualFold(m.GetName(), id) {
			return m, nil
		}
	}
	return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("no menu %q", id))
}

func menusGet(c *cli, args []string) error {
	pos, err := c.parse(c.flags(), args, "MENU")
	if err != nil {
		return err
	}
	m, err := menuByID(c, pos[0])
	if err != nil {
		return err
	}
	data, err := protojson.MarshalOptions{Multiline: true, Indent: "  ", UseProtoNames: true}.Marshal(m)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(c.stdout, string(data))
	return err
}

func menusPut(c *cli, args []string) error {
	pos, err := c.parse(c.flags(), args, "FILE.json")
	if err != nil {
		return err
	}
	var data []byte
	if pos[0] == "-" {
		data, err = io.ReadAll(c.stdin)
	} else {
		data, err = os.ReadFile(pos[0])
	}
	if err != nil {
		return err
	}
	m := &commonv1.Menu{}
	if err := protojson.Unmarshal(data, m); err != nil {
		return usagef("%s is not a menu's JSON: %v", pos[0], err)
	}
	res, err := c.client.Admin.PutMenu(c.ctx, connect.NewRequest(&adminv1.PutMenuRequest{Menu: m}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) {
		got := res.Msg.GetMenu()
		row(w, "Menu", got.GetMenuId())
		row(w, "Name", got.GetName())
		row(w, "Numbers", strings.Join(got.GetDialedNumbers(), ","))
		row(w, "Nodes", len(got.GetNodes()))
		row(w, "Exits", strings.Join(menuExits(got), ","))
	})
}

func menusDelete(c *cli, args []string) error {
	pos, err := c.parse(c.flags(), args, "MENU")
	if err != nil {
		return err
	}
	m, err := menuByID(c, pos[0])
	if err != nil {
		return err
	}
	if _, err := c.client.Admin.DeleteMenu(c.ctx, connect.NewRequest(&adminv1.DeleteMenuRequest{MenuId: m.GetMenuId()})); err != nil {
		return err
	}
	return c.show(&adminv1.DeleteMenuResponse{}, func(w io.Writer) { row(w, "Deleted", m.GetMenuId()) })
}

// menusReport prints, per menu, the calls that entered it in the period, how they left it and
// the answers given at its nodes.
func menusReport(c *cli, args []string) error {
	fs := c.flags()
	period := fs.String("period", "day", "day, week, month or custom")
	date := fs.String("date", "", "a day in the period, YYYY-MM-DD (default: today in the zone)")
	first := fs.String("first", "", "with --period custom: the first day, YYYY-MM-DD")
	last := fs.String("last", "", "with --period custom: the last day (included), YYYY-MM-DD")
	zone := fs.String("zone", "", "IANA time zone of the days (default UTC)")
	pos, err := c.parse(fs, args, "[MENU]")
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(*zone)
	if err != nil {
		return usagef("--zone %q: not a time zone this machine knows", *zone)
	}
	from, to, err := reportDays(*period, *date, *first, *last, loc)
	if err != nil {
		return err
	}
	req := &analyticsv1.GetMenuReportRequest{Range: &analyticsv1.TimeRange{From: timestamppb.New(from), To: timestamppb.New(to)}}
	if len(pos) > 0 && pos[0] != "" {
		m, err := menuByID(c, pos[0])
		if err != nil {
			return err
		}
		req.MenuId = m.GetMenuId()
	}
	res, err := c.client.Analytics.GetMenuReport(c.ctx, connect.NewRequest(req))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) {
		fmt.Fprintf(w, "%s to %s (%s)\n", from.Format("2006-01-02"), to.AddDate(0, 0, -1).Format("2006-01-02"), loc)
		row(w, "MENU", "EXIT / NODE", "ANSWER", "CALLS")
		for _, m := range res.Msg.GetMenus() {
			row(w, m.GetMenuId(), "entered", "", m.GetCalls())
			for _, x := range m.GetExits() {
				exit := x.GetExit()
				if exit == "" {
					exit = "still in the menu"
				}
				row(w, m.GetMenuId(), exit, "", x.GetCalls())
			}
			for _, x := range m.GetChoices() {
				row(w, m.GetMenuId(), x.GetNodeId(), x.GetAnswer(), x.GetCalls())
			}
		}
	})
}
