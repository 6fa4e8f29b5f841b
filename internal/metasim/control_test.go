package metasim

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestControl_worldShape(t *testing.T) {
	h := newHarness(t)
	w := h.world
	if len(w.Users) < 3 || len(w.Pages) < 2 || len(w.Accounts) < 2 {
		t.Fatalf("world %+v", w)
	}
	if w.Users[0].Name != "Ava Martin" || len(w.Users[0].Tasks) != 2 || len(w.Users[1].Tasks) != 1 || len(w.Users[2].Tasks) != 0 {
		t.Fatalf("users %+v", w.Users)
	}
	for _, tasks := range w.Users[0].Tasks {
		if !hasTask(tasks, "MESSAGING") {
			t.Fatalf("first user lacks MESSAGING: %v", tasks)
		}
	}
	products := map[string]int{}
	for _, m := range w.Media {
		products[m.MediaProductType]++
		if m.MediaProductType == "AD" && (m.AdID == "" || m.AdTitle == "") {
			t.Fatalf("ad without ad_id: %+v", m)
		}
	}
	if products["FEED"] < 4 || products["REELS"] < 2 || products["STORY"] < 1 || products["AD"] < 1 {
		t.Fatalf("media %v", products)
	}
	for _, id := range []string{w.Accounts[0].ID, w.Media[0].ID, w.Pages[0].ID, w.Users[0].ID} {
		if strings.Trim(id, "0123456789") != "" {
			t.Fatalf("id %q is not numeric", id)
		}
	}
	if len(w.Accounts[0].ID) != 17 || !strings.HasPrefix(w.Accounts[0].ID, "17841") || len(w.Users[0].ID) != 16 {
		t.Fatalf("id lengths %q %q", w.Accounts[0].ID, w.Users[0].ID)
	}
}

func TestControl_worldIsDeterministic(t *testing.T) {
	a, b := newHarness(t), newHarness(t)
	ja, _ := json.Marshal(a.world)
	jb, _ := json.Marshal(b.world)
	if string(ja) != string(jb) {
		t.Fatal("same seed, different worlds")
	}
	other := newHarness(t, withConfig(func(c *Config) { c.Seed = 8 }))
	if other.world.Users[0].ID == a.world.Users[0].ID {
		t.Fatal("another seed gives the same ids")
	}
	if len(a.sim.world.history) != len(b.sim.world.history) || a.sim.world.history[10].Text != b.sim.world.history[10].Text {
		t.Fatal("history differs")
	}
}

func TestControl_commentValidation(t *testing.T) {
	h := newHarness(t)
	a0, a1 := h.account(0), h.account(1)
	media1 := h.sim.world.firstMedia(a1, "FEED").ID
	tests := []struct {
		name  string
		body  string
		field string
	}{
		{"bad JSON", `{"account":`, "body"},
		{"unknown member", `{"account":"` + a0 + `","text":"x","colour":"red"}`, "body"},
		{"no account", `{"text":"x"}`, "account"},
		{"unknown account", `{"account":"1","text":"x"}`, "account"},
		{"no text", `{"account":"` + a0 + `"}`, "text"},
		{"bad age", `{"account":"` + a0 + `","text":"x","age":"soon"}`, "age"},
		{"other account's media", `{"account":"` + a0 + `","text":"x","media":"` + media1 + `"}`, "media"},
		{"media is not an ad", `{"account":"` + a1 + `","text":"x","media":"` + media1 + `","ad":true}`, "media"},
		{"bad username", `{"account":"` + a0 + `","text":"x","username":"no spaces"}`, "username"},
		{"unknown parent", `{"account":"` + a0 + `","text":"x","parent_id":"42"}`, "parent_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.do("POST", "/control/comments", strings.NewReader(tt.body), "application/json")
			h.wantStatus(r, http.StatusBadRequest)
			var e struct{ Error controlError }
			h.decode(r, &e)
			if e.Error.Field != tt.field || e.Error.Message == "" {
				t.Fatalf("error %s", r.body)
			}
		})
	}
}

func TestControl_commentDefaults(t *testing.T) {
	h := newHarness(t)
	a := h.account(0)
	get := func(id string) *comment {
		h.sim.mu.Lock()
		defer h.sim.mu.Unlock()
		return h.sim.st.comments[id]
	}
	c := get(h.comment(map[string]any{"account": a, "text": "x"}))
	if c.MediaID != h.sim.world.firstMedia(a, "FEED").ID || c.Live || c.own() || c.Username == "" {
		t.Fatalf("default comment %+v", c)
	}
	if c = get(h.comment(map[string]any{"account": a, "text": "x", "ad": true})); c.MediaID != h.sim.world.firstMedia(a, "AD").ID {
		t.Fatalf("ad comment %+v", c)
	}
	live := get(h.comment(map[string]any{"account": a, "text": "x", "live": true}))
	again := get(h.comment(map[string]any{"account": a, "text": "y", "live": true}))
	if !live.Live || live.MediaID != again.MediaID {
		t.Fatalf("live comments %+v %+v", live, again)
	}
	if c = get(h.comment(map[string]any{"account": a, "text": "x", "own": true})); !c.own() || c.Username != "acme.coffee" {
		t.Fatalf("own comment %+v", c)
	}
	if c = get(h.comment(map[string]any{"account": a, "text": "x", "age": "7d"})); !c.Created.Equal(testEpoch.Add(-7 * 24 * time.Hour)) {
		t.Fatalf("aged comment %v", c.Created)
	}
	parent := h.comment(map[string]any{"account": a, "text": "p", "media": h.sim.world.firstMedia(a, "REELS").ID})
	reply := h.comment(map[string]any{"account": a, "text": "r", "parent_id": parent})
	nested := get(h.comment(map[string]any{"account": a, "text": "n", "parent_id": reply}))
	if nested.ParentID != parent || nested.MediaID != h.sim.world.firstMedia(a, "REELS").ID {
		t.Fatalf("nested reply %+v", nested)
	}
	var world worldDoc
	h.decode(h.get("/control/world"), &world)
	if last := world.Media[len(world.Media)-1]; last.MediaProductType != "LIVE" || last.ID != live.MediaID {
		t.Fatalf("world lacks the live media: %+v", last)
	}
}

func TestControl_liveClockFaultsAndRoutes(t *testing.T) {
	h := newHarness(t)
	a := h.account(0)
	h.wantStatus(h.postJSON("/control/live/end", map[string]string{"account": a}), http.StatusBadRequest)
	h.wantStatus(h.postJSON("/control/live/start", map[string]string{"account": "nope"}), http.StatusBadRequest)
	var live struct {
		Live    bool
		MediaID string `json:"media_id"`
	}
	h.decode(h.postJSON("/control/live/start", map[string]string{"account": a}), &live)
	if !live.Live || live.MediaID == "" {
		t.Fatalf("start %+v", live)
	}
	var clock struct{ Now string }
	h.decode(h.postJSON("/control/clock", map[string]string{"advance": "2d"}), &clock)
	if clock.Now != testEpoch.Add(48*time.Hour).Format(time.RFC3339Nano) {
		t.Fatalf("clock %s", clock.Now)
	}
	h.wantStatus(h.postJSON("/control/clock", map[string]string{"advance": "-1h"}), http.StatusBadRequest)
	for _, bad := range []map[string]any{{"kind": "meteor"}, {}, {"kind": "graph_5xx", "count": 0}, {"kind": "graph_slow", "delay": "forever"}, {"kind": "rate_limit", "account": "1"},
		{"kind": "send_error"}, {"kind": "send_error", "code": 0}, {"kind": "send_error", "code": 10, "status": 200},
		{"kind": "send_error", "code": 10, "subcode": -1}, {"kind": "graph_5xx", "code": 2}} {
		h.wantStatus(h.postJSON("/control/faults", bad), http.StatusBadRequest)
	}
	h.wantStatus(h.postJSON("/control/faults", map[string]any{"kind": "graph_5xx", "count": 3}), http.StatusOK)
	var faults struct{ Faults []fault }
	h.decode(h.get("/control/faults"), &faults)
	if len(faults.Faults) != 1 || faults.Faults[0].Remaining != 3 {
		t.Fatalf("faults %+v", faults)
	}
	h.wantStatus(h.do("DELETE", "/control/faults", nil, ""), http.StatusOK)
	h.wantStatus(h.get("/control/nope"), http.StatusNotFound)
	h.wantStatus(h.postJSON("/control/subscribe", nil), http.StatusBadRequest) // no webhook URL
}
