// Package simulate plays a contact center's day on a virtual clock through
// the routing engine itself: Poisson or replayed arrivals, operators on
// shifts with limits, skill groups and breaks, handle times, clients who
// abandon, operators who miss accepts. Nothing sleeps and nothing is
// stored; a day of 100,000 chats takes seconds (docs/SIMULATION.md).
//
//	rep, err := simulate.Run(cfg)     // one run
//	rep, err := simulate.Staff(cfg)   // the fewest operators per hour that reach the SLA goal
package simulate
