package automation

import (
	"context"
	"fmt"

	"github.com/replydesk/replydesk/internal/rules"
	"github.com/replydesk/replydesk/internal/templates"
)

// DemoStore stores the demo rules (store.Store).
type DemoStore interface {
	ListTemplates(ctx context.Context, q templates.Query) ([]templates.Template, error)
	CreateRule(ctx context.Context, in rules.Input, byID int64, byName string) (rules.Rule, error)
}

// demoRules suggest the demo templates for the questions the simulated
// followers ask, in their languages.
var demoRules = []struct {
	name, template string
	keywords       []string
}{
	{"Price questions", "Price list", []string{"price", "how much", "cuánto", "combien", "quanto", "wie viel", "hoeveel",
		"fiyatı", "сколько", "いくら", "كم السعر"}},
	{"Shipping questions", "Shipping", []string{"ship", "shipping", "envío", "versand", "livrez", "entregam", "verzending",
		"доставка", "gönderiyor"}},
}

// SeedDemo stores the demo rules, suggestions only, made by Replydesk. Call
// it once, when the demo templates were just stored.
func SeedDemo(ctx context.Context, st DemoStore) error {
	list, err := st.ListTemplates(ctx, templates.Query{})
	if err != nil {
		return err
	}
	byName := map[string]int64{}
	for _, t := range list {
		byName[t.Name] = t.ID
	}
	for _, d := range demoRules {
		in, err := rules.Validate(rules.Input{Name: d.name, Enabled: true, Keywords: d.keywords, Action: rules.Suggest, TemplateID: byName[d.template]})
		if err != nil {
			return fmt.Errorf("automation: demo rule %q: %w", d.name, err)
		}
		if _, err := st.CreateRule(ctx, in, 0, "Replydesk"); err != nil {
			return err
		}
	}
	return nil
}
