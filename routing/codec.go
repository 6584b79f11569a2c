package routing

import (
	"encoding/json"

	sb "github.com/switchboard/switchboard"
)

// decoders maps each command's name to a function that decodes its JSON
// body: the closed set of command.go.
var decoders = map[string]func([]byte) (Command, error){}

func init() {
	for _, register := range []func(){
		register[Tick], register[CreateStatus], register[UpdateStatus], register[DeleteStatus],
		register[CreateTopic], register[UpdateTopic], register[DeleteTopic], register[CreateSkillGroup],
		register[UpdateSkillGroup], register[DeleteSkillGroup], register[CreateOperator],
		register[UpdateOperator], register[DeleteOperator], register[SetOperatorStatus],
		register[PresenceLost], register[PresenceRestored], register[UpdateSettings], register[CreateBan],
		register[DeleteBan], register[Connect], register[Take], register[Assign], register[Accept],
		register[Transfer], register[Close], register[OperatorMessage], register[ClientMessage],
		register[Redistribute], register[ReturnToBot], register[UpdateChat],
	} {
		register()
	}
}

// register adds the decoder of command type T.
func register[T Command]() {
	var zero T
	decoders[zero.name()] = func(body []byte) (Command, error) {
		var c T
		err := json.Unmarshal(body, &c)
		return c, err
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
