package main

import "errors"

// runBench is the load tool (issue 7); not written yet.
func runBench(args []string) error { return errors.New("bench: not implemented yet") }
