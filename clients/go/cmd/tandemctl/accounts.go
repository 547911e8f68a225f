package main

import (
	"flag"
	"io"
	"strings"

	"connectrpc.com/connect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
)

// People who sign in to the supervisor pages as themselves; API keys stay for machines.
var accountsCommands = []command{
	{"accounts", "list", "", "list the supervisor and admin accounts", accountsList},
	{"accounts", "create", "--name N --role supervisor|admin --password P [--display-name D]", "add a person who signs in to the supervisor pages", accountsCreate},
	{"accounts", "update", "NAME [--display-name D] [--role supervisor|admin] [--disable|--enable]", "change an account (a new role or --disable ends its sessions)", accountsUpdate},
	{"accounts", "password", "NAME --password P", "set an account's password (ends its sessions)", accountsPassword},
	{"accounts", "softphone", "NAME --user U --password P | NAME --remove", "give a person (an account, or a name OpenID Connect signs in) a browser phone for monitoring", accountsSoftphone},
	{"accounts", "softphones", "", "list the people's browser phones", accountsSoftphones},
}

func accountsSoftphone(c *cli, args []string) error {
	fs := c.flags()
	user := fs.String("user", "", "the Voximplant user's name (not an operator's contact, nor another's phone)")
	password := fs.String("password", "", "that user's password (Tandem keeps its digest only)")
	remove := fs.Bool("remove", false, "take the person's browser phone away")
	pos, err := c.parse(fs, args, "NAME")
	if err != nil {
		return err
	}
	if *remove == (*user != "") {
		return usagef("either --user (with --password) or --remove")
	}
	res, err := c.client.Admin.SetPersonSoftphone(c.ctx, connect.NewRequest(&adminv1.SetPersonSoftphoneRequest{Person: pos[0], SoftphoneUser: *user, SoftphonePassword: *password}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) {
		row(w, "Person", pos[0])
		row(w, "Browser phone", res.Msg.GetSoftphone().GetSoftphoneUser())
	})
}

func accountsSoftphones(c *cli, args []string) error {
	if _, err := c.parse(c.flags(), args); err != nil {
		return err
	}
	res, err := c.client.Admin.ListPersonSoftphones(c.ctx, connect.NewRequest(&adminv1.ListPersonSoftphonesRequest{}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) {
		row(w, "person", "user")
		for _, p := range res.Msg.GetSoftphones() {
			row(w, p.GetPerson(), p.GetSoftphoneUser())
		}
	})
}

// accountRole reads a --role flag: supervisor or admin.
func accountRole(s string) (adminv1.KeyRole, error) {
	switch strings.ToLower(s) {
	case "supervisor":
		return adminv1.KeyRole_KEY_ROLE_SUPERVISOR, nil
	case "admin":
		return adminv1.KeyRole_KEY_ROLE_ADMIN, nil
	}
	return 0, usagef("--role: %q is not supervisor or admin", s)
}

func accountTable(w io.Writer, a *adminv1.Account) {
	row(w, "Name", a.GetName())
	row(w, "Display name", a.GetDisplayName())
	row(w, "Role", enumName(a.GetRole(), "KEY_ROLE_"))
	row(w, "Disabled", yesNo(a.GetDisabled()))
	row(w, "Created", stamp(a.GetCreatedAt())+" by "+a.GetCreatedBy())
}

func accountsList(c *cli, args []string) error {
	if _, err := c.parse(c.flags(), args); err != nil {
		return err
	}
	res, err := c.client.Admin.ListAccounts(c.ctx, connect.NewRequest(&adminv1.ListAccountsRequest{}))
	if err != nil {
		return err
	}
	// The columns are the flags of "accounts create|update"; created is the server's.
	return c.show(res.Msg, func(w io.Writer) {
		row(w, "name", "display-name", "role", "disable", "created", "created-by")
		for _, a := range res.Msg.GetAccounts() {
			row(w, a.GetName(), a.GetDisplayName(), enumName(a.GetRole(), "KEY_ROLE_"), a.GetDisabled(), stamp(a.GetCreatedAt()), a.GetCreatedBy())
		}
	})
}

func accountsCreate(c *cli, args []string) error {
	fs := c.flags()
	name := fs.String("name", "", "sign-in name (lowercase letters, digits, '.', '_', '-')")
	role := fs.String("role", "", "supervisor or admin")
	password := fs.String("password", "", "password (8-72 bytes; Tandem keeps its bcrypt hash)")
	display := fs.String("display-name", "", "name shown on the pages and in the audit (default: the name)")
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	r, err := accountRole(*role)
	if err != nil {
		return err
	}
	res, err := c.client.Admin.CreateAccount(c.ctx, connect.NewRequest(&adminv1.CreateAccountRequest{Name: *name, Role: r, Password: *password, DisplayName: *display}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { accountTable(w, res.Msg.GetAccount()) })
}

func accountsUpdate(c *cli, args []string) error {
	fs := c.flags()
	fs.String("display-name", "", "name shown on the pages")
	fs.String("role", "", "supervisor or admin (ends the account's password sessions)")
	disable := fs.Bool("disable", false, "keep the person out (ends his sessions)")
	enable := fs.Bool("enable", false, "let him in again")
	pos, err := c.parse(fs, args, "NAME")
	if err != nil {
		return err
	}
	if *disable && *enable {
		return usagef("--disable or --enable, not both")
	}
	req := &adminv1.UpdateAccountRequest{Name: pos[0]}
	var bad error
	fs.Visit(func(f *flag.Flag) {
		v := f.Value.String()
		switch f.Name {
		case "display-name":
			req.DisplayName = &v
		case "role":
			req.Role, bad = accountRole(v)
		case "disable", "enable":
			d := *disable
			req.Disabled = &d
		}
	})
	if bad != nil {
		return bad
	}
	res, err := c.client.Admin.UpdateAccount(c.ctx, connect.NewRequest(req))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { accountTable(w, res.Msg.GetAccount()) })
}

func accountsPassword(c *cli, args []string) error {
	fs := c.flags()
	password := fs.String("password", "", "the new password (8-72 bytes)")
	pos, err := c.parse(fs, args, "NAME")
	if err != nil {
		return err
	}
	res, err := c.client.Admin.SetAccountPassword(c.ctx, connect.NewRequest(&adminv1.SetAccountPasswordRequest{Name: pos[0], Password: *password}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { accountTable(w, res.Msg.GetAccount()) })
}
