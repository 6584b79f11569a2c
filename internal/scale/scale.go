// Package scale picks the top of a chart's axis.
package scale

import "math"

// Nice rounds v up to 1, 2 or 5 times a power of ten (1 for v ≤ 0).
func Nice(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}
