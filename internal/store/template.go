package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/templates"
)

type templateRow struct {
	ID            int64 `gorm:"primaryKey"`
	Name          string
	Body          string
	Shortcut      *string // NULL when none: the column is UNIQUE
	Folder        string
	Public        bool
	Position      int
	UseCount      int64
	LastUsedAt    int64
	UpdatedBy     *int64
	UpdatedByName string
	CreatedAt     int64 `gorm:"autoCreateTime:false"`
	UpdatedAt     int64 `gorm:"autoUpdateTime:false"`
}

func (templateRow) TableName() string { return "templates" }

func (r templateRow) toDomain() templates.Template {
	t := templates.Template{
		ID: r.ID, Name: r.Name, Body: r.Body, Folder: r.Folder, Public: r.Public, Position: r.Position,
		UseCount: r.UseCount, LastUsedAt: fromMS(r.LastUsedAt), UpdatedByName: r.UpdatedByName,
		CreatedAt: fromMS(r.CreatedAt), UpdatedAt: fromMS(r.UpdatedAt),
	}
	if r.Shortcut != nil {
		t.Shortcut = *r.Shortcut
	}
	if r.UpdatedBy != nil {
		t.UpdatedBy = *r.UpdatedBy
	}
	return t
}

// ListTemplates lists the templates matching q, in q's order.
func (s *Store) ListTemplates(ctx context.Context, q templates.Query) ([]templates.Template, error) {
	db := s.r.WithContext(ctx).Model(&templateRow{})
	if term := strings.TrimSpace(q.Search); term != "" {
		if sc, ok := strings.CutPrefix(term, "/"); ok {
			db = db.Where(`shortcut LIKE ? ESCAPE '\'`, templateLike(strings.ToLower(sc))+"%")
		} else {
			like := "%" + templateLike(term) + "%"
			db = db.Where(`(name LIKE ? ESCAPE '\' OR body LIKE ? ESCAPE '\' OR shortcut LIKE ? ESCAPE '\' OR folder LIKE ? ESCAPE '\')`,
				like, like, like, like)
		}
	}
	if q.Folder != "" {
		db = db.Where("folder = ? COLLATE NOCASE", q.Folder)
	}
	switch q.Audience {
	case templates.AudiencePublic:
		db = db.Where("public = 1")
	case templates.AudiencePrivate:
		db = db.Where("public = 0")
	}
	switch q.Sort {
	case templates.SortMostUsed:
		db = db.Order("use_count DESC, name, id")
	case templates.SortRecent:
		db = db.Order("last_used_at DESC, name, id")
	case templates.SortPosition:
		db = db.Order("position, name, id")
	default:
		db = db.Order("name, id") // the column's NOCASE collation applies
	}
	var rows []templateRow
	if err := db.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list templates: %w", err)
	}
	out := make([]templates.Template, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// templateLike escapes LIKE's wildcards in a search term.
func templateLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// TemplateFolders lists the folders in use, A to Z.
func (s *Store) TemplateFolders(ctx context.Context) ([]string, error) {
	var out []string
	err := s.r.WithContext(ctx).Model(&templateRow{}).Where("folder <> ''").
		Distinct("folder").Order("folder COLLATE NOCASE").Pluck("folder", &out).Error
	if err != nil {
		return nil, fmt.Errorf("store: template folders: %w", err)
	}
	return out, nil
}

// Template reads one template; ErrNotFound when there is none.
func (s *Store) Template(ctx context.Context, id int64) (templates.Template, error) {
	return s.takeTemplate(s.r.WithContext(ctx), fmt.Sprintf("template %d", id), "id = ?", id)
}

// TemplateByShortcut finds the template with a shortcut ("/price" or
// "price", any case); ErrNotFound when none has it.
func (s *Store) TemplateByShortcut(ctx context.Context, shortcut string) (templates.Template, error) {
	sc := templates.NormalizeShortcut(shortcut)
	return s.takeTemplate(s.r.WithContext(ctx), "template /"+sc, "shortcut = ?", sc)
}

func (s *Store) takeTemplate(db *gorm.DB, what string, cond string, args ...any) (templates.Template, error) {
	var row templateRow
	err := db.Take(&row, append([]any{cond}, args...)...).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return templates.Template{}, ErrNotFound
	case err != nil:
		return templates.Template{}, fmt.Errorf("store: %s: %w", what, err)
	}
	return row.toDomain(), nil
}

// CreateTemplate stores a new template, already validated, saved by the
// user byID (0 when none) named byName. A taken name or shortcut is a
// *Conflict.
func (s *Store) CreateTemplate(ctx context.Context, in templates.Input, byID int64, byName string) (templates.Template, error) {
	now := ms(s.now())
	row := templateRow{
		Name: in.Name, Body: in.Body, Shortcut: shortcutColumn(in.Shortcut), Folder: in.Folder, Public: in.Public,
		UpdatedBy: updatedByColumn(byID), UpdatedByName: byName, CreatedAt: now, UpdatedAt: now,
	}
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// A new template goes last; in.Position then moves it.
		if err := tx.Model(&templateRow{}).Select("COALESCE(MAX(position), 0) + 1").Scan(&row.Position).Error; err != nil {
			return err
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return moveTemplate(tx, row.ID, in.Position)
	})
	if err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return templates.Template{}, s.templateConflict(ctx, in, 0, err)
		}
		return templates.Template{}, fmt.Errorf("store: create template %q: %w", in.Name, err)
	}
	return s.takeTemplate(s.w.WithContext(ctx), fmt.Sprintf("template %d", row.ID), "id = ?", row.ID)
}

// UpdateTemplate saves new fields, already validated, for template id,
// keeping its usage. Errors as CreateTemplate, plus ErrNotFound.
func (s *Store) UpdateTemplate(ctx context.Context, id int64, in templates.Input, byID int64, byName string) (templates.Template, error) {
	var found int64
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&templateRow{}).Where("id = ?", id).Updates(map[string]any{
			"name": in.Name, "body": in.Body, "shortcut": shortcutColumn(in.Shortcut), "folder": in.Folder, "public": in.Public,
			"updated_by": updatedByColumn(byID), "updated_by_name": byName, "updated_at": ms(s.now()),
		})
		if found = res.RowsAffected; res.Error != nil || found == 0 {
			return res.Error
		}
		return moveTemplate(tx, id, in.Position)
	})
	switch {
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return templates.Template{}, s.templateConflict(ctx, in, id, err)
	case err != nil:
		return templates.Template{}, fmt.Errorf("store: update template %d: %w", id, err)
	case found == 0:
		return templates.Template{}, ErrNotFound
	}
	// Read back on the writer, which has certainly seen the change.
	return s.takeTemplate(s.w.WithContext(ctx), fmt.Sprintf("template %d", id), "id = ?", id)
}

// moveTemplate puts template id at place pos (from 1) of the reply box's
// order and numbers every template 1, 2, … in that order; pos 0 leaves the
// order as it is. A place past the end is the last.
func moveTemplate(tx *gorm.DB, id int64, pos int) error {
	if pos <= 0 {
		return nil
	}
	var ids []int64
	if err := tx.Model(&templateRow{}).Where("id <> ?", id).Order("position, name, id").Pluck("id", &ids).Error; err != nil {
		return err
	}
	pos = min(pos, len(ids)+1)
	ids = slices.Insert(ids, pos-1, id)
	for i, tid := range ids {
		if err := tx.Model(&templateRow{}).Where("id = ? AND position <> ?", tid, i+1).Update("position", i+1).Error; err != nil {
			return err
		}
	}
	return nil
}

// templateConflict tells which unique field a failed write collided on.
// SQLite's error names the column but the translated gorm error does not,
// so it looks: a name taken by another template, else the shortcut.
func (s *Store) templateConflict(ctx context.Context, in templates.Input, id int64, cause error) error {
	if other, err := s.takeTemplate(s.r.WithContext(ctx), "template conflict", "name = ? AND id <> ?", in.Name, id); err == nil {
		return &Conflict{Column: "name", Holder: other.Name, Err: cause}
	}
	c := &Conflict{Column: "shortcut", Err: cause}
	if other, err := s.takeTemplate(s.r.WithContext(ctx), "template conflict", "shortcut = ? AND id <> ?", in.Shortcut, id); err == nil {
		c.Holder = other.Name
	}
	return c
}

// DeleteTemplate removes template id for good; ErrNotFound when there is
// none. Replies already sent keep their own copy of the text.
func (s *Store) DeleteTemplate(ctx context.Context, id int64) error {
	res := s.w.WithContext(ctx).Delete(&templateRow{}, "id = ?", id)
	switch {
	case errors.Is(res.Error, gorm.ErrForeignKeyViolated):
		return ErrInUse // a rule uses it
	case res.Error != nil:
		return fmt.Errorf("store: delete template %d: %w", id, res.Error)
	case res.RowsAffected == 0:
		return ErrNotFound
	}
	return nil
}

// MarkTemplateUsed counts one use of template id at the given time (a
// reply was sent with it). An earlier time than the last use does not move
// last_used_at back. ErrNotFound when the template is gone.
func (s *Store) MarkTemplateUsed(ctx context.Context, id int64, at time.Time) error {
	res := s.w.WithContext(ctx).Model(&templateRow{}).Where("id = ?", id).Updates(map[string]any{
		"use_count":    gorm.Expr("use_count + 1"),
		"last_used_at": gorm.Expr("MAX(last_used_at, ?)", ms(at)),
	})
	switch {
	case res.Error != nil:
		return fmt.Errorf("store: mark template %d used: %w", id, res.Error)
	case res.RowsAffected == 0:
		return ErrNotFound
	}
	return nil
}

func shortcutColumn(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func updatedByColumn(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
