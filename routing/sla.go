package routing

import (
	"math"

	sb "github.com/switchboard/switchboard"
)

// checkSLA checks a service-level target (seconds) and goal (a share) of
// the settings or of a topic: 0 for either means "the default" (settings)
// or "as the parent topic, else the settings" (topic).
func checkSLA(target int, goal float64) error {
	if target < 0 || target > MaxTimerS {
		return sb.Errorf(sb.EINVALID, "sla_target_s", "sla_target_s must be 1 to %d seconds (0: the default)", MaxTimerS)
	}
	if math.IsNaN(goal) || goal < 0 || goal > 1 {
		return sb.Errorf(sb.EINVALID, "sla_goal", "sla_goal must be a share above 0 and at most 1 (0: the default)")
	}
	return nil
}
