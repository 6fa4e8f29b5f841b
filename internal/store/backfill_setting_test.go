package store_test

import (
	"context"
	"testing"

	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
)

func TestFirstBackfillPending(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	check := func(ids []string, want bool) {
		t.Helper()
		got, err := s.FirstBackfillPending(ctx, ids)
		if err != nil || got != want {
			t.Errorf("FirstBackfillPending(%v) = %v, %v; want %v", ids, got, err, want)
		}
	}
	check(nil, false)
	check([]string{"a", "b"}, true)
	if err := s.SetSetting(ctx, store.BackfillKey("a"), "2026-12-01T10:00:00Z"); err != nil {
		t.Fatal(err)
	}
	check([]string{"a"}, false)
	check([]string{"a", "b"}, true)
}
