package web

import (
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// recovery turns a panic into a 500, logged once with its stack.
func (s *Server) recovery() echo.MiddlewareFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableStackAll:   true,
		DisablePrintStack: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic", "request_id", requestID(c), "error", err, "stack", string(stack))
			return err
		},
	})
}

// requestLog logs each request once, with its status and the user, at a
// level that follows the status (routes.go says which routes have it).
func (s *Server) requestLog() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogMethod: true, LogURIPath: true, LogLatency: true, LogRequestID: true,
		LogRemoteIP: true, LogError: true, HandleError: true,
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
			if u := userOf(c); u != nil {
				attrs = append(attrs, slog.Int64("user_id", u.ID))
			}
			if v.Error != nil && v.Status >= 500 {
				attrs = append(attrs, slog.String("error", v.Error.Error()))
			}
			s.log.LogAttrs(c.Request().Context(), level, "request", attrs...)
			return nil
		},
	})
}

// secureHeaders sets the security headers of the app's own pages and API.
func (s *Server) secureHeaders() echo.MiddlewareFunc {
	hsts := 0
	if s.opt.Secure {
		hsts = 31536000
	}
	return middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:      "0",
		ContentTypeNosniff: "nosniff",
		XFrameOptions:      "DENY",
		HSTSMaxAge:         hsts,
		ReferrerPolicy:     "same-origin",
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data: https: http:; style-src 'self'; " +
			"script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
	})
}

// gzip compresses pages (never the live stream, which has a group of its own).
func gzip() echo.MiddlewareFunc {
	return middleware.GzipWithConfig(middleware.GzipConfig{MinLength: 1024})
}

// errorFormat is how a group answers errors: an HTML page or DESIGN §6's JSON.
type errorFormat int

const (
	formatHTML errorFormat = iota + 1
	formatJSON
)

// ctxErrorFormat is the echo.Context key holding the route group's errorFormat.
const ctxErrorFormat = "error_format"

// errorsAs makes the group's errors answer in format (handleError).
func errorsAs(format errorFormat) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Set(ctxErrorFormat, format)
			return next(c)
		}
	}
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
