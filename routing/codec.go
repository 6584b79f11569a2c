package routing

import (
	"encoding/json"
	"reflect"

	sb "github.com/switchboard/switchboard"
)

// decoders maps each command's name to a function that decodes its JSON
// body: the closed set of command.go.
var decoders = map[string]func([]byte) (Command, error){}

func init() {
	for _, c := range commands {
		typ := reflect.TypeOf(c)
		decoders[c.name()] = func(body []byte) (Command, error) {
			p := reflect.New(typ)
			err := json.Unmarshal(body, p.Interface())
			return p.Elem().Interface().(Command), err
		}
	}
}

// EncodeCommand returns cmd's name and its JSON body: a command log entry
// that DecodeCommand turns back into an equal command, so that another
// engine can apply it again.
func EncodeCommand(cmd Command) (name string, body []byte, err error) {
	body, err = json.Marshal(cmd)
	return cmd.name(), body, err
}

// DecodeCommand returns the command EncodeCommand encoded as name and body
// (EINVALID for an unknown name or a body that does not decode).
func DecodeCommand(name string, body []byte) (Command, error) {
	dec, ok := decoders[name]
	if !ok {
		return nil, sb.Errorf(sb.EINVALID, "name", "unknown command %q", name)
	}
	cmd, err := dec(body)
	if err != nil {
		return nil, &sb.Error{Code: sb.EINVALID, Field: "body", Message: "command " + name + " does not decode", Err: err}
	}
	return cmd, nil
}
