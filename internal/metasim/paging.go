package metasim

import (
	"encoding/base64"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// pageLimits are an edge's default and largest page sizes.
type pageLimits struct{ def, max int }

// paginate cuts one page out of items, which are in list order with keys
// strictly increasing along it. Cursors are the opaque, base64 keys, so a
// cursor stays meaningful when items are added. It answers the window and
// Meta's paging object (nil when items is empty).
func paginate[T any](c *graphCall, items []T, key func(T) string, lim pageLimits) ([]T, obj, *apiError) {
	limit := lim.def
	if raw := c.params.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			return nil, nil, apiErr(errParamInvalid, "Param limit must be a non-negative integer")
		}
		limit = min(max(n, 1), lim.max)
	}
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = key(it)
	}
	start, end := 0, min(limit, len(items))
	if raw := c.params.Get("after"); raw != "" {
		k, err := decodeCursor(raw)
		if err != nil {
			return nil, nil, apiErr(errParamInvalid, "Invalid cursor: after")
		}
		start = sort.SearchStrings(keys, k)
		if start < len(keys) && keys[start] == k {
			start++
		}
		end = min(start+limit, len(items))
	} else if raw := c.params.Get("before"); raw != "" {
		k, err := decodeCursor(raw)
		if err != nil {
			return nil, nil, apiErr(errParamInvalid, "Invalid cursor: before")
		}
		end = sort.SearchStrings(keys, k)
		start = max(0, end-limit)
	}
	window := items[start:end]
	if len(window) == 0 {
		return window, nil, nil
	}
	paging := obj{{"cursors", obj{{"before", encodeCursor(keys[start])}, {"after", encodeCursor(keys[end-1])}}}}
	if start > 0 {
		paging.set("previous", c.pageURL("before", encodeCursor(keys[start]), limit))
	}
	if end < len(items) {
		paging.set("next", c.pageURL("after", encodeCursor(keys[end-1]), limit))
	}
	return window, paging, nil
}

// pageURL answers the full URL of a neighbouring page: the same path and
// query parameters (including access_token when it was in the query), with
// the given cursor.
func (c *graphCall) pageURL(dir, cursor string, limit int) string {
	q := c.r.URL.Query()
	q.Del("after")
	q.Del("before")
	q.Set(dir, cursor)
	q.Set("limit", strconv.Itoa(limit))
	version := c.version
	if version == "" {
		version = c.sim.cfg.GraphVersion
	}
	return c.sim.publicBase(c.r) + "/" + version + "/" + strings.Join(c.parts, "/") + "?" + q.Encode()
}

func encodeCursor(key string) string { return base64.RawURLEncoding.EncodeToString([]byte(key)) }

func decodeCursor(s string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return "", fmt.Errorf("metasim: bad cursor: %w", err)
	}
	return string(b), nil
}

// newestFirstKey is a cursor key that increases along a newest-first list
// ordered by time, then id.
func newestFirstKey(t time.Time, id string) string {
	return fmt.Sprintf("%019d.%s", math.MaxInt64-t.UnixNano(), id)
}

// oldestFirstKey is a cursor key that increases along an oldest-first list.
func oldestFirstKey(t time.Time, id string) string {
	return fmt.Sprintf("%019d.%s", t.UnixNano(), id)
}
