// Package config reads Replydesk's configuration from environment variables
// (DESIGN.md §2). Every error names the variable it is about, so a bad value
// stops the start with one clear line.
package config

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// MinSecretLen is the shortest REPLYDESK_SECRET accepted.
const MinSecretLen = 32

// Config is the whole configuration of one Replydesk process.
type Config struct {
	Addr        string        // REPLYDESK_ADDR
	BaseURL     string        // REPLYDESK_BASE_URL, without a trailing slash
	Database    string        // REPLYDESK_DATABASE: a SQLite file, or a postgres:// URL
	Secret      string        // REPLYDESK_SECRET
	Demo        bool          // REPLYDESK_DEMO
	ReplyBudget int           // REPLYDESK_REPLY_BUDGET: private replies per hour per account
	AlertBefore time.Duration // REPLYDESK_ALERT_BEFORE: how close to its deadline an unattended comment raises an alert

	MetaAppID       string // META_APP_ID
	MetaAppSecret   string // META_APP_SECRET
	MetaVerifyToken string // META_VERIFY_TOKEN
	GraphURL        string // META_GRAPH_URL
	DialogURL       string // META_DIALOG_URL
	GraphVersion    string // META_GRAPH_VERSION
	LoginConfigID   string // META_LOGIN_CONFIG_ID: Facebook Login for Business configuration ("" = classic login with scope)

	// Operational knobs beyond DESIGN §2, each with a sensible default.
	LivePoll    time.Duration // REPLYDESK_LIVE_POLL: how often running broadcasts are checked
	Reconcile   time.Duration // REPLYDESK_RECONCILE_INTERVAL: how often Page tokens and subscriptions are re-checked
	Backfill    time.Duration // REPLYDESK_BACKFILL_INTERVAL: how often each account's last 7 days are read from Graph; 0 = never
	SendTimeout time.Duration // REPLYDESK_SEND_TIMEOUT: longest Send API call (or moderation call); a stopped process's replies and moderation are retried by another after 1.5×
	DemoTraffic float64       // REPLYDESK_DEMO_TRAFFIC: simulated comments per minute in demo mode
	DemoSeed    int64         // REPLYDESK_DEMO_SEED: the simulated world's seed
	LogFormat   string        // REPLYDESK_LOG: "text" or "json"
	PprofAddr   string        // REPLYDESK_PPROF: where to serve Go's profiler (net/http/pprof); "" = nowhere
	// TrustedProxies (REPLYDESK_TRUSTED_PROXIES) are the addresses whose
	// X-Forwarded-For and X-Real-IP headers are believed; none by default,
	// so a client cannot pass itself off as another address.
	TrustedProxies []*net.IPNet
	SecretSource   string // where Secret came from: "env" or the generated file's path
}

// Secure reports whether cookies must carry the Secure attribute.
func (c Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// Postgres reports whether REPLYDESK_DATABASE is a PostgreSQL URL, which
// several processes may share (DESIGN §7), rather than a SQLite file.
func (c Config) Postgres() bool {
	return strings.HasPrefix(c.Database, "postgres://") || strings.HasPrefix(c.Database, "postgresql://")
}

// DatabaseLabel names the database for logs: the URL without its password.
func (c Config) DatabaseLabel() string {
	if !c.Postgres() {
		return c.Database
	}
	if u, err := url.Parse(c.Database); err == nil {
		return u.Redacted()
	}
	return "postgres://…"
}

// DataDir is the directory that holds the SQLite database file, and demo
// mode's files (the generated secret, the simulator's state): ./data when
// the database is PostgreSQL.
func (c Config) DataDir() string {
	if c.Postgres() {
		return "data"
	}
	return filepath.Dir(c.Database)
}

var (
	graphVersionRE = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)
	configIDRE     = regexp.MustCompile(`^[0-9]{1,30}$`)
)

// Load reads the configuration through getenv and validates it. In demo mode
// it creates the database directory and, when REPLYDESK_SECRET is unset, a
// secret file beside the database that later starts reuse.
func Load(getenv func(string) string) (Config, error) {
	env := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		Addr:            env("REPLYDESK_ADDR", ":8080"),
		BaseURL:         strings.TrimRight(env("REPLYDESK_BASE_URL", "http://localhost:8080"), "/"),
		Database:        env("REPLYDESK_DATABASE", "data/replydesk.db"),
		Secret:          getenv("REPLYDESK_SECRET"),
		MetaAppID:       env("META_APP_ID", ""),
		MetaAppSecret:   env("META_APP_SECRET", ""),
		MetaVerifyToken: env("META_VERIFY_TOKEN", ""),
		GraphURL:        strings.TrimRight(env("META_GRAPH_URL", "https://graph.facebook.com"), "/"),
		DialogURL:       strings.TrimRight(env("META_DIALOG_URL", "https://www.facebook.com"), "/"),
		GraphVersion:    env("META_GRAPH_VERSION", "v25.0"),
		LoginConfigID:   env("META_LOGIN_CONFIG_ID", ""),
		LogFormat:       env("REPLYDESK_LOG", "text"),
		PprofAddr:       env("REPLYDESK_PPROF", ""),
	}
	var err error
	if err = checkAddr(c.Addr); err != nil {
		return c, fmt.Errorf("REPLYDESK_ADDR: %w", err)
	}
	if err = checkURL(c.BaseURL); err != nil {
		return c, fmt.Errorf("REPLYDESK_BASE_URL: %w", err)
	}
	if c.PprofAddr != "" {
		if err = checkAddr(c.PprofAddr); err != nil {
			return c, fmt.Errorf("REPLYDESK_PPROF: %w (a listen address such as 127.0.0.1:6060)", err)
		}
	}
	if c.Demo, err = parseBool(env("REPLYDESK_DEMO", strconv.FormatBool(c.MetaAppID == ""))); err != nil {
		return c, fmt.Errorf("REPLYDESK_DEMO: %w", err)
	}
	if c.ReplyBudget, err = parseInt(env("REPLYDESK_REPLY_BUDGET", "700"), 1, 750); err != nil {
		return c, fmt.Errorf("REPLYDESK_REPLY_BUDGET: %w", err)
	}
	if c.AlertBefore, err = parseDuration(env("REPLYDESK_ALERT_BEFORE", "1h"), time.Minute); err != nil || c.AlertBefore > 7*24*time.Hour {
		if err == nil {
			err = fmt.Errorf("must be at most 168h (the 7-day reply window), not %q", env("REPLYDESK_ALERT_BEFORE", ""))
		}
		return c, fmt.Errorf("REPLYDESK_ALERT_BEFORE: %w", err)
	}
	if c.LivePoll, err = parseDuration(env("REPLYDESK_LIVE_POLL", "15s"), time.Second); err != nil {
		return c, fmt.Errorf("REPLYDESK_LIVE_POLL: %w", err)
	}
	if v := env("REPLYDESK_BACKFILL_INTERVAL", "6h"); v != "0" {
		if c.Backfill, err = parseDuration(v, time.Minute); err != nil {
			return c, fmt.Errorf("REPLYDESK_BACKFILL_INTERVAL: %w (or 0 to turn backfill off)", err)
		}
	}
	if c.Reconcile, err = parseDuration(env("REPLYDESK_RECONCILE_INTERVAL", "5m"), time.Second); err != nil {
		return c, fmt.Errorf("REPLYDESK_RECONCILE_INTERVAL: %w", err)
	}
	if c.SendTimeout, err = parseDuration(env("REPLYDESK_SEND_TIMEOUT", "20s"), time.Second); err != nil {
		return c, fmt.Errorf("REPLYDESK_SEND_TIMEOUT: %w", err)
	}
	if c.DemoTraffic, err = strconv.ParseFloat(env("REPLYDESK_DEMO_TRAFFIC", "6"), 64); err != nil || c.DemoTraffic < 0 {
		return c, errors.New("REPLYDESK_DEMO_TRAFFIC: must be a number of comments per minute, 0 or more")
	}
	if c.DemoSeed, err = strconv.ParseInt(env("REPLYDESK_DEMO_SEED", "1"), 10, 64); err != nil {
		return c, errors.New("REPLYDESK_DEMO_SEED: must be a whole number")
	}
	if c.TrustedProxies, err = parseRanges(env("REPLYDESK_TRUSTED_PROXIES", "")); err != nil {
		return c, fmt.Errorf("REPLYDESK_TRUSTED_PROXIES: %w", err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return c, fmt.Errorf("REPLYDESK_LOG: must be text or json, not %q", c.LogFormat)
	}
	if !graphVersionRE.MatchString(c.GraphVersion) {
		return c, fmt.Errorf("META_GRAPH_VERSION: must look like v25.0, not %q", c.GraphVersion)
	}
	if c.LoginConfigID != "" && !configIDRE.MatchString(c.LoginConfigID) {
		return c, fmt.Errorf("META_LOGIN_CONFIG_ID: must be the configuration's ID from Facebook Login for Business (digits), not %q", c.LoginConfigID)
	}
	if err = checkURL(c.GraphURL); err != nil {
		return c, fmt.Errorf("META_GRAPH_URL: %w", err)
	}
	if err = checkURL(c.DialogURL); err != nil {
		return c, fmt.Errorf("META_DIALOG_URL: %w", err)
	}
	switch {
	case c.Postgres():
		if err = checkPostgresURL(c.Database); err != nil {
			return c, fmt.Errorf("REPLYDESK_DATABASE: %w", err)
		}
	case strings.Contains(c.Database, "://"):
		return c, errors.New("REPLYDESK_DATABASE: must be a SQLite file path such as data/replydesk.db, or a postgres:// URL")
	case strings.TrimSpace(c.Database) == "" || strings.HasSuffix(c.Database, "/"):
		return c, errors.New("REPLYDESK_DATABASE: must be a file path such as data/replydesk.db (or a postgres:// URL)")
	}
	if !c.Postgres() || c.Demo {
		if err = ensureDir(c.DataDir()); err != nil {
			return c, fmt.Errorf("REPLYDESK_DATABASE: %w", err)
		}
	}
	if !c.Demo {
		for _, v := range []struct{ name, val string }{
			{"META_APP_ID", c.MetaAppID}, {"META_APP_SECRET", c.MetaAppSecret}, {"META_VERIFY_TOKEN", c.MetaVerifyToken},
		} {
			if v.val == "" {
				return c, fmt.Errorf("%s: required outside demo mode (unset it everywhere, or set REPLYDESK_DEMO=true, to run the demo)", v.name)
			}
		}
	}
	switch {
	case c.Secret != "":
		c.SecretSource = "env"
	case c.Demo:
		if c.Secret, c.SecretSource, err = demoSecret(c.DataDir()); err != nil {
			return c, fmt.Errorf("REPLYDESK_SECRET: %w", err)
		}
	default:
		return c, fmt.Errorf("REPLYDESK_SECRET: required when META_APP_ID is set (at least %d characters, e.g. from `openssl rand -hex 32`)", MinSecretLen)
	}
	if len(c.Secret) < MinSecretLen {
		return c, fmt.Errorf("REPLYDESK_SECRET: must be at least %d characters, got %d", MinSecretLen, len(c.Secret))
	}
	if c.Demo {
		c.applyDemo()
	}
	return c, nil
}

// DemoAppID is the simulated Meta app's id in demo mode.
const DemoAppID = "1000000000000042"

// applyDemo points Meta's URLs at the in-process simulator under /_sim and
// fills in the simulated app's credentials, derived from the secret so they
// stay the same across restarts.
func (c *Config) applyDemo() {
	c.GraphURL = c.BaseURL + "/_sim"
	c.DialogURL = c.BaseURL + "/_sim"
	if c.MetaAppID == "" {
		c.MetaAppID = DemoAppID
	}
	if c.MetaAppSecret == "" {
		c.MetaAppSecret = derive(c.Secret, "demo app secret")
	}
	if c.MetaVerifyToken == "" {
		c.MetaVerifyToken = derive(c.Secret, "demo verify token")
	}
}

func derive(secret, label string) string {
	sum := sha256.Sum256([]byte(label + "\x00" + secret))
	return hex.EncodeToString(sum[:16])
}

func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("must be host:port such as :8080, not %q", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	if strings.ContainsAny(host, " /") {
		return fmt.Errorf("host %q is not a host name or IP address", host)
	}
	return nil
}

// checkPostgresURL checks the shape of a PostgreSQL URL; whether the server
// answers is found out when the database is opened.
func checkPostgresURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("not a valid URL (postgres://user:password@host:5432/database)")
	}
	if u.Host == "" || strings.Trim(u.Path, "/") == "" {
		return fmt.Errorf("%s must name a host and a database, as in postgres://user:password@host:5432/replydesk", u.Redacted())
	}
	return nil
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("must be an absolute http(s) URL, not %q", raw)
	}
	return nil
}

func parseBool(s string) (bool, error) {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("must be true or false, not %q", s)
	}
	return b, nil
}

func parseInt(s string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("must be a whole number from %d to %d, not %q", lo, hi, s)
	}
	return n, nil
}

func parseDuration(s string, min time.Duration) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < min {
		return 0, fmt.Errorf("must be a duration of at least %s such as 15s, not %q", min, s)
	}
	return d, nil
}

// parseRanges reads a list of IP ranges (CIDR, or single addresses),
// separated by commas or spaces.
func parseRanges(s string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if ip := net.ParseIP(f); ip != nil {
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not an IP range such as 10.0.0.0/8 or an address such as 192.0.2.10", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// ensureDir creates dir when missing (for its owner only: it holds the
// database and the secret) and proves it is writable.
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create directory %s: %w", dir, unwrapPath(err))
	}
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return fmt.Errorf("directory %s is not writable: %w", dir, unwrapPath(err))
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// demoSecret reads the demo secret file in dir, creating it on first use.
func demoSecret(dir string) (secret, path string, err error) {
	path = filepath.Join(dir, "secret")
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		s := strings.TrimSpace(string(b))
		if len(s) < MinSecretLen {
			return "", path, fmt.Errorf("%s holds fewer than %d characters; delete it to generate a new one", path, MinSecretLen)
		}
		return s, path, nil
	case !errors.Is(err, os.ErrNotExist):
		return "", path, fmt.Errorf("cannot read %s: %w", path, unwrapPath(err))
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	s := hex.EncodeToString(raw)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", path, fmt.Errorf("cannot create %s: %w", path, unwrapPath(err))
	}
	if _, err = f.WriteString(s + "\n"); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", path, fmt.Errorf("cannot write %s: %w", path, err)
	}
	return s, path, nil
}

// unwrapPath drops the path from a *PathError: the message already names it.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
