package main

import (
	"io"

	"connectrpc.com/connect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
)

var keysCommands = []command{
	{"keys", "softphone", "KEY_ID --user NAME --password P | KEY_ID --remove", "give a supervisor's or an admin's API key a browser phone (a Voximplant user) for monitoring", keysSoftphone},
}

func keysSoftphone(c *cli, args []string) error {
	fs := c.flags()
	user := fs.String("user", "", "the Voximplant user's name (not an operator's contact)")
	password := fs.String("password", "", "that user's password (Tandem keeps its digest only)")
	remove := fs.Bool("remove", false, "take the key's browser phone away")
	pos, err := c.parse(fs, args, "KEY_ID")
	if err != nil {
		return err
	}
	if *remove == (*user != "") {
		return usagef("either --user (with --password) or --remove")
	}
	res, err := c.client.Admin.SetApiKeySoftphone(c.ctx, connect.NewRequest(&adminv1.SetApiKeySoftphoneRequest{KeyId: pos[0], SoftphoneUser: *user, SoftphonePassword: *password}))
	if err != nil {
		return err
	}
	k := res.Msg.GetApiKey()
	return c.show(res.Msg, func(w io.Writer) {
		row(w, "ID", k.GetKeyId())
		row(w, "Name", k.GetName())
		row(w, "Browser phone", k.GetSoftphoneUser())
	})
}
