package cloud

import (
	"connectrpc.com/vanguard"
	"google.golang.org/protobuf/encoding/protojson"
)

// wireJSON writes the cloud's JSON in both directions: the commands POSTed to a session and the
// replies on the REST paths. Keys are the proto field names as declared in callintake.proto
// (snake_case, the names the scenario sends), and empty fields are left out.
var wireJSON = protojson.MarshalOptions{UseProtoNames: true}

// NewJSONCodec is the JSON codec of the REST paths the scenario calls (for
// vanguard.WithCodec). It writes replies and errors with wireJSON. It reads requests strictly
// (an unknown field is an error); like every protobuf JSON parser it takes a field by its proto
// name or its lowerCamelCase JSON name.
func NewJSONCodec(res vanguard.TypeResolver) vanguard.Codec {
	out := wireJSON
	out.Resolver = res
	return &vanguard.JSONCodec{MarshalOptions: out, UnmarshalOptions: protojson.UnmarshalOptions{Resolver: res}}
}
