package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/views"
)

// setupPage is GET /setup (admins): every check, run now.
func (s *Server) setupPage(c echo.Context) error {
	r := s.deps.Setup.Run(c.Request().Context())
	vm := views.SetupVM{Layout: s.layout(c, "Setup check"), RanAt: ago(r.At, s.now()), Problems: r.Problems()}
	vm.Summary = "Everything Meta needs is in place."
	if n := r.Problems(); n > 0 {
		vm.Summary = counted(n, "thing needs", "things need") + " fixing or attention: each says what to do."
	}
	for _, sec := range r.Sections {
		sv := views.SetupSectionVM{Title: sec.Title, AccountID: sec.AccountID}
		for _, ch := range sec.Checks {
			sv.Checks = append(sv.Checks, views.SetupCheckVM{Key: ch.Key, Title: ch.Title, Status: string(ch.Status),
				Found: ch.Found, Fix: ch.Fix})
		}
		vm.Sections = append(vm.Sections, sv)
	}
	return render(c, http.StatusOK, views.SetupPage(vm))
}

// setupProblems is how many checks failed at the last run (0 when none ran).
func (s *Server) setupProblems() int {
	if r, ok := s.deps.Setup.Last(); ok {
		return r.Problems()
	}
	return 0
}
