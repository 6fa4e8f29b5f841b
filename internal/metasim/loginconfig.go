package metasim

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Facebook Login for Business (meta-platform.md §6.1, §10): the dialog gets
// config_id instead of scope, and the saved configuration decides the
// permissions. Consent is all or nothing: the person grants the whole set or
// cancels; there is no per-permission decline. Only the "User access token"
// configuration type is simulated (no system-user tokens).

// defaultLoginConfigScopes is what a configuration grants when
// Config.LoginConfigScopes is empty: the permissions Replydesk asks for.
var defaultLoginConfigScopes = []string{
	"public_profile", "email", "pages_show_list", "pages_read_engagement", "pages_manage_metadata",
	"pages_messaging", "instagram_basic", "instagram_manage_comments", "instagram_manage_messages",
	"business_management",
}

// checkLoginConfig fills the configuration's default permission set and
// rejects permissions the simulator does not know.
func checkLoginConfig(cfg *Config) error {
	if cfg.LoginConfigID == "" {
		return nil
	}
	if len(cfg.LoginConfigScopes) == 0 {
		cfg.LoginConfigScopes = slices.Clone(defaultLoginConfigScopes)
	}
	for _, p := range cfg.LoginConfigScopes {
		if _, ok := permBit(p); !ok {
			return fmt.Errorf("metasim: LoginConfigScopes: unknown permission %q", p)
		}
	}
	if !slices.Contains(cfg.LoginConfigScopes, "public_profile") {
		cfg.LoginConfigScopes = append([]string{"public_profile"}, cfg.LoginConfigScopes...)
	}
	return nil
}

// dialogScopes answers the permissions a dialog request asks for and
// whether they come from a Login for Business configuration, or the
// message of the dialog's error page.
func (s *Sim) dialogScopes(q url.Values) (asked []string, business bool, errMsg string) {
	if id := q.Get("config_id"); id != "" {
		if s.cfg.LoginConfigID == "" || id != s.cfg.LoginConfigID {
			// Meta's wording for an unknown configuration is unverified.
			return nil, true, "Invalid config_id: " + id + " is not a Facebook Login for Business configuration of this app."
		}
		return slices.Clone(s.cfg.LoginConfigScopes), true, ""
	}
	asked = splitList(q.Get("scope"))
	var unknown []string
	for _, p := range asked {
		if _, ok := permBit(p); !ok {
			unknown = append(unknown, p)
		}
	}
	if len(unknown) > 0 {
		return nil, false, "Invalid Scopes: " + strings.Join(unknown, ", ") + ". This message is only shown to developers."
	}
	if !slices.Contains(asked, "public_profile") {
		asked = append([]string{"public_profile"}, asked...)
	}
	return asked, false, ""
}
