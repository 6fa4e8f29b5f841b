package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes is the one list of every route the application serves.
func (s *Server) routes(e *echo.Echo) {
	// Operations and assets: no session.
	e.GET("/healthz", s.healthz)
	e.GET("/static/*", s.staticFiles())
	e.GET("/favicon.ico", func(c echo.Context) error {
		return c.Redirect(http.StatusMovedPermanently, "/static/img/favicon.svg")
	})

	// Meta's webhooks: no session, no CSRF; the signature is the authentication.
	e.GET("/webhooks/instagram", s.verifyWebhook)
	e.POST("/webhooks/instagram", s.receiveWebhook, middleware.BodyLimit("1M"))

	// The simulated Meta platform, demo mode only.
	if s.deps.Sim != nil {
		sim := echo.WrapHandler(http.StripPrefix("/_sim", s.deps.Sim))
		e.Any("/_sim", sim)
		e.Any("/_sim/*", sim)
	}

	// Facebook Login.
	e.GET("/", s.home)
	e.GET("/login", s.loginPage)
	e.GET("/auth/facebook", s.beginLogin)
	e.GET("/auth/facebook/callback", s.loginCallback)
	e.POST("/logout", s.logout)

	// Staff pages: logged in, and with at least one account. (Middleware is
	// per route: an Echo group with middleware would also catch every
	// unknown path and turn 404s into login redirects.)
	staff := []echo.MiddlewareFunc{s.requireUser, s.requireAccounts}
	e.GET("/accounts", s.accountsPage, staff...)
	e.GET("/accounts/:id", s.accountPage, staff...)
	e.GET("/team", s.teamPage, staff...)
	e.POST("/team/:id/role", s.setRole, s.requireUser, s.requireAccounts, s.requireAdmin)

	// The inbox: triage and private replies.
	e.GET("/inbox", s.inboxPage, staff...)
	e.GET("/inbox/events", s.inboxEvents, s.requireUser)
	e.GET("/inbox/changes", s.inboxChanges, s.requireUser)
	e.GET("/inbox/rail", s.inboxRail, s.requireUser)
	e.POST("/inbox/status", s.setStatuses, s.requireUser)
	e.GET("/inbox/comments/:id", s.commentPage, staff...)
	e.POST("/inbox/comments/:id/status", s.setCommentStatus, s.requireUser)
	e.POST("/inbox/comments/:id/reply", s.sendReply, s.requireUser)

	// Reply templates: everyone uses them, admins change them.
	admin := []echo.MiddlewareFunc{s.requireUser, s.requireAccounts, s.requireAdmin}
	e.GET("/templates", s.templatesPage, staff...)
	e.GET("/templates/new", s.newTemplatePage, admin...)
	e.POST("/templates", s.createTemplate, admin...)
	e.POST("/templates/preview", s.previewTemplate, staff...)
	e.GET("/templates/:id", s.templatePage, staff...)
	e.POST("/templates/:id", s.updateTemplate, admin...)
	e.POST("/templates/:id/delete", s.deleteTemplate, admin...)

	// JSON API (DESIGN §6): the session cookie, same permissions as the pages.
	e.GET("/api/v1/accounts", s.apiAccounts, s.requireUser)
	e.GET("/api/v1/accounts/:id", s.apiAccount, s.requireUser)
	e.GET("/api/v1/comments", s.apiListComments, s.requireUser)
	e.GET("/api/v1/comments/:id", s.apiGetComment, s.requireUser)
	e.POST("/api/v1/comments/:id/status", s.apiSetStatus, s.requireUser)
	e.POST("/api/v1/comments/:id/reply", s.apiSendReply, s.requireUser)
	e.GET("/api/v1/templates", s.apiListTemplates, s.requireUser)
	e.POST("/api/v1/templates", s.apiCreateTemplate, s.requireUser, s.requireAdmin)
	e.GET("/api/v1/templates/:id", s.apiGetTemplate, s.requireUser)
	e.PUT("/api/v1/templates/:id", s.apiUpdateTemplate, s.requireUser, s.requireAdmin)
	e.DELETE("/api/v1/templates/:id", s.apiDeleteTemplate, s.requireUser, s.requireAdmin)
}
