package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoad_demoDefaults(t *testing.T) {
	old := syscall.Umask(0o022) // the usual umask, which lets 0755 through
	defer syscall.Umask(old)
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "replydesk.db")
	c, err := Load(envOf(map[string]string{"REPLYDESK_DATABASE": db}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Demo || c.Addr != ":8080" || c.BaseURL != "http://localhost:8080" || c.ReplyBudget != 700 || c.GraphVersion != "v25.0" || c.Reconcile != 5*time.Minute ||
		c.AlertBefore != time.Hour {
		t.Errorf("defaults wrong: %+v", c)
	}
	if c.GraphURL != "http://localhost:8080/_sim" || c.MetaAppID != DemoAppID || c.MetaAppSecret == "" || c.MetaVerifyToken == "" {
		t.Errorf("demo mode did not point Meta at the simulator: %+v", c)
	}
	secretFile := filepath.Join(dir, "data", "secret")
	fi, err := os.Stat(secretFile)
	if err != nil {
		t.Fatalf("secret file not created: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode = %v, want 0600", fi.Mode().Perm())
	}
	if fi, err := os.Stat(filepath.Dir(secretFile)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data directory mode = %v %v, want 0700", fi.Mode().Perm(), err)
	}
	c2, err := Load(envOf(map[string]string{"REPLYDESK_DATABASE": db}))
	if err != nil {
		t.Fatal(err)
	}
	if c2.Secret != c.Secret || len(c.Secret) < MinSecretLen {
		t.Errorf("secret not reused: %q then %q", c.Secret, c2.Secret)
	}
	if c2.MetaAppSecret != c.MetaAppSecret {
		t.Error("demo app secret changed between starts")
	}
}

func TestLoad_production(t *testing.T) {
	env := map[string]string{
		"REPLYDESK_DATABASE": filepath.Join(t.TempDir(), "r.db"),
		"META_APP_ID":        "123", "META_APP_SECRET": "shh", "META_VERIFY_TOKEN": "vt",
		"REPLYDESK_SECRET":   strings.Repeat("s", 40),
		"REPLYDESK_BASE_URL": "https://replies.example.com/",
	}
	c, err := Load(envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	if c.Demo || !c.Secure() || c.BaseURL != "https://replies.example.com" || c.GraphURL != "https://graph.facebook.com" {
		t.Errorf("unexpected: %+v", c)
	}
}

func TestLoad_errorsNameTheVariable(t *testing.T) {
	prod := map[string]string{"META_APP_ID": "1", "META_APP_SECRET": "s", "META_VERIFY_TOKEN": "v", "REPLYDESK_SECRET": strings.Repeat("x", 32)}
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"addr", map[string]string{"REPLYDESK_ADDR": "nonsense"}, "REPLYDESK_ADDR: "},
		{"port range", map[string]string{"REPLYDESK_ADDR": ":99999"}, "REPLYDESK_ADDR: "},
		{"base url", map[string]string{"REPLYDESK_BASE_URL": "localhost:8080"}, "REPLYDESK_BASE_URL: "},
		{"demo flag", map[string]string{"REPLYDESK_DEMO": "maybe"}, "REPLYDESK_DEMO: "},
		{"budget", map[string]string{"REPLYDESK_REPLY_BUDGET": "0"}, "REPLYDESK_REPLY_BUDGET: "},
		{"budget over meta", map[string]string{"REPLYDESK_REPLY_BUDGET": "751"}, "REPLYDESK_REPLY_BUDGET: "},
		{"version", map[string]string{"META_GRAPH_VERSION": "25"}, "META_GRAPH_VERSION: "},
		{"graph url", map[string]string{"META_GRAPH_URL": "ftp://x"}, "META_GRAPH_URL: "},
		{"login config", map[string]string{"META_LOGIN_CONFIG_ID": "my config"}, "META_LOGIN_CONFIG_ID: "},
		{"short secret", map[string]string{"REPLYDESK_SECRET": "abc"}, "REPLYDESK_SECRET: "},
		{"live poll", map[string]string{"REPLYDESK_LIVE_POLL": "10ms"}, "REPLYDESK_LIVE_POLL: "},
		{"alert before", map[string]string{"REPLYDESK_ALERT_BEFORE": "an hour"}, "REPLYDESK_ALERT_BEFORE: "},
		{"alert beyond the window", map[string]string{"REPLYDESK_ALERT_BEFORE": "200h"}, "REPLYDESK_ALERT_BEFORE: must be at most 168h"},
		{"pprof addr", map[string]string{"REPLYDESK_PPROF": "6060"}, "REPLYDESK_PPROF: "},
		{"reconcile interval", map[string]string{"REPLYDESK_RECONCILE_INTERVAL": "soon"}, "REPLYDESK_RECONCILE_INTERVAL: "},
		{"database dir", map[string]string{"REPLYDESK_DATABASE": "/dev/null/x/r.db"}, "REPLYDESK_DATABASE: "},
		{"database url", map[string]string{"REPLYDESK_DATABASE": "mysql://db/replydesk"}, "REPLYDESK_DATABASE: "},
		{"postgres without database", map[string]string{"REPLYDESK_DATABASE": "postgres://ava:pw@db.internal:5432"}, "REPLYDESK_DATABASE: "},
		{"no secret outside demo", without(prod, "REPLYDESK_SECRET"), "REPLYDESK_SECRET: required"},
		{"no verify token outside demo", without(prod, "META_VERIFY_TOKEN"), "META_VERIFY_TOKEN: required"},
		{"demo off without app", map[string]string{"REPLYDESK_DEMO": "false"}, "META_APP_ID: required"},
		{"trusted proxies word", map[string]string{"REPLYDESK_TRUSTED_PROXIES": "loadbalancer"}, `REPLYDESK_TRUSTED_PROXIES: "loadbalancer" is not an IP range`},
		{"trusted proxies mask", map[string]string{"REPLYDESK_TRUSTED_PROXIES": "10.0.0.0/8, 10.0.0.0/33"}, `REPLYDESK_TRUSTED_PROXIES: "10.0.0.0/33"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"REPLYDESK_DATABASE": filepath.Join(t.TempDir(), "r.db")}
			for k, v := range tc.env {
				env[k] = v
			}
			_, err := Load(envOf(env))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error = %q, want one line starting %q", err, tc.want)
			}
		})
	}
}

func TestLoad_trustedProxies(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"10.0.0.0/8", "10.0.0.0/8"},
		{"10.0.0.0/8,192.0.2.10 2001:db8::/32, ::1", "10.0.0.0/8 192.0.2.10/32 2001:db8::/32 ::1/128"},
	} {
		c, err := Load(envOf(map[string]string{"REPLYDESK_DATABASE": filepath.Join(t.TempDir(), "r.db"), "REPLYDESK_TRUSTED_PROXIES": tc.in}))
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		var got []string
		for _, n := range c.TrustedProxies {
			got = append(got, n.String())
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%q = %v, want %s", tc.in, got, tc.want)
		}
	}
}

func without(m map[string]string, key string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

func TestLoad_postgres(t *testing.T) {
	t.Chdir(t.TempDir())
	env := map[string]string{"REPLYDESK_DATABASE": "postgresql://ava:s3cret@db.internal:5432/replydesk?sslmode=require",
		"REPLYDESK_DEMO": "false", "REPLYDESK_SECRET": strings.Repeat("k", 40),
		"META_APP_ID": "1", "META_APP_SECRET": "s", "META_VERIFY_TOKEN": "v"}
	c, err := Load(envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Postgres() || c.DatabaseLabel() != "postgresql://ava:xxxxx@db.internal:5432/replydesk?sslmode=require" {
		t.Errorf("postgres %v, label %q", c.Postgres(), c.DatabaseLabel())
	}
	if _, err := os.Stat("data"); err == nil {
		t.Error("a data directory was made for a PostgreSQL database outside demo mode")
	}
	if _, err := Load(envOf(map[string]string{"REPLYDESK_DATABASE": "postgres://ava:s3cret@db.internal/"})); err == nil ||
		strings.Contains(err.Error(), "s3cret") {
		t.Errorf("a URL without a database: %v (and never the password)", err)
	}
}
