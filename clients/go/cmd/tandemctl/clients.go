package main

import (
	"fmt"
	"io"
	"os"

	"connectrpc.com/connect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
)

// Clients are caller numbers with a personal manager: an operator whose calls they go to first.
var clientsCommands = []command{
	{"clients", "list", "[--manager OPERATOR] [--orphans]", "list callers with a personal manager", clientsList},
	{"clients", "get", "NUMBER", "show what Tandem knows of a caller number", clientsGet},
	{"clients", "set", "NUMBER MANAGER", "make an operator (his id or login name) a caller's personal manager", clientsSet},
	{"clients", "remove", "NUMBER", "take a caller's personal manager away", clientsRemove},
	{"clients", "import", "FILE.csv", `assign managers from "number,manager" lines (FILE "-": standard input)`, clientsImport},
}

func clientsList(c *cli, args []string) error {
	fs := c.flags()
	manager := fs.String("manager", "", "only this operator's clients (his id or login name)")
	orphans := fs.Bool("orphans", false, "only clients of dismissed managers, to reassign")
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	id, err := c.names.operator(*manager, nameRef{"--manager", "manager_id"})
	if err != nil {
		return err
	}
	res, err := c.client.Admin.ListClients(c.ctx, connect.NewRequest(&adminv1.ListClientsRequest{ManagerId: id, Orphans: *orphans}))
	if err != nil {
		return err
	}
	// number and manager are what "clients set" takes, and the CSV of "clients import".
	return c.show(res.Msg, func(w io.Writer) {
		row(w, "number", "manager", "how", "assigned", "declined")
		for _, cl := range res.Msg.GetClients() {
			row(w, cl.GetNumber(), cl.GetManagerId(), cl.GetHow(), stamp(cl.GetAssignedAt()), stamp(cl.GetDeclinedAt()))
		}
	})
}

func clientsGet(c *cli, args []string) error {
	pos, err := c.parse(c.flags(), args, "NUMBER")
	if err != nil {
		return err
	}
	res, err := c.client.Admin.GetClient(c.ctx, connect.NewRequest(&adminv1.GetClientRequest{Number: pos[0]}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { clientTable(w, res.Msg.GetClient()) })
}

func clientsSet(c *cli, args []string) error {
	pos, err := c.parse(c.flags(), args, "NUMBER", "MANAGER")
	if err != nil {
		return err
	}
	manager, err := c.names.operator(pos[1], nameRef{"the MANAGER argument", "manager_id"})
	if err != nil {
		return err
	}
	res, err := c.client.Admin.SetClient(c.ctx, connect.NewRequest(&adminv1.SetClientRequest{Number: pos[0], ManagerId: manager}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { clientTable(w, res.Msg.GetClient()) })
}

func clientsRemove(c *cli, args []string) error {
	pos, err := c.parse(c.flags(), args, "NUMBER")
	if err != nil {
		return err
	}
	res, err := c.client.Admin.RemoveClient(c.ctx, connect.NewRequest(&adminv1.RemoveClientRequest{Number: pos[0]}))
	if err != nil {
		return err
	}
	return c.show(res.Msg, func(w io.Writer) { clientTable(w, res.Msg.GetClient()) })
}

// clientsImport sends a CSV file; the lines the server refuses are listed, and make the exit
// code 1, while the others are imported.
func clientsImport(c *cli, args []string) error {
	pos, err := c.parse(c.flags(), args, "FILE.csv")
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
	res, err := c.client.Admin.ImportClients(c.ctx, connect.NewRequest(&adminv1.ImportClientsRequest{Csv: string(data)}))
	if err != nil {
		return err
	}
	err = c.show(res.Msg, func(w io.Writer) {
		row(w, "Imported", res.Msg.GetImported())
		if len(res.Msg.GetErrors()) == 0 {
			return
		}
		fmt.Fprintln(w)
		row(w, "LINE", "NOT IMPORTED BECAUSE")
		for _, e := range res.Msg.GetErrors() {
			row(w, e.GetLine(), e.GetMessage())
		}
	})
	if n := len(res.Msg.GetErrors()); err == nil && n > 0 {
		return fmt.Errorf("%d of %d lines not imported", n, n+int(res.Msg.GetImported()))
	}
	return err
}

func clientTable(w io.Writer, cl *adminv1.Client) {
	row(w, "Number", cl.GetNumber())
	row(w, "Manager", cl.GetManagerId())
	row(w, "How", cl.GetHow())
	row(w, "Assigned", stamp(cl.GetAssignedAt()))
	row(w, "Declined", stamp(cl.GetDeclinedAt()))
}
