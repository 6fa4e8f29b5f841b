package app

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"

	"github.com/replydesk/replydesk/internal/identity"
)

// Welcome prints, in demo mode, where the dashboard is and who to log in
// as: each sample person with the accounts they may answer, and those who
// may not, with why (worth seeing: it is what a teammate without the
// Messages task meets). It reads the simulator's own world (GET
// /control/world), so it stays true to whatever the simulator seeds.
func (a *App) Welcome(w io.Writer) {
	if a.Sim == nil {
		return
	}
	rec := httptest.NewRecorder()
	a.Sim.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/control/world", nil))
	var world struct {
		Users []struct {
			Name  string              `json:"name"`
			Tasks map[string][]string `json:"tasks"`
		} `json:"users"`
		Pages []struct {
			ID, Name string
		} `json:"pages"`
		Accounts []struct {
			ID       string `json:"id"`
			Username string `json:"username"`
			PageID   string `json:"page_id"`
		} `json:"instagram_accounts"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &world) != nil {
		return
	}
	pages := map[string]string{}
	for _, p := range world.Pages {
		pages[p.ID] = p.Name
	}
	igOf := map[string]string{}
	for _, acct := range world.Accounts {
		igOf[acct.PageID] = "@" + acct.Username
	}
	base := strings.TrimSuffix(a.Config.BaseURL, "/")
	fmt.Fprintf(w, "\nReplydesk is running in demo mode (simulated Instagram): open %s\n", base)
	fmt.Fprintln(w, "Log in as one of these sample people (no Facebook account needed):")
	for _, u := range world.Users {
		var answers, without []string
		for page, tasks := range u.Tasks {
			if identity.CanReply(tasks) {
				answers = append(answers, igOf[page])
			} else {
				without = append(without, pages[page])
			}
		}
		sort.Strings(answers)
		sort.Strings(without)
		what := "answers " + strings.Join(answers, " and ")
		switch {
		case len(answers) == 0 && len(without) == 0:
			what = "no access: no role on any Facebook Page"
		case len(answers) == 0:
			what = "no access: a role on " + strings.Join(without, " and ") + ", but without the Messages task"
		}
		fmt.Fprintf(w, "  %-16s %s\n", u.Name, what)
	}
	fmt.Fprintln(w, "The first to log in with access becomes the admin. Those without access show what a teammate")
	fmt.Fprintln(w, "sees until a Page admin gives them the Messages task.")
	fmt.Fprintf(w, "The simulator (post comments, run a Live, make Meta fail): %s/_sim/\n\n", base)
}
