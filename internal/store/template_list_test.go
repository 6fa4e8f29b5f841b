package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/store/testdb"
	"github.com/replydesk/replydesk/internal/templates"
)

func TestListTemplates_searchSortFolder(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s := openTemplateStore(t, &now)
	ids := map[string]int64{}
	for _, in := range []templates.Input{
		{Name: "shipping", Body: "We ship to Canada", Shortcut: "ship", Folder: "Orders"},
		{Name: "Price list", Body: "100% cotton, €39", Shortcut: "price", Folder: "Sales"},
		{Name: "Opening hours", Body: "9 to 5", Shortcut: "hours", Folder: "cafés"},
		{Name: "Thanks", Body: "Thank you {{username|friend}}"},
		{Name: "Price_match", Body: "We match prices", Shortcut: "pricematch", Folder: "sales"},
	} {
		tpl, err := s.CreateTemplate(ctx, in, 0, "")
		if err != nil {
			t.Fatal(err)
		}
		ids[in.Name] = tpl.ID
	}
	// Uses: Thanks ×3 (last at +1h), Price list ×1 (at +3h), shipping ×2 (at +2h).
	use := func(name string, at time.Duration) {
		if err := s.MarkTemplateUsed(ctx, ids[name], now.Add(at)); err != nil {
			t.Fatal(err)
		}
	}
	use("Thanks", time.Hour)
	use("Thanks", 30*time.Minute) // an earlier time does not move last use back
	use("Thanks", time.Minute)
	use("Price list", 3*time.Hour)
	use("shipping", time.Hour)
	use("shipping", 2*time.Hour)

	tests := []struct {
		name string
		q    templates.Query
		want []string
	}{
		{"all by name, case-insensitive", templates.Query{}, []string{"Opening hours", "Price list", "Price_match", "shipping", "Thanks"}},
		{"unknown sort is by name", templates.Query{Sort: "weird"}, []string{"Opening hours", "Price list", "Price_match", "shipping", "Thanks"}},
		{"most used", templates.Query{Sort: templates.SortMostUsed}, []string{"Thanks", "shipping", "Price list", "Opening hours", "Price_match"}},
		{"recent, never used last", templates.Query{Sort: templates.SortRecent}, []string{"Price list", "shipping", "Thanks", "Opening hours", "Price_match"}},
		{"search name", templates.Query{Search: "price"}, []string{"Price list", "Price_match"}},
		{"search body", templates.Query{Search: "canada"}, []string{"shipping"}},
		{"search folder", templates.Query{Search: "café"}, []string{"Opening hours"}},
		{"search shortcut prefix", templates.Query{Search: "/PRI"}, []string{"Price list", "Price_match"}},
		{"shortcut prefix only", templates.Query{Search: "/ice"}, nil},
		{"percent is literal", templates.Query{Search: "100%"}, []string{"Price list"}},
		{"underscore is literal", templates.Query{Search: "e_m"}, []string{"Price_match"}},
		{"folder, any case", templates.Query{Folder: "SALES", Sort: templates.SortName}, []string{"Price list", "Price_match"}},
		{"folder and search", templates.Query{Folder: "sales", Search: "match"}, []string{"Price_match"}},
		{"nothing", templates.Query{Search: "zzz"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, err := s.ListTemplates(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tpl := range list {
				got = append(got, tpl.Name)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}

	thanks, _ := s.Template(ctx, ids["Thanks"])
	if thanks.UseCount != 3 || !thanks.LastUsedAt.Equal(now.Add(time.Hour)) {
		t.Errorf("Thanks used %d times, last %v", thanks.UseCount, thanks.LastUsedAt)
	}
	folders, err := s.TemplateFolders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"cafés", "Orders", "Sales", "sales"}; !slices.Equal(folders, want) {
		t.Errorf("folders = %q, want %q", folders, want)
	}
}

func TestSeedTemplates_onceOnEmptyTable(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s := openTemplateStore(t, &now)
	demo := templates.Demo()
	n, err := s.SeedTemplates(ctx, demo)
	if err != nil || n != len(demo) {
		t.Fatalf("first seed: %d, %v", n, err)
	}
	if n, err := s.SeedTemplates(ctx, demo); err != nil || n != 0 {
		t.Errorf("second seed: %d, %v", n, err)
	}
	list, _ := s.ListTemplates(ctx, templates.Query{})
	if len(list) != len(demo) {
		t.Fatalf("%d templates after seeding twice", len(list))
	}
	if price, err := s.TemplateByShortcut(ctx, "/price"); err != nil || price.UpdatedByName != "Replydesk" {
		t.Errorf("seeded price list: %+v, %v", price, err)
	}
	// Deleting them all does not bring them back.
	for _, tpl := range list {
		if err := s.DeleteTemplate(ctx, tpl.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.SeedTemplates(ctx, demo); err != nil || n != 0 {
		t.Errorf("seed after deleting all: %d, %v", n, err)
	}

	// A database that already has templates is left alone.
	other := openTemplateStore(t, &now)
	if _, err := other.CreateTemplate(ctx, templates.Input{Name: "Ours", Body: "x"}, 0, ""); err != nil {
		t.Fatal(err)
	}
	if n, err := other.SeedTemplates(ctx, demo); err != nil || n != 0 {
		t.Errorf("seed over existing templates: %d, %v", n, err)
	}
}

// openTemplateStore opens a fresh database whose clock reads *now.
func openTemplateStore(t *testing.T, now *time.Time) *Store {
	t.Helper()
	s, err := Open(context.Background(), testdb.DSN(t), Options{Now: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestTemplates_schema: what the table itself keeps, whatever the caller.
func TestTemplates_schema(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s := openTemplateStore(t, &now)
	if err := s.w.Exec("INSERT INTO users (facebook_id, name, created_at) VALUES ('fb-ben', 'Ben', 1)").Error; err != nil {
		t.Fatal(err)
	}
	var ben int64
	s.w.Raw("SELECT id FROM users WHERE name = 'Ben'").Scan(&ben)
	a, err := s.CreateTemplate(ctx, templates.Input{Name: "A", Body: "x"}, ben, "Ben")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateTemplate(ctx, templates.Input{Name: "B", Body: "y"}, 0, ""); err != nil {
		t.Fatal(err)
	}
	var nulls int64
	s.r.Raw("SELECT count(*) FROM templates WHERE shortcut IS NULL").Scan(&nulls)
	if nulls != 2 {
		t.Errorf("%d templates without a shortcut stored as NULL, want 2 (the column is UNIQUE)", nulls)
	}
	// The editor's user goes; the name stays.
	if err := s.w.Exec("DELETE FROM users WHERE id = ?", ben).Error; err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Template(ctx, a.ID); got.UpdatedBy != 0 || got.UpdatedByName != "Ben" {
		t.Errorf("after deleting the user: %d %q", got.UpdatedBy, got.UpdatedByName)
	}
	if _, err := s.CreateTemplate(ctx, templates.Input{Name: "a", Body: "z"}, 0, ""); !isConflict(err, "name", "A") {
		t.Errorf("a taken name (other case): %v", err)
	}
	// The schema refuses a malformed shortcut even past the store.
	if err := s.w.Exec("UPDATE templates SET shortcut = 'Bad Cut' WHERE id = ?", a.ID).Error; err == nil {
		t.Error("the table accepted shortcut 'Bad Cut'")
	}
}

func isConflict(err error, column, holder string) bool {
	var c *Conflict
	return errors.As(err, &c) && c.Column == column && c.Holder == holder
}
