package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/rules"
)

// ruleRow is the rules table; lists are JSON arrays.
type ruleRow struct {
	ID              int64 `gorm:"primaryKey"`
	Name            string
	Enabled         bool
	Position        int
	Accounts        string
	Surfaces        string
	MediaIDs        string `gorm:"column:media_ids"`
	Keywords        string
	Match           string
	ExcludeKeywords string
	Action          string
	TemplateID      *int64
	AssigneeID      *int64
	OncePerUser     bool
	CreatedBy       *int64
	CreatedByName   string
	CreatedAt       int64 `gorm:"autoCreateTime:false"`
	UpdatedAt       int64 `gorm:"autoUpdateTime:false"`
}

func (ruleRow) TableName() string { return "rules" }

func (r ruleRow) toDomain() rules.Rule {
	out := rules.Rule{
		ID: r.ID, Name: r.Name, Enabled: r.Enabled, Position: r.Position, Match: rules.Match(r.Match),
		Action: rules.Action(r.Action), OncePerUser: r.OncePerUser, CreatedByName: r.CreatedByName,
		CreatedAt: fromMS(r.CreatedAt), UpdatedAt: fromMS(r.UpdatedAt),
	}
	var surfaces []string
	for _, l := range []struct {
		raw string
		dst *[]string
	}{
		{r.Accounts, &out.Accounts}, {r.Surfaces, &surfaces}, {r.MediaIDs, &out.MediaIDs},
		{r.Keywords, &out.Keywords}, {r.ExcludeKeywords, &out.ExcludeKeywords},
	} {
		json.Unmarshal([]byte(l.raw), l.dst) // written by ruleColumns; "[]" at worst
	}
	for _, s := range surfaces {
		out.Surfaces = append(out.Surfaces, inbox.Surface(s))
	}
	for _, p := range []struct {
		src *int64
		dst *int64
	}{{r.TemplateID, &out.TemplateID}, {r.AssigneeID, &out.AssigneeID}, {r.CreatedBy, &out.CreatedBy}} {
		if p.src != nil {
			*p.dst = *p.src
		}
	}
	return out
}

// ruleColumns are the columns an input sets.
func ruleColumns(in rules.Input) map[string]any {
	surfaces := make([]string, len(in.Surfaces))
	for i, s := range in.Surfaces {
		surfaces[i] = string(s)
	}
	list := func(l []string) string {
		if len(l) == 0 {
			return "[]"
		}
		b, _ := json.Marshal(l)
		return string(b)
	}
	return map[string]any{
		"name": in.Name, "enabled": in.Enabled, "accounts": list(in.Accounts), "surfaces": list(surfaces),
		"media_ids": list(in.MediaIDs), "keywords": list(in.Keywords), "match": string(in.Match),
		"exclude_keywords": list(in.ExcludeKeywords), "action": string(in.Action),
		"template_id": nullable(in.TemplateID), "assignee_id": nullable(in.AssigneeID), "once_per_user": in.OncePerUser,
	}
}

// Rules lists every rule in order.
func (s *Store) Rules(ctx context.Context) ([]rules.Rule, error) {
	var rows []ruleRow
	if err := s.r.WithContext(ctx).Order("position, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: rules: %w", err)
	}
	out := make([]rules.Rule, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// Rule reads one rule; ErrNotFound when there is none.
func (s *Store) Rule(ctx context.Context, id int64) (rules.Rule, error) {
	return s.takeRule(s.r.WithContext(ctx), id)
}

func (s *Store) takeRule(db *gorm.DB, id int64) (rules.Rule, error) {
	var row ruleRow
	err := db.Take(&row, "id = ?", id).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return rules.Rule{}, ErrNotFound
	case err != nil:
		return rules.Rule{}, fmt.Errorf("store: rule %d: %w", id, err)
	}
	return row.toDomain(), nil
}

// CreateRule stores a new rule, already validated, last in the order.
func (s *Store) CreateRule(ctx context.Context, in rules.Input, byID int64, byName string) (rules.Rule, error) {
	now := ms(s.now())
	var id int64
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.lock(tx, "rules"); err != nil { // positions are read and written
			return err
		}
		cols := ruleColumns(in)
		cols["created_by"], cols["created_by_name"], cols["created_at"], cols["updated_at"] = nullable(byID), byName, now, now
		cols["position"] = gorm.Expr("(SELECT COALESCE(MAX(position), 0) + 1 FROM rules)")
		if err := tx.Model(&ruleRow{}).Create(cols).Error; err != nil {
			return err
		}
		return tx.Raw(s.lastInsertID()).Scan(&id).Error
	})
	if err != nil {
		return rules.Rule{}, fmt.Errorf("store: create rule %q: %w", in.Name, err)
	}
	return s.takeRule(s.w.WithContext(ctx), id)
}

// UpdateRule saves new fields, already validated, for rule id, keeping its
// place in the order. ErrNotFound when there is none.
func (s *Store) UpdateRule(ctx context.Context, id int64, in rules.Input) (rules.Rule, error) {
	cols := ruleColumns(in)
	cols["updated_at"] = ms(s.now())
	res := s.w.WithContext(ctx).Model(&ruleRow{}).Where("id = ?", id).Updates(cols)
	switch {
	case res.Error != nil:
		return rules.Rule{}, fmt.Errorf("store: update rule %d: %w", id, res.Error)
	case res.RowsAffected == 0:
		return rules.Rule{}, ErrNotFound
	}
	return s.takeRule(s.w.WithContext(ctx), id)
}

// SetRuleEnabled turns rule id on or off.
func (s *Store) SetRuleEnabled(ctx context.Context, id int64, enabled bool) (rules.Rule, error) {
	res := s.w.WithContext(ctx).Model(&ruleRow{}).Where("id = ?", id).
		Updates(map[string]any{"enabled": enabled, "updated_at": ms(s.now())})
	switch {
	case res.Error != nil:
		return rules.Rule{}, fmt.Errorf("store: enable rule %d: %w", id, res.Error)
	case res.RowsAffected == 0:
		return rules.Rule{}, ErrNotFound
	}
	return s.takeRule(s.w.WithContext(ctx), id)
}

// MoveRule puts rule id at position (1 is first; beyond the end is last),
// shifting the rules between.
func (s *Store) MoveRule(ctx context.Context, id int64, position int) error {
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.lock(tx, "rules"); err != nil {
			return err
		}
		var ids []int64
		if err := tx.Model(&ruleRow{}).Order("position, id").Pluck("id", &ids).Error; err != nil {
			return err
		}
		from := -1
		for i, v := range ids {
			if v == id {
				from = i
			}
		}
		if from < 0 {
			return ErrNotFound
		}
		to := min(max(position, 1), len(ids)) - 1
		ids = append(ids[:from], ids[from+1:]...)
		ids = append(ids[:to], append([]int64{id}, ids[to:]...)...)
		return renumber(tx, ids, ms(s.now()), id)
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("store: move rule %d: %w", id, err)
	}
	return err
}

// renumber gives ids positions 1, 2, … in order (touching only what moved).
func renumber(tx *gorm.DB, ids []int64, now, moved int64) error {
	for i, v := range ids {
		res := tx.Exec(`UPDATE rules SET position = ? WHERE id = ? AND position <> ?`, i+1, v, i+1)
		if res.Error != nil {
			return res.Error
		}
	}
	return tx.Exec(`UPDATE rules SET updated_at = ? WHERE id = ?`, now, moved).Error
}

// DeleteRule removes rule id; the rules after it move up. Comments and
// replies keep the id of the rule that acted on them.
func (s *Store) DeleteRule(ctx context.Context, id int64) error {
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.lock(tx, "rules"); err != nil {
			return err
		}
		var pos int
		if err := tx.Raw(`DELETE FROM rules WHERE id = ? RETURNING position`, id).Scan(&pos).Error; err != nil {
			return err
		}
		if pos == 0 {
			return ErrNotFound
		}
		return tx.Exec(`UPDATE rules SET position = position - 1 WHERE position > ?`, pos).Error
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("store: delete rule %d: %w", id, err)
	}
	return err
}

// RuleStats counts, per rule, the comments it applied to that arrived since
// t and the automatic replies it got delivered since t.
func (s *Store) RuleStats(ctx context.Context, since time.Time) (map[int64]rules.Stats, error) {
	var rows []struct {
		RuleID  int64
		Matched int
		Sent    int
	}
	err := s.r.WithContext(ctx).Raw(`SELECT rule_id, CAST(SUM(matched) AS BIGINT) AS matched, CAST(SUM(sent) AS BIGINT) AS sent FROM (
			SELECT rule_id, COUNT(*) AS matched, 0 AS sent FROM comments
				WHERE rule_id IS NOT NULL AND received_at >= ? GROUP BY rule_id
			UNION ALL
			SELECT rule_id, 0, COUNT(*) FROM replies
				WHERE rule_id IS NOT NULL AND sent_at >= ? AND state IN ('sent', 'unconfirmed') GROUP BY rule_id
		) AS t GROUP BY rule_id`, ms(since), ms(since)).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: rule stats: %w", err)
	}
	out := make(map[int64]rules.Stats, len(rows))
	for _, r := range rows {
		out[r.RuleID] = rules.Stats{Matched: r.Matched, Sent: r.Sent}
	}
	return out, nil
}
