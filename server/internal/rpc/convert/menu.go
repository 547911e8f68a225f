package convert

import (
	"fmt"

	commonv1 "github.com/tandemcc/tandem/gen/go/tandem/common/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// MenuIn reads an IVR menu, unchecked (Menu.Check and the engine check it). Fields are named
// under "menu".
func MenuIn(m *commonv1.Menu) (cc.Menu, error) {
	if m == nil {
		return cc.Menu{}, cc.Invalid("menu", "required")
	}
	if len(m.GetNodes()) > cc.MaxMenuNodes {
		return cc.Menu{}, cc.Invalid("menu.nodes", "at most %d nodes", cc.MaxMenuNodes)
	}
	out := cc.Menu{ID: cc.MenuID(m.GetMenuId()), Name: m.GetName(), DialedNumbers: m.GetDialedNumbers()}
	for _, n := range m.GetNodes() {
		node := cc.MenuNode{ID: cc.MenuNodeID(n.GetNodeId()), Text: n.GetPromptText(), AudioURL: n.GetPromptUrl(),
			Timeout: Seconds(n.GetTimeoutS()), Repeats: int(min(n.GetRepeats(), 1000)), Default: MenuActionIn(n.GetDefaultAction())}
		for _, c := range n.GetChoices() {
			node.Choices = append(node.Choices, cc.MenuChoice{Digit: c.GetDigit(), Words: c.GetWords(), Action: MenuActionIn(c.GetAction())})
		}
		out.Nodes = append(out.Nodes, node)
	}
	return out, nil
}

// MenuActionIn reads a menu action; unset is the zero action.
func MenuActionIn(a *commonv1.MenuAction) cc.MenuAction {
	switch to := a.GetTo().(type) {
	case *commonv1.MenuAction_QueueId:
		return cc.MenuAction{Kind: cc.MenuToQueue, Queue: cc.QueueID(to.QueueId)}
	case *commonv1.MenuAction_Number:
		return cc.MenuAction{Kind: cc.MenuToNumber, Number: to.Number}
	case *commonv1.MenuAction_NodeId:
		return cc.MenuAction{Kind: cc.MenuToNode, Node: cc.MenuNodeID(to.NodeId)}
	case *commonv1.MenuAction_VoicemailQueueId:
		return cc.MenuAction{Kind: cc.MenuToVoicemail, Queue: cc.QueueID(to.VoicemailQueueId)}
	}
	return cc.MenuAction{}
}

// MenuOut is an IVR menu in the API's words.
func MenuOut(m cc.Menu) *commonv1.Menu {
	out := &commonv1.Menu{MenuId: string(m.ID), Name: m.Name, DialedNumbers: m.DialedNumbers}
	for _, n := range m.Nodes {
		node := &commonv1.MenuNode{NodeId: string(n.ID), PromptText: n.Text, PromptUrl: n.AudioURL,
			TimeoutS: uint32(n.Timeout.Seconds()), Repeats: uint32(n.Repeats), DefaultAction: MenuActionOut(n.Default)}
		for _, c := range n.Choices {
			node.Choices = append(node.Choices, &commonv1.MenuChoice{Digit: c.Digit, Words: c.Words, Action: MenuActionOut(c.Action)})
		}
		out.Nodes = append(out.Nodes, node)
	}
	return out
}

// MenuActionOut is a menu action in the API's words; nil for the zero action.
func MenuActionOut(a cc.MenuAction) *commonv1.MenuAction {
	switch a.Kind {
	case cc.MenuToQueue:
		return &commonv1.MenuAction{To: &commonv1.MenuAction_QueueId{QueueId: string(a.Queue)}}
	case cc.MenuToNumber:
		return &commonv1.MenuAction{To: &commonv1.MenuAction_Number{Number: a.Number}}
	case cc.MenuToNode:
		return &commonv1.MenuAction{To: &commonv1.MenuAction_NodeId{NodeId: string(a.Node)}}
	case cc.MenuToVoicemail:
		return &commonv1.MenuAction{To: &commonv1.MenuAction_VoicemailQueueId{VoicemailQueueId: string(a.Queue)}}
	}
	return nil
}

// MenuPathIn reads the way a caller took through a menu, as MenuChosen reports it.
func MenuPathIn(path []*commonv1.MenuStep) ([]cc.MenuStep, error) {
	if len(path) > cc.MaxMenuPathSteps {
		return nil, cc.Invalid("menu_chosen.path", "at most %d steps", cc.MaxMenuPathSteps)
	}
	out := make([]cc.MenuStep, 0, len(path))
	for i, s := range path {
		if len(s.GetWords()) > 1000 {
			return nil, cc.Invalid(fmt.Sprintf("menu_chosen.path[%d].words", i), "longer than 1000 bytes")
		}
		out = append(out, cc.MenuStep{Node: cc.MenuNodeID(s.GetNodeId()), Digit: s.GetDigit(), Words: s.GetWords(), TimedOut: s.GetTimedOut()})
	}
	return out, nil
}

// MenuPathOut is a caller's way through a menu in the API's words.
func MenuPathOut(path []cc.MenuStep) []*commonv1.MenuStep {
	out := make([]*commonv1.MenuStep, 0, len(path))
	for _, s := range path {
		out = append(out, &commonv1.MenuStep{NodeId: string(s.Node), Digit: s.Digit, Words: s.Words, TimedOut: s.TimedOut})
	}
	return out
}
