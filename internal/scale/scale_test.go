package scale

import "testing"

func TestNice(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{-3, 1}, {0, 1}, {0.03, 0.05}, {1, 1}, {1.2, 2}, {3, 5}, {7, 10}, {10, 10}, {11, 20}, {499, 500}, {501, 1000},
	} {
		if got := Nice(c.in); got != c.want {
			t.Errorf("Nice(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
