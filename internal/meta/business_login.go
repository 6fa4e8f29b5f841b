package meta

import (
	"fmt"
	"net/url"
)

// BusinessLoginURL turns an OAuth dialog URL (as goth builds it, with
// scope) into a Facebook Login for Business one: the saved configuration's
// config_id replaces scope, and the person grants the configuration's whole
// permission set or cancels (meta-platform.md §6.1, §8, §10). goth has no
// option for config_id, so the app rewrites the URL it gets from goth.
func BusinessLoginURL(authURL, configID string) (string, error) {
	if configID == "" {
		return "", fmt.Errorf("meta: business login URL: empty config_id")
	}
	u, err := url.Parse(authURL)
	if err != nil {
		return "", fmt.Errorf("meta: business login URL: %w", err)
	}
	q := u.Query()
	q.Del("scope")
	q.Set("config_id", configID)
	u.RawQuery = q.Encode()
	return u.String(), nil
}
