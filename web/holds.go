package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/views"
)

// holdVM says an account's hold in words (nil when it is not on hold):
// the reason Meta gave, what to do, what waits, and when Replydesk tries
// again by itself.
func holdVM(a account.Account, queued int, canResume bool, now time.Time) *views.HoldVM {
	if !a.Held() {
		return nil
	}
	h := a.Hold
	vm := &views.HoldVM{
		AccountID: a.ID, Headline: "Meta stopped replies for @" + a.Username + ": " + h.Reason + ".",
		Since:  "On hold since " + h.Since.UTC().Format("15:04 UTC") + " (" + ago(h.Since, now) + ")",
		Queued: queuedWords(queued), Advice: h.Advice + " Then ask an admin to resume replies.", DetailURL: "/accounts/" + a.ID,
		ResumeURL: "/accounts/" + a.ID + "/resume", CanResume: canResume,
	}
	if canResume {
		vm.Advice = h.Advice + " Then resume replies."
	}
	if queued > 0 && !h.ProbeAt.IsZero() {
		vm.Probe = "Replydesk tries one queued reply again at " + h.ProbeAt.UTC().Format("15:04 UTC") +
			" and resumes by itself if Meta accepts it."
	}
	return vm
}

func queuedWords(n int) string {
	switch n {
	case 0:
		return "No reply is waiting."
	case 1:
		return "1 reply waits in the queue; none was failed."
	}
	return strconv.Itoa(n) + " replies wait in the queue; none was failed."
}

// resumedWords says who lifted the account's last hold, and when.
func resumedWords(a account.Account, now time.Time) string {
	if a.ResumedAt.IsZero() || a.Held() {
		return ""
	}
	switch a.ResumedBy {
	case account.ResumedByProbe:
		return "Replies resumed by themselves " + ago(a.ResumedAt, now) + ": Meta accepted a reply again."
	case account.ResumedByCheck:
		return "Replies resumed by themselves " + ago(a.ResumedAt, now) + ": Meta's check of the account passed."
	}
	return "Replies resumed by " + a.ResumedBy + " " + ago(a.ResumedAt, now) + "."
}

// resumeAccount is POST /accounts/:id/resume (admins): the hold is lifted
// and the queued replies go out; back to the account's page.
func (s *Server) resumeAccount(c echo.Context) error {
	u := userOf(c)
	a, err := s.deps.Holds.ResumeAccount(c.Request().Context(), u.ID, u.Name, c.Param("id"))
	if err != nil {
		return err
	}
	s.setFlash(c, "replies_resumed")
	return redirect(c, "/accounts/"+a.ID)
}

// apiResumeAccount is POST /api/v1/accounts/:id/resume (admins): the
// account, its hold lifted.
func (s *Server) apiResumeAccount(c echo.Context) error {
	u := userOf(c)
	a, err := s.deps.Holds.ResumeAccount(c.Request().Context(), u.ID, u.Name, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAPIAccount(a))
}

// apiHold is an account's hold in the JSON API.
type apiHold struct {
	Cause   string     `json:"cause"` // refused | breaker
	Reason  string     `json:"reason"`
	Advice  string     `json:"advice"`
	Code    int        `json:"code"`
	Subcode int        `json:"subcode"`
	Since   time.Time  `json:"since"`
	ProbeAt *time.Time `json:"probe_at"`
}

func toAPIHold(a account.Account) *apiHold {
	if !a.Held() {
		return nil
	}
	h := a.Hold
	out := &apiHold{Cause: h.Cause, Reason: h.Reason, Advice: h.Advice, Code: h.Code, Subcode: h.Subcode, Since: h.Since}
	if !h.ProbeAt.IsZero() {
		t := h.ProbeAt
		out.ProbeAt = &t
	}
	return out
}
