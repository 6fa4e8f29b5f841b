package signedreq_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/replydesk/replydesk/internal/metasim"
	"github.com/replydesk/replydesk/internal/signedreq"
)

// TestParse_acceptsTheSimulatorsCallbacks cross-checks this parser against
// the simulator's own signing: neither shares code with the other.
func TestParse_acceptsTheSimulatorsCallbacks(t *testing.T) {
	const secret = "cross-check-secret"
	got := make(chan signedreq.Payload, 2)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := signedreq.Parse(secret, r.FormValue("signed_request"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		got <- p
		fmt.Fprintf(w, `{"path":%q}`, r.URL.Path)
	}))
	defer app.Close()
	sim, err := metasim.New(metasim.Config{AppID: "1000000000000001", AppSecret: secret, Seed: 5,
		WebhookURL: app.URL + "/webhooks/instagram"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	var world struct {
		Users []struct{ ID string } `json:"users"`
	}
	resp, err := http.Get(srv.URL + "/control/world")
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&world)
	resp.Body.Close()
	user := world.Users[0].ID

	for _, tt := range []struct{ control, path string }{
		{"/control/deauthorize", "/meta/deauthorize"},
		{"/control/data-deletion", "/meta/data-deletion"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := http.Post(srv.URL+tt.control, "application/json", strings.NewReader(`{"user":"`+user+`"}`))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var ans struct {
				Status int    `json:"status"`
				Body   string `json:"body"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&ans)
			if resp.StatusCode != http.StatusOK || ans.Status != http.StatusOK || ans.Body != `{"path":"`+tt.path+`"}` {
				t.Fatalf("control answered %d %+v", resp.StatusCode, ans)
			}
			p := <-got
			if p.UserID != user || p.IssuedAt.IsZero() {
				t.Fatalf("payload %+v", p)
			}
		})
	}
}
