package metasim

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestState_survivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sim", "state.json")
	withState := withConfig(func(c *Config) { c.StatePath = path })
	h := newHarness(t, withState)
	userTok := h.longToken(h.login(h.user(0), allScopes))
	tok := h.pageToken(userTok, h.page(0))
	tok1 := h.pageToken(userTok, h.page(1)) // revoked below
	h.install(h.page(0), tok)
	id := h.comment(map[string]any{"account": h.account(0), "text": "persist me 💾", "age": "1h"})
	h.wantStatus(h.send(h.page(0), tok, id, "saved"), http.StatusOK)
	history := h.sim.world.history[0].ID
	h.wantStatus(h.postJSON("/control/comments/delete", map[string]string{"id": history}), http.StatusOK)
	h.wantStatus(h.postJSON("/control/live/start", map[string]string{"account": h.account(1)}), http.StatusOK)
	h.wantStatus(h.postJSON("/control/faults", map[string]any{"kind": "token_revoked", "account": h.account(1)}), http.StatusOK)
	h.advance("3h")
	if err := h.sim.Close(); err != nil {
		t.Fatal(err)
	}

	sim, err := New(Config{AppID: testAppID, AppSecret: testAppSecret, Seed: 7, StatePath: path,
		Now: func() time.Time { return testEpoch.Add(time.Minute) }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	h2 := &harness{t: t, sim: sim, srv: srv, world: h.world}
	h2.wantGraphError(h2.send(h.page(0), tok, id, "again"), 400, 100, 2534025) // the reply and the token survive
	r := h2.get("/control/replies")
	if !strings.Contains(string(r.body), `"comment_id":"`+id+`"`) {
		t.Fatalf("replies %s", r.body)
	}
	r = h2.get("/" + h.page(0) + "/subscribed_apps?access_token=" + tok)
	if !strings.Contains(string(r.body), `"subscribed_fields":["feed"]`) {
		t.Fatalf("subscription %s", r.body)
	}
	h2.wantGraphError(h2.get("/"+history+"?access_token="+tok), 400, 100, 33)
	r = h2.get("/" + h.account(1) + "/live_media?access_token=" + h2.pageToken(h2.login(h.user(0), allScopes), h.page(1)))
	if !strings.Contains(string(r.body), `"id"`) {
		t.Fatalf("live media %s", r.body)
	}
	h2.wantGraphError(h2.get("/me?access_token="+tok1), 400, 190, 460)
	var clock struct{ Now string }
	h2.decode(h2.get("/control/clock"), &clock)
	if clock.Now != testEpoch.Add(3*time.Hour+time.Minute).Format(time.RFC3339Nano) {
		t.Fatalf("clock %s", clock.Now)
	}
	next := h2.comment(map[string]any{"account": h.account(0), "text": "new"})
	if next <= id {
		t.Fatalf("id counter went back: %s after %s", next, id)
	}
	if err := sim.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestState_debouncedSaveAndBadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	h := newHarness(t, withConfig(func(c *Config) { c.StatePath = path }))
	h.comment(map[string]any{"account": h.account(0), "text": "soon on disk"})
	deadline := time.Now().Add(2 * time.Second)
	for {
		if b, err := os.ReadFile(path); err == nil && strings.Contains(string(b), "soon on disk") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("state was not saved")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{AppID: testAppID, AppSecret: testAppSecret, StatePath: path}); err != nil {
		t.Fatalf("a bad state file should start fresh: %v", err)
	}
}
