// Package stats computes the figures a supervisor reads (docs/STATS.md)
// from the event log alone. A Fold reads the events in seq order and keeps
// hourly cells: per topic and channel the chats' figures (arrivals, waits,
// abandons, limit answers, first responses, handle times, ratings), per
// operator its time in each status, busy or not, and its chats' figures.
// Hours before the latest event's are sealed and go to the store
// (switchboard.StatsStore) in this package's encoding; a Builder merges
// the hours of a window into a Report grouped by hour, day, hour of day,
// operator, topic, channel or skill group, applying the service-level
// targets set now. The package does no I/O.
package stats
