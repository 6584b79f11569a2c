// Package routing is Switchboard's routing engine: a deterministic state
// machine that owns the live state of a contact center (operators, skill
// groups, topics, settings, open chats, the recent audit) and applies one
// command at a time to it. docs/ROUTING.md is its contract, rule by rule
// (R1–R9 of PRODUCT.md).
//
// # Commands in, results out
//
// Engine.Apply(now, cmd) fires the timers due at now, applies the command,
// then runs R4 (work conservation): while a queued chat has an eligible
// operator, the first chat in queue order goes to the best operator. It
// returns a Result: the events in order, the audited decisions, the chat the
// command was about, the connect answer, and the Changes a store must write.
// On an error the command changed nothing (the timers' work is still in the
// Result). The set of commands is closed: command.go lists them, each with
// the engine method that applies it; the rules that depend on state — who
// may see, close, transfer or reply to a chat, what a patch merges into —
// are checked here, when the command applies, never by a caller beforehand.
//
// The engine does no I/O, starts no goroutine and reads no clock: time comes
// with each command (never going back), and NextDeadline says when a timer
// is due, for the caller to Apply a Tick then. So the same engine routes in
// the server, in tests against a naive reference model (diff_test.go), in
// the load tool and in the simulator, and a follower replays the leader's
// command log into an identical engine (EncodeCommand, DecodeCommand).
//
// # Data structures
//
// Every choice is O(log n). Operators that can receive and are under their
// general limit sit in ordered trees (one for all, one per active skill
// group) keyed by the R2 order (opKey); queued chats in trees keyed by the R3
// order (chatKey): one for all (its ranks are queue positions), one per
// active skill group with the chats of the topics it serves, one for chats
// without topic. Each tree node carries a 64-bit mask of channels (an
// operator's channels with room, a chat's channel) and the OR of its
// subtree, so "the first chat this operator may take" and "the best operator
// who may take this telegram chat" are one descent each. R4 is targeted:
// only operators whose eligibility grew and chats newly queued are
// candidates (drain.go). Timers are one indexed heap, their deadlines
// derived from the state.
//
// Export and Import turn the engine into a State and back; Batcher turns
// results into the store's Batch.
package routing
