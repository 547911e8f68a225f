package audit

import (
	"encoding/json"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	adminv1 "github.com/tandemcc/tandem/gen/go/tandem/admin/v1"
	cc "github.com/tandemcc/tandem/server/internal/callcenter"
)

// redacted replaces secrets and personal data in the audit log.
const redacted = "[redacted]"

// secretFields are never written to the audit log; personalFields neither (a caller's data must
// be erasable, so it is not copied into a log kept for longer).
var (
	secretFields   = map[protoreflect.Name]bool{"password": true, "softphone_password": true, "secret": true, "token": true}
	personalFields = map[protoreflect.Name]bool{"caller_number": true, "caller_name": true, "session_id": true, "custom_data": true, "sip_headers": true, "csv": true}
)

// maxAuditJSON bounds each JSON text of an entry.
const maxAuditJSON = 64 << 10

// auditJSON is m as protobuf JSON with secrets and personal data replaced, "" for nil.
func auditJSON(m proto.Message) string {
	if m == nil {
		return ""
	}
	m = proto.Clone(m)
	redact(m.ProtoReflect())
	b, err := protojson.Marshal(m)
	if err != nil {
		return ""
	}
	if len(b) > maxAuditJSON {
		b, _ = json.Marshal(map[string]string{"truncated": string(b[:maxAuditJSON])})
	}
	return string(b)
}

// redact walks a message and replaces every set secret or personal field.
func redact(m protoreflect.Message) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case secretFields[fd.Name()] || personalFields[fd.Name()]:
			if fd.Kind() == protoreflect.StringKind && !fd.IsList() && !fd.IsMap() {
				m.Set(fd, protoreflect.ValueOfString(redacted))
			} else {
				m.Clear(fd)
			}
		case fd.Kind() == protoreflect.MessageKind && fd.IsList():
			l := v.List()
			for i := range l.Len() {
				redact(l.Get(i).Message())
			}
		case fd.Kind() == protoreflect.MessageKind && fd.IsMap():
			if fd.MapValue().Kind() == protoreflect.MessageKind {
				v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
					redact(mv.Message())
					return true
				})
			}
		case fd.Kind() == protoreflect.MessageKind:
			redact(v.Message())
		}
		return true
	})
}

// auditRequest is the request as the audit log keeps it: client numbers normalised (so erasing
// a caller's data finds them), the caller-data RPCs without the number.
func auditRequest(m proto.Message) proto.Message {
	switch r := m.(type) {
	case *adminv1.SetClientRequest:
		c := proto.Clone(r).(*adminv1.SetClientRequest)
		if n, ok := cc.NormalizeNumber(c.GetNumber()); ok {
			c.Number = n
		}
		return c
	case *adminv1.RemoveClientRequest:
		c := proto.Clone(r).(*adminv1.RemoveClientRequest)
		if n, ok := cc.NormalizeNumber(c.GetNumber()); ok {
			c.Number = n
		}
		return c
	case *adminv1.ExportCallerDataRequest:
		return &adminv1.ExportCallerDataRequest{Number: redacted}
	case *adminv1.DeleteCallerDataRequest:
		return &adminv1.DeleteCallerDataRequest{Number: redacted}
	}
	return m
}
