package meta

import (
	"encoding/json"
	"net/http"
	"time"
)

// Usage is what Meta's usage headers say about how close a caller is to
// being throttled (meta-platform.md §5). Percentages are 0–100.
type Usage struct {
	Percent     int           // the highest usage value reported in any header
	RegainAfter time.Duration // estimated_time_to_regain_access (given in minutes), 0 when not throttled
}

// parseUsage reads X-Business-Use-Case-Usage and X-App-Usage. Malformed
// headers are ignored: they only tune pacing.
func parseUsage(h http.Header) Usage {
	var u Usage
	if v := h.Get("X-Business-Use-Case-Usage"); v != "" {
		var buc map[string][]struct {
			CallCount    int `json:"call_count"`
			TotalCPUTime int `json:"total_cputime"`
			TotalTime    int `json:"total_time"`
			Regain       int `json:"estimated_time_to_regain_access"`
		}
		if json.Unmarshal([]byte(v), &buc) == nil {
			for _, list := range buc {
				for _, e := range list {
					u.Percent = max(u.Percent, e.CallCount, e.TotalCPUTime, e.TotalTime)
					u.RegainAfter = max(u.RegainAfter, time.Duration(e.Regain)*time.Minute)
				}
			}
		}
	}
	if v := h.Get("X-App-Usage"); v != "" {
		var app struct {
			CallCount    int `json:"call_count"`
			TotalCPUTime int `json:"total_cputime"`
			TotalTime    int `json:"total_time"`
		}
		if json.Unmarshal([]byte(v), &app) == nil {
			u.Percent = max(u.Percent, app.CallCount, app.TotalCPUTime, app.TotalTime)
		}
	}
	return u
}
