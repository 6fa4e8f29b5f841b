package library_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/library"
	"github.com/replydesk/replydesk/internal/rules"
	"github.com/replydesk/replydesk/internal/store"
	"github.com/replydesk/replydesk/internal/store/storetest"
	"github.com/replydesk/replydesk/internal/templates"
)

// openLibrary opens a fresh database whose clock reads *now, and a Library
// over it.
func openLibrary(t *testing.T, now *time.Time) (*library.Library, *store.Store) {
	t.Helper()
	s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"), store.Options{Now: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return library.New(s), s
}

func TestTemplates_createReadUpdateDelete(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	lib, s := openLibrary(t, &now)
	ava := storetest.User(t, s, "fb-ava", "Ava", "admin")

	created, err := lib.CreateTemplate(ctx, templates.Input{Name: " Price list ", Body: "Hi {{username|there}}\r\n", Shortcut: "/Price", Folder: "Sales"}, ava, "Ava")
	if err != nil {
		t.Fatal(err)
	}
	want := templates.Template{ID: created.ID, Name: "Price list", Body: "Hi {{username|there}}", Shortcut: "price", Folder: "Sales",
		Position: 1, UpdatedBy: ava, UpdatedByName: "Ava", CreatedAt: now, UpdatedAt: now}
	if created != want || created.ID == 0 {
		t.Errorf("created %+v\nwant    %+v", created, want)
	}
	if got, err := s.Template(ctx, created.ID); err != nil || got != want {
		t.Errorf("Template = %+v, %v", got, err)
	}
	if got, err := s.TemplateByShortcut(ctx, "/PRICE"); err != nil || got.ID != created.ID {
		t.Errorf("TemplateByShortcut = %+v, %v", got, err)
	}

	now = now.Add(time.Hour)
	ben := storetest.User(t, s, "fb-ben", "Ben", "agent")
	if err := s.MarkTemplateUsed(ctx, created.ID, now); err != nil {
		t.Fatal(err)
	}
	updated, err := lib.UpdateTemplate(ctx, created.ID, templates.Input{Name: "Prices", Body: "See {{account}}", Folder: ""}, ben, "Ben")
	if err != nil {
		t.Fatal(err)
	}
	if updated.Name != "Prices" || updated.Shortcut != "" || updated.Folder != "" || updated.UpdatedBy != ben ||
		updated.UpdatedByName != "Ben" || !updated.UpdatedAt.Equal(now) || !updated.CreatedAt.Equal(now.Add(-time.Hour)) {
		t.Errorf("updated = %+v", updated)
	}
	if updated.UseCount != 1 || !updated.LastUsedAt.Equal(now) {
		t.Errorf("update lost the usage: %d, %v", updated.UseCount, updated.LastUsedAt)
	}
	if _, err := s.TemplateByShortcut(ctx, "price"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("old shortcut still found: %v", err)
	}
	if err := lib.DeleteTemplate(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	missing := created.ID
	if _, err := s.Template(ctx, missing); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Template after delete: %v", err)
	}
	if err := lib.DeleteTemplate(ctx, missing); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	if _, err := lib.UpdateTemplate(ctx, missing, templates.Input{Name: "x", Body: "y"}, 0, ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update of a missing template: %v", err)
	}
	if err := s.MarkTemplateUsed(ctx, missing, now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("mark of a missing template: %v", err)
	}
}

func TestTemplates_refusals(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	lib, _ := openLibrary(t, &now)
	price, err := lib.CreateTemplate(ctx, templates.Input{Name: "Price list", Body: "€39", Shortcut: "price"}, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	hours, err := lib.CreateTemplate(ctx, templates.Input{Name: "Hours", Body: "9 to 5"}, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.CreateTemplate(ctx, templates.Input{Name: "Thanks", Body: "Thanks!"}, 0, ""); err != nil {
		t.Errorf("a second template without a shortcut: %v", err)
	}
	tests := []struct {
		name        string
		write       func() error
		field, code string
		msgHas      string
	}{
		{"name taken, other case", func() error {
			_, err := lib.CreateTemplate(ctx, templates.Input{Name: "PRICE LIST", Body: "x"}, 0, "")
			return err
		}, "name", "name_taken", "A template named “Price list” already exists."},
		{"shortcut taken", func() error {
			_, err := lib.CreateTemplate(ctx, templates.Input{Name: "Prices", Body: "x", Shortcut: "/Price"}, 0, "")
			return err
		}, "shortcut", "shortcut_taken", "/price is already used by “Price list”"},
		{"rename onto another", func() error {
			_, err := lib.UpdateTemplate(ctx, hours.ID, templates.Input{Name: "price list", Body: "x"}, 0, "")
			return err
		}, "name", "name_taken", ""},
		{"take another's shortcut", func() error {
			_, err := lib.UpdateTemplate(ctx, hours.ID, templates.Input{Name: "Hours", Body: "x", Shortcut: "price"}, 0, "")
			return err
		}, "shortcut", "shortcut_taken", ""},
		{"invalid body", func() error {
			_, err := lib.CreateTemplate(ctx, templates.Input{Name: "Bad", Body: "Hi\n{{price}}"}, 0, "")
			return err
		}, "body", "unknown_variable", "at line 2, column 1"},
		{"invalid update", func() error {
			_, err := lib.UpdateTemplate(ctx, hours.ID, templates.Input{Name: "", Body: "x"}, 0, "")
			return err
		}, "name", "name_required", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.write()
			e, ok := apperr.As(err)
			if !ok || e.Field != tc.field || e.Code != tc.code || e.Kind != apperr.Unprocessable {
				t.Fatalf("got %v, want a %s error on %s", err, tc.code, tc.field)
			}
			if !strings.Contains(e.Message, tc.msgHas) {
				t.Errorf("message %q, want it to hold %q", e.Message, tc.msgHas)
			}
		})
	}
	// Updating a template onto its own name and shortcut is fine.
	if _, err := lib.UpdateTemplate(ctx, price.ID, templates.Input{Name: "price LIST", Body: "€40", Shortcut: "price"}, 0, ""); err != nil {
		t.Errorf("keeping its own name: %v", err)
	}
	if all, _ := lib.ListTemplates(ctx, templates.Query{}); len(all) != 3 {
		t.Errorf("%d templates after refusals, want 3", len(all))
	}
	_ = hours
}

func TestSeed_checksTheStarterSet(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	_, s := openLibrary(t, &now)
	if _, err := library.Seed(ctx, s, []templates.Input{{Name: "Bad", Body: "{{oops}}"}}); err == nil {
		t.Error("an invalid starter template was accepted")
	}
	if n, err := library.Seed(ctx, s, templates.Demo()); err != nil || n != len(templates.Demo()) {
		t.Errorf("demo set: %d, %v", n, err)
	}
}

func TestTemplates_aRuleKeepsItsTemplate(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	lib, s := openLibrary(t, &now)
	tpl, err := lib.CreateTemplate(ctx, templates.Input{Name: "Link", Body: "Hi {{username|there}}! The link: https://acme.example/shop"}, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRule(ctx, rules.Input{Name: "Link DM", Enabled: true, Keywords: []string{"link"}, Match: rules.MatchAny,
		Action: rules.Send, TemplateID: tpl.ID}, 0, ""); err != nil {
		t.Fatal(err)
	}
	// Sent on its own, it must always fit: {{comment_text}} could not.
	_, err = lib.UpdateTemplate(ctx, tpl.ID, templates.Input{Name: "Link", Body: "You said {{comment_text}}. The link: …"}, 0, "")
	if f := templates.FieldErrors(err)["body"]; !strings.Contains(f, "“Link DM” sends this template on its own") {
		t.Errorf("update error = %v, want a body error naming the rule", err)
	}
	if _, err := lib.UpdateTemplate(ctx, tpl.ID, templates.Input{Name: "Link", Body: "Hi {{username|there}}! Shop: https://acme.example"}, 0, ""); err != nil {
		t.Errorf("an edit that still fits: %v", err)
	}
	err = lib.DeleteTemplate(ctx, tpl.ID)
	if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.Conflict || !strings.Contains(ae.Message, "“Link DM”") {
		t.Errorf("delete = %v, want a conflict naming the rule", err)
	}
	if _, err := s.Template(ctx, tpl.ID); err != nil {
		t.Errorf("the template is gone: %v", err)
	}
}

// TestTemplates_positionsSetByAdminsNotByUse: a new template goes last,
// an admin moves one to any place and the rest close up, and using a
// template never changes the order the reply box shows (issue 20, item 5).
func TestTemplates_positionsSetByAdminsNotByUse(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	lib, s := openLibrary(t, &now)
	ids := map[string]int64{}
	for _, name := range []string{"Shipping", "Price", "Sizes", "Opening hours"} {
		tm, err := lib.CreateTemplate(ctx, templates.Input{Name: name, Body: name + " for {{username}}"}, 0, "")
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = tm.ID
	}
	order := func() string {
		t.Helper()
		list, err := lib.ListTemplates(ctx, templates.Query{Sort: templates.SortPosition})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for i, tm := range list {
			if tm.Position != i+1 {
				t.Errorf("%s is at %d, listed %d", tm.Name, tm.Position, i+1)
			}
			out = append(out, tm.Name)
		}
		return strings.Join(out, ", ")
	}
	if got := order(); got != "Shipping, Price, Sizes, Opening hours" {
		t.Fatalf("created in order, listed %s", got)
	}
	for range 5 {
		if err := s.MarkTemplateUsed(ctx, ids["Opening hours"], now); err != nil {
			t.Fatal(err)
		}
	}
	if got := order(); got != "Shipping, Price, Sizes, Opening hours" {
		t.Errorf("use moved a template: %s", got)
	}
	if _, err := lib.UpdateTemplate(ctx, ids["Sizes"], templates.Input{Name: "Sizes", Body: "Sizes!", Position: 1}, 0, ""); err != nil {
		t.Fatal(err)
	}
	if got := order(); got != "Sizes, Shipping, Price, Opening hours" {
		t.Errorf("moved to 1: %s", got)
	}
	if _, err := lib.UpdateTemplate(ctx, ids["Sizes"], templates.Input{Name: "Sizes", Body: "Sizes!", Position: 99}, 0, ""); err != nil {
		t.Fatal(err)
	}
	if got := order(); got != "Shipping, Price, Opening hours, Sizes" {
		t.Errorf("moved past the end: %s", got)
	}
	if _, err := lib.UpdateTemplate(ctx, ids["Price"], templates.Input{Name: "Prices", Body: "€39"}, 0, ""); err != nil {
		t.Fatal(err)
	}
	if got := order(); got != "Shipping, Prices, Opening hours, Sizes" {
		t.Errorf("an edit without a place moved it: %s", got)
	}
	if _, err := lib.CreateTemplate(ctx, templates.Input{Name: "Hello", Body: "Hi", Position: 2}, 0, ""); err != nil {
		t.Fatal(err)
	}
	if got := order(); got != "Shipping, Hello, Prices, Opening hours, Sizes" {
		t.Errorf("created at 2: %s", got)
	}
	if err := lib.DeleteTemplate(ctx, ids["Shipping"]); err != nil {
		t.Fatal(err)
	}
	list, _ := lib.ListTemplates(ctx, templates.Query{Sort: templates.SortPosition})
	if keys := templates.Keys(list); keys[list[0].ID] != "1" || keys[list[3].ID] != "4" || len(keys) != 4 {
		t.Errorf("keys after a delete: %v", keys)
	}
	_, err := lib.UpdateTemplate(ctx, ids["Sizes"], templates.Input{Name: "Sizes", Body: "x", Position: -1}, 0, "")
	if fe := templates.FieldErrors(err); fe["position"] == "" {
		t.Errorf("a bad place: %v", err)
	}
}
