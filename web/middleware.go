package web

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// middleware installs the chain every request passes through, outermost
// first: panic recovery, request id, request log, secure headers, gzip,
// session (load the user) and CSRF. Gzip skips server-sent events and
// webhooks (TOOLING.md §6).
func (s *Server) middleware(e *echo.Echo) {
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableStackAll:   true,
		DisablePrintStack: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic", "request_id", requestID(c), "error", err, "stack", string(stack))
			return err
		},
	}))
	e.Use(middleware.RequestID())
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogMethod: true, LogURIPath: true, LogLatency: true, LogRequestID: true,
		LogRemoteIP: true, LogError: true, HandleError: true,
		Skipper: func(c echo.Context) bool {
			p := c.Path()
			return p == "/healthz" || p == "/static/*"
		},
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			switch {
			case v.Status >= 500:
				level = slog.LevelError
			case v.Status >= 400:
				level = slog.LevelWarn
			}
			attrs := []slog.Attr{
				slog.String("request_id", v.RequestID),
				slog.String("method", v.Method),
				slog.String("path", v.URIPath),
				slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency),
				slog.String("remote_ip", v.RemoteIP),
			}
			if uid, ok := c.Get(ctxUserID).(int64); ok {
				attrs = append(attrs, slog.Int64("user_id", uid))
			}
			if v.Error != nil && v.Status >= 500 {
				attrs = append(attrs, slog.String("error", v.Error.Error()))
			}
			s.log.LogAttrs(c.Request().Context(), level, "request", attrs...)
			return nil
		},
	}))
	hsts := 0
	if s.opt.Secure {
		hsts = 31536000
	}
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:      "0",
		ContentTypeNosniff: "nosniff",
		XFrameOptions:      "DENY",
		HSTSMaxAge:         hsts,
		ReferrerPolicy:     "same-origin",
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data: https: http:; style-src 'self'; " +
			"script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
		Skipper: func(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/_sim") },
	}))
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{
		MinLength: 1024,
		Skipper: func(c echo.Context) bool {
			p := c.Request().URL.Path
			return strings.HasPrefix(p, "/webhooks/") || strings.HasSuffix(p, "/events") ||
				c.Request().Header.Get("Accept") == "text/event-stream"
		},
	}))
	e.Use(s.loadSession)
	e.Use(s.checkCSRF)
}

// requestID is the id the RequestID middleware gave this request.
func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// staticFiles serves the embedded assets. URLs carry a content version
// (static.URL), so they can be cached for a year.
func (s *Server) staticFiles() echo.HandlerFunc {
	fs := http.StripPrefix("/static/", http.FileServerFS(staticFS))
	return func(c echo.Context) error {
		h := c.Response().Header()
		if c.QueryParam("v") != "" {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "public, max-age=300")
		}
		fs.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}

// ctxUserID is the echo.Context key holding the logged-in user's id.
const ctxUserID = "user_id"
