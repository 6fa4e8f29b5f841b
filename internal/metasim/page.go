package metasim

import (
	"bytes"
	"embed"
	"fmt"
	"hash/fnv"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

//go:embed templates/*.html
var templateFS embed.FS

type pageTemplates struct{ t *template.Template }

func parsePageTemplates() (*pageTemplates, error) {
	t, err := template.New("").ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("metasim: parse templates: %w", err)
	}
	return &pageTemplates{t}, nil
}

// renderHTML renders a template into a buffer first, so a failure is a clean 500.
func (s *Sim) renderHTML(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := s.pageTmpl.t.ExecuteTemplate(&buf, name, data); err != nil {
		s.log.Error("metasim: render page", "template", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; script-src 'unsafe-inline'")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// prefixFor answers the path the simulator is mounted under: from BaseURL,
// else from what http.StripPrefix removed.
func (s *Sim) prefixFor(r *http.Request) string {
	if s.base != nil {
		return s.pathPrefix()
	}
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil && strings.HasSuffix(u.Path, r.URL.Path) {
		return strings.TrimSuffix(strings.TrimSuffix(u.Path, r.URL.Path), "/")
	}
	return ""
}

type pageView struct {
	Prefix, Now, WebhookURL, Msg, Err string
	Accounts                          []pageAccount
	Media                             []pageOption
	Recent                            []pageOption
	Replies                           []pageReply
	Deliveries                        []pageDelivery
	Users                             []string
	Faults                            []pageFault
	FaultButtons                      []pageFaultButton
}

// pageFault is a pending injected failure, in words.
type pageFault struct{ Kind, Account, Remaining string }

// pageFaultButton is one of the page's "make Meta fail" buttons.
type pageFaultButton struct{ Kind, Label, Effect string }

// faultButtons are the failures a newcomer can inject from the page, each
// for the next few calls (token_revoked: until the account is reconnected).
var faultButtons = []pageFaultButton{
	{faultGraph5xx, "Meta down", "the next 5 Graph API calls answer 500"},
	{faultGraphSlow, "Meta slow", "the next 5 Graph API calls answer after 8 s"},
	{faultRateLimit, "Rate limited", "the next 5 private replies are refused (613, too many calls)"},
	{faultTokenRevoked, "Token revoked", "the Page token stops working until someone reconnects the account"},
	{faultWebhookDrop, "Webhooks lost", "the next 5 comment deliveries never arrive (the app's backfill finds them)"},
}

// uiFaultCount and uiFaultDelay are what the page's buttons ask for.
const (
	uiFaultCount = 5
	uiFaultDelay = "8s"
)

type pageAccount struct {
	ID, Username, Page, LiveMedia string
	Installed, Live               bool
}

type pageOption struct{ ID, AccountID, Label string }

type pageReply struct {
	At, Account, CommentID, Commenter, Comment, Text, MessageID string
}

type pageDelivery struct {
	At, Outcome, Status, Comments, Error string
	Attempt                              int
}

// simPage answers the simulator's own page.
func (s *Sim) simPage(w http.ResponseWriter, r *http.Request) {
	v := pageView{Prefix: s.prefixFor(r), Now: s.now().UTC().Format(time.RFC1123), WebhookURL: s.cfg.WebhookURL,
		Msg: r.URL.Query().Get("msg"), Err: r.URL.Query().Get("err")}
	if v.WebhookURL == "" {
		v.WebhookURL = "(none: webhooks are not delivered)"
	}
	v.FaultButtons = faultButtons
	s.mu.Lock()
	for _, f := range s.faults {
		pf := pageFault{Kind: f.Kind, Account: "every account", Remaining: fmt.Sprint(f.Remaining)}
		if a := s.world.accountByID[f.Account]; a != nil {
			pf.Account = "@" + a.Username
		}
		v.Faults = append(v.Faults, pf)
	}
	for _, a := range s.world.accounts {
		pa := pageAccount{ID: a.ID, Username: a.Username, Page: s.world.pageByID[a.PageID].Name,
			Installed: s.st.installs[a.PageID] != nil}
		if b := s.activeBroadcastLocked(a.ID); b != nil {
			pa.Live, pa.LiveMedia = true, b.MediaID
		}
		v.Accounts = append(v.Accounts, pa)
		for _, m := range s.world.accountMedia(a.ID) {
			v.Media = append(v.Media, pageOption{m.ID, a.ID, "@" + a.Username + " · " + m.ProductType + " · " + truncate(m.Caption, 40)})
		}
		if pa.Live {
			v.Media = append(v.Media, pageOption{pa.LiveMedia, a.ID, "@" + a.Username + " · LIVE now"})
		}
	}
	var recent []*comment
	for _, list := range s.st.byMedia {
		for _, c := range list {
			if !c.history && c.ParentID == "" && !c.Live && !c.Deleted {
				recent = append(recent, c)
			}
		}
	}
	slices.SortFunc(recent, func(a, b *comment) int { return b.Created.Compare(a.Created) })
	for _, c := range recent[:min(30, len(recent))] {
		v.Recent = append(v.Recent, pageOption{c.ID, c.AccountID, "@" + c.Username + ": " + truncate(c.Text, 50)})
	}
	for i := len(s.st.replies) - 1; i >= 0 && len(v.Replies) < 50; i-- {
		rp := s.st.replies[i]
		pr := pageReply{At: rp.At.UTC().Format("Jan 2 15:04:05"), Account: s.world.accountByID[rp.AccountID].Username,
			CommentID: rp.CommentID, Text: rp.Text, MessageID: rp.MessageID}
		if c := s.st.comments[rp.CommentID]; c != nil {
			pr.Commenter, pr.Comment = c.Username, c.Text
		}
		v.Replies = append(v.Replies, pr)
	}
	s.mu.Unlock()
	v.Users = slices.Clone(commenterNames[:8])
	for _, d := range s.hooks.recent(30) {
		pd := pageDelivery{At: d.At.UTC().Format("Jan 2 15:04:05"), Outcome: d.Outcome, Attempt: d.Attempt,
			Comments: strings.Join(d.Comments, ", "), Error: d.Error}
		if d.Status != 0 {
			pd.Status = fmt.Sprint(d.Status)
		}
		v.Deliveries = append(v.Deliveries, pd)
	}
	s.renderHTML(w, http.StatusOK, "page.html", v)
}

// uiComment handles the page's comment form and redirects back.
func (s *Sim) uiComment(w http.ResponseWriter, r *http.Request) {
	req := commentRequest{
		Account: r.FormValue("account"), Media: r.FormValue("media"), Text: r.FormValue("text"),
		Username: strings.TrimPrefix(strings.TrimSpace(r.FormValue("username")), "@"),
		Ad:       r.FormValue("ad") != "", ParentID: r.FormValue("parent_id"), Age: r.FormValue("age"),
	}
	c, err := s.createComment(req)
	if err != nil {
		s.backToPage(w, r, "err", strings.TrimPrefix(err.Error(), "metasim: "))
		return
	}
	s.notifyComment(c)
	s.backToPage(w, r, "msg", "Comment "+c.ID+" posted.")
}

// uiLive handles the page's start/end broadcast buttons.
func (s *Sim) uiLive(w http.ResponseWriter, r *http.Request) {
	var (
		b   *broadcast
		err error
	)
	account := r.FormValue("account")
	if r.FormValue("action") == "end" {
		b, err = s.endLive(account)
	} else {
		b, err = s.startLive(account)
	}
	if err != nil {
		s.backToPage(w, r, "err", strings.TrimPrefix(err.Error(), "metasim: "))
		return
	}
	state := "started"
	if !b.live() {
		state = "ended"
	}
	s.backToPage(w, r, "msg", "Broadcast "+b.MediaID+" "+state+".")
}

// uiFault handles the page's fault buttons (and its "clear" button).
func (s *Sim) uiFault(w http.ResponseWriter, r *http.Request) {
	if r.FormValue("kind") == "clear" {
		s.mu.Lock()
		s.faults = nil
		s.mu.Unlock()
		s.backToPage(w, r, "msg", "Pending faults cleared (a revoked token stays revoked until the account is reconnected).")
		return
	}
	n := uiFaultCount
	req := faultRequest{Kind: r.FormValue("kind"), Account: r.FormValue("account"), Count: &n}
	if req.Kind == faultGraphSlow {
		req.Delay = uiFaultDelay
	}
	if _, err := s.addFault(req); err != nil {
		s.backToPage(w, r, "err", strings.TrimPrefix(err.Error(), "metasim: "))
		return
	}
	for _, b := range faultButtons {
		if b.Kind == req.Kind {
			s.backToPage(w, r, "msg", b.Label+": "+b.Effect+". Watch the dashboard.")
			return
		}
	}
}

func (s *Sim) backToPage(w http.ResponseWriter, r *http.Request, key, msg string) {
	http.Redirect(w, r, s.prefixFor(r)+"/?"+url.Values{key: {msg}}.Encode(), http.StatusSeeOther)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// avatar answers a generated SVG picture for a user, Page, account or media.
func (s *Sim) avatar(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimSuffix(r.PathValue("file"), ".svg")
	label := "?"
	switch {
	case s.world.userByID[id] != nil:
		label = s.world.userByID[id].Name
	case s.world.pageByID[id] != nil:
		label = s.world.pageByID[id].Name
	case s.world.accountByID[id] != nil:
		label = s.world.accountByID[id].Name
	case s.world.mediaByID[id] != nil:
		label = s.world.mediaByID[id].ProductType
	default:
		http.NotFound(w, r)
		return
	}
	var initials []rune
	for _, word := range strings.Fields(label) {
		if r, _ := utf8.DecodeRuneInString(word); unicode.IsLetter(r) && len(initials) < 2 {
			initials = append(initials, unicode.ToUpper(r))
		}
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="150" height="150" viewBox="0 0 150 150">`+
		`<rect width="150" height="150" fill="hsl(%d,55%%,45%%)"/>`+
		`<text x="75" y="92" font-family="sans-serif" font-size="56" fill="#fff" text-anchor="middle">%s</text></svg>`,
		h.Sum32()%360, template.HTMLEscapeString(string(initials)))
}
