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

	// Pages.
	e.GET("/", s.home)
	e.GET("/login", s.loginPage)
}
