//go:build !race

package main

// raceDetector is whether the tests run under the race detector, which
// multiplies what goroutines and memory accesses cost.
const raceDetector = false
