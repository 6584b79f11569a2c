package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
)

// BenchmarkConnectHTTP measures acknowledged connect actions per second over
// HTTP against the real server on SQLite: every answer is sent after its
// group commit. Each connect queues a new client's chat (nobody is online),
// b.RunParallel keeps GOMAXPROCS×8 clients busy.
func BenchmarkConnectHTTP(b *testing.B) {
	m := sbStartB(b)
	admin := m.sbClient(sbAdminSecret)
	var out map[string]any
	if code, err := admin.call("POST", "/api/v1/topics", map[string]any{"alias": "support"}, nil); err != nil || code != 201 {
		b.Fatal(code, err)
	}
	if code, err := admin.call("POST", "/api/v1/tokens", map[string]any{"role": "integrator"}, &out); err != nil || code != 201 {
		b.Fatal(code, err)
	}
	token := out["token"].(string)
	tr := &http.Transport{MaxIdleConnsPerHost: 256}
	client := &http.Client{Transport: tr}
	var n atomic.Int64
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body, _ := json.Marshal(sbConnectBody(fmt.Sprintf("bench-%d", n.Add(1)), "queue"))
			req, _ := http.NewRequest("POST", "http://"+m.Addr+sbConnectPath, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "connects/s")
}

func sbStartB(b *testing.B) *Main {
	m := NewMain()
	m.Config.Addr, m.Config.Data, m.Config.AdminToken = "127.0.0.1:0", b.TempDir(), sbAdminSecret
	m.Log = quietLog()
	if err := m.Run(b.Context()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = m.Close() })
	return m
}
