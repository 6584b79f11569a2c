// Package sqlstore is what the SQL stores (sqlite, postgres) share: how a
// vocabulary object and a time become column values and come back, how a
// batch's chats are prepared for their rows, how Load assembles the state
// from one snapshot, and the migrations' numbering. What differs between
// the stores, the dialect, stays in each: SQL text and placeholders, the
// driver's calls and the interpretation of its errors, the fast insert
// paths.
//
// The package imports no driver. It reads rows through a Scanner (a row of
// either driver), whose errors come back as they were for the store to
// translate, or through the Querier and Snapshot each store implements,
// which translate their own.
package sqlstore

import sb "github.com/switchboard/switchboard"

// Name is a store's name, "sqlite" or "postgres". It begins the messages of
// the store's internal errors ("sqlite: decode chat").
type Name string

// Internal wraps a fault; doing says what the store was doing.
func (n Name) Internal(err error, doing string) error {
	return &sb.Error{Code: sb.EINTERNAL, Message: string(n) + ": " + doing, Err: err}
}

// NotFound is ENOTFOUND for what.
func NotFound(what string) error {
	return &sb.Error{Code: sb.ENOTFOUND, Message: what + " not found"}
}
