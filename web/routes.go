package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes is the one list of every route the application serves, in Echo
// groups: each group has its own middleware and error format. (A group
// also catches the unknown paths under its prefix, so they get its
// middleware and error format too.)
func (s *Server) routes(e *echo.Echo) {
	// Every request: panic recovery.
	e.Use(s.recovery())
	// Nearly every request, then: a request id and one line in the request log.
	logged := func(mw ...echo.MiddlewareFunc) []echo.MiddlewareFunc {
		return append([]echo.MiddlewareFunc{middleware.RequestID(), s.requestLog()}, mw...)
	}

	// Operations and assets: no session, not logged.
	e.GET("/healthz", s.healthz, errorsAs(formatJSON))
	e.GET("/static/*", s.staticFiles())
	e.GET("/favicon.ico", func(c echo.Context) error {
		return c.Redirect(http.StatusMovedPermanently, "/static/img/favicon.svg")
	}, logged()...)

	// Meta's webhooks: no session, no CSRF; the signature over the raw body
	// (at most 1 MiB) is the authentication. Deliveries come by the
	// thousand a second: they are counted into a summary line a minute
	// instead of the request log.
	hooks := e.Group("/webhooks", logged(errorsAs(formatJSON))...)
	hooks.GET("/instagram", s.verifyWebhook)
	e.POST("/webhooks/instagram", s.receiveWebhook, errorsAs(formatJSON), s.tallyWebhooks, middleware.BodyLimit("1MiB"))

	// Meta's deauthorize and data-deletion callbacks: no session, no CSRF;
	// the signed_request (HMAC with the app secret) is the authentication.
	metaCallbacks := e.Group("/meta", logged(errorsAs(formatJSON), middleware.BodyLimit("64KiB"))...)
	metaCallbacks.POST("/deauthorize", s.metaDeauthorize)
	metaCallbacks.POST("/data-deletion", s.metaDataDeletion)

	// The simulated Meta platform, demo mode only: its own pages, as is.
	if s.deps.Sim != nil {
		sim := echo.WrapHandler(http.StripPrefix("/_sim", s.deps.Sim))
		e.Any("/_sim", sim, logged()...)
		e.Any("/_sim/*", sim, logged()...)
	}

	// Public pages: the session is read when there is one. Unknown paths
	// land here too, and get the HTML 404 page.
	public := e.Group("", logged(errorsAs(formatHTML), s.secureHeaders(), gzip(), checkParams, s.loadSession, capBody(logoutCap))...)
	public.GET("/", s.home)
	public.GET("/login", s.loginPage)
	public.GET("/auth/facebook", s.beginLogin)
	public.GET("/auth/facebook/callback", s.loginCallback)
	public.POST("/logout", s.logout, s.checkCSRF)
	public.GET("/meta/deletion/:code", s.deletionPage) // the status page Meta links a deletion request to

	// Staff pages: logged in, with at least one account (else the friendly
	// no-access page; some admin pages stay open to an admin without any),
	// then a cap on the body (a request without a session is refused before
	// anything reads it), CSRF on every form.
	pages := func(gate echo.MiddlewareFunc, bodyCap int64) []echo.MiddlewareFunc {
		return logged(errorsAs(formatHTML), s.secureHeaders(), gzip(), checkParams, s.loadSession,
			s.requireUser, gate, capBody(bodyCap), s.checkCSRF)
	}
	staff := func(bodyCap int64) []echo.MiddlewareFunc { return pages(s.requireAccounts, bodyCap) }
	admin := s.requireAdmin
	// Admin pages stay open to an admin who disconnected every account.
	staffOrAdmin := pages(s.requireAccountsOrAdmin, formCap)

	accounts := e.Group("/accounts", staffOrAdmin...)
	accounts.GET("", s.accountsPage)
	accounts.GET("/:id", s.accountPage)
	accounts.POST("/:id/auto-assign", s.setAutoAssign, admin)
	accounts.POST("/:id/resume", s.resumeAccount, admin)
	accounts.POST("/:id/nudge", s.setNudgeDefault, admin)
	accounts.GET("/:id/disconnect", s.disconnectPage, admin)
	accounts.POST("/:id/disconnect", s.disconnectAccount, admin)
	accounts.POST("/:id/reconnect", s.reconnectAccount, admin)

	setupPages := e.Group("/setup", staffOrAdmin...)
	setupPages.GET("", s.setupPage, admin)

	settings := e.Group("/settings", staffOrAdmin...)
	settings.GET("/tokens", s.tokensPage)
	settings.POST("/tokens", s.createToken)
	settings.POST("/tokens/:id/delete", s.revokeToken)
	settings.GET("/webhooks", s.webhooksPage, admin)
	settings.POST("/webhooks", s.createWebhook, admin)
	settings.POST("/webhooks/:id/delete", s.deleteWebhook, admin)

	team := e.Group("/team", staff(formCap)...)
	team.GET("", s.teamPage)
	team.POST("/:id/role", s.setRole, admin)

	inboxPages := e.Group("/inbox", staff(formCap)...)
	inboxPages.GET("", s.inboxPage)
	inboxPages.POST("/status", s.setStatuses)
	inboxPages.GET("/comments/:id", s.commentPage)
	inboxPages.GET("/media/:id/picture", s.postPicture)
	inboxPages.POST("/comments/:id/status", s.setCommentStatus)
	inboxPages.POST("/comments/:id/reply", s.sendReply)
	inboxPages.POST("/assign", s.assignComments)
	inboxPages.POST("/comments/:id/presence", s.setPresence)
	inboxPages.POST("/comments/:id/public-reply", s.postPublicReply)
	inboxPages.POST("/comments/:id/hide", s.hideComment)
	inboxPages.POST("/comments/:id/delete", s.deleteComment)
	inboxPages.POST("/moderation/hide", s.bulkHide)

	// The inbox's live stream: no gzip (events are flushed one by one), and
	// a user without accounts gets no stream at all.
	events := e.Group("/inbox/events", logged(errorsAs(formatJSON), s.secureHeaders(), checkParams, s.loadSession, s.requireUser)...)
	events.GET("", s.inboxEvents)

	tmpl := e.Group("/templates", staff(templateCap)...)
	tmpl.GET("", s.templatesPage)
	tmpl.GET("/new", s.newTemplatePage, admin)
	tmpl.POST("", s.createTemplate, admin)
	tmpl.POST("/preview", s.previewTemplate)
	tmpl.GET("/:id", s.templatePage)
	tmpl.POST("/:id", s.updateTemplate, admin)
	tmpl.POST("/:id/delete", s.deleteTemplate, admin)

	rulePages := e.Group("/rules", staff(formCap)...)
	rulePages.GET("", s.rulesPage)
	rulePages.GET("/new", s.newRulePage, admin)
	rulePages.POST("", s.createRule, admin)
	rulePages.POST("/test", s.testDraftRule, admin)
	rulePages.GET("/:id", s.rulePage)
	rulePages.POST("/:id", s.updateRule, admin)
	rulePages.POST("/:id/delete", s.deleteRule, admin)
	rulePages.POST("/:id/enabled", s.setRuleEnabled, admin)
	rulePages.POST("/:id/move", s.moveRule, admin)
	rulePages.POST("/:id/test", s.testRule)

	// JSON API (DESIGN §6, §8): a personal API token (Authorization: Bearer)
	// or the session cookie, the same gates and body caps as the pages;
	// writes with the cookie carry the X-CSRF-Token header; errors in JSON.
	// Accounts, tokens and webhooks stay open to an admin without accounts,
	// like their pages; templates have a group of their own for their cap.
	apiMW := func(gate echo.MiddlewareFunc, bodyCap int64) []echo.MiddlewareFunc {
		return logged(errorsAs(formatJSON), s.secureHeaders(), checkParams, s.bearer, s.loadSession,
			s.requireUser, gate, capBody(bodyCap), s.checkCSRF)
	}
	api := e.Group("/api/v1", apiMW(s.requireAccounts, formCap)...)
	api.GET("/comments", s.apiListComments)
	api.GET("/comments/:id", s.apiGetComment)
	api.POST("/comments/:id/status", s.apiSetStatus)
	api.POST("/comments/:id/reply", s.apiSendReply)
	api.POST("/comments/:id/assign", s.apiAssign)
	api.GET("/me", s.apiMe)
	api.GET("/users", s.apiUsers)
	api.POST("/comments/:id/public-reply", s.apiPostPublicReply)
	api.POST("/comments/:id/hide", s.apiHideComment)
	api.DELETE("/comments/:id", s.apiDeleteComment)
	api.GET("/rules", s.apiListRules)
	api.POST("/rules", s.apiCreateRule, admin)
	api.GET("/rules/:id", s.apiGetRule)
	api.PUT("/rules/:id", s.apiUpdateRule, admin)
	api.DELETE("/rules/:id", s.apiDeleteRule, admin)
	api.POST("/rules/:id/test", s.apiTestRule)

	apiOrAdmin := e.Group("/api/v1", apiMW(s.requireAccountsOrAdmin, formCap)...)
	apiOrAdmin.GET("/accounts", s.apiAccounts)
	apiOrAdmin.GET("/accounts/:id", s.apiAccount)
	apiOrAdmin.POST("/accounts/:id/resume", s.apiResumeAccount, admin)
	apiOrAdmin.POST("/accounts/:id/disconnect", s.apiDisconnect, admin)
	apiOrAdmin.GET("/tokens", s.apiListTokens)
	apiOrAdmin.POST("/tokens", s.apiCreateToken)
	apiOrAdmin.DELETE("/tokens/:id", s.apiRevokeToken)
	apiOrAdmin.GET("/webhooks", s.apiListWebhooks, admin)
	apiOrAdmin.POST("/webhooks", s.apiCreateWebhook, admin)
	apiOrAdmin.DELETE("/webhooks/:id", s.apiDeleteWebhook, admin)

	apiTmpl := e.Group("/api/v1/templates", apiMW(s.requireAccounts, templateCap)...)
	apiTmpl.GET("", s.apiListTemplates)
	apiTmpl.POST("", s.apiCreateTemplate, admin)
	apiTmpl.GET("/:id", s.apiGetTemplate)
	apiTmpl.PUT("/:id", s.apiUpdateTemplate, admin)
	apiTmpl.DELETE("/:id", s.apiDeleteTemplate, admin)
}
