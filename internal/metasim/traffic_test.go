package metasim

import (
	"testing"
	"time"
)

func TestTraffic_onlyInstalledAccounts(t *testing.T) {
	h := newHarness(t, withWebhook(), withConfig(func(c *Config) { c.TrafficPerMinute = 1200 }),
		withTuning(func(tn *tuning) { tn.trafficTick = 20 * time.Millisecond }))
	time.Sleep(150 * time.Millisecond)
	if n := len(h.hook.all()); n != 0 {
		t.Fatalf("%d deliveries before any install", n)
	}
	h.install(h.page(1), h.avaPage(1))
	h.wantStatus(h.postJSON("/control/live/start", map[string]string{"account": h.account(1)}), 200)
	got := h.hook.wait(t, 30)
	fields := map[string]int{}
	for _, d := range got {
		for _, e := range parsePayload(t, d).Entry {
			if e.ID != h.account(1) {
				t.Fatalf("traffic for an account without the app: %s", e.ID)
			}
			for _, c := range e.Changes {
				fields[c.Field]++
			}
		}
	}
	if fields["comments"] == 0 || fields["live_comments"] == 0 {
		t.Fatalf("traffic mix %v", fields)
	}
}

func TestPoisson_mean(t *testing.T) {
	sum := 0
	rng := newDeliverer(1).rng
	for range 10000 {
		sum += poisson(rng, 2.5)
	}
	if mean := float64(sum) / 10000; mean < 2.3 || mean > 2.7 {
		t.Fatalf("mean %v", mean)
	}
}
