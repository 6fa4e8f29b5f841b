package views

// SettingsTabVM is one tab of the settings pages.
type SettingsTabVM struct {
	Key    string // "tokens", "webhooks"
	Label  string
	URL    string
	Active bool
}

// TokensVM is the API tokens settings page.
type TokensVM struct {
	Layout   LayoutVM
	Tabs     []SettingsTabVM
	Tokens   []TokenRowVM
	NewToken *NewTokenVM // the token just created, shown this once
	Name     string      // the form's value after a refusal
	Error    string
	APIBase  string // e.g. https://replydesk.example.com/api/v1
}

// TokenRowVM is one personal API token.
type TokenRowVM struct {
	ID        string
	Name      string
	Hint      string // "…a1B2"
	Created   string
	LastUsed  string
	DeleteURL string
}

// NewTokenVM is a token just created.
type NewTokenVM struct {
	Name  string
	Value string
}

// WebhooksVM is the outbound webhooks settings page (admins).
type WebhooksVM struct {
	Layout     LayoutVM
	Tabs       []SettingsTabVM
	Hooks      []WebhookVM
	Events     []EventOptionVM // the form's checkboxes
	URL        string          // the form's value after a refusal
	Error      string
	ErrorField string
	Created    *NewWebhookVM // the webhook just added, with its secret shown this once
}

// EventOptionVM is one event a webhook can hear.
type EventOptionVM struct {
	Name    string // "comment.created"
	Label   string // what it means
	Checked bool
}

// WebhookVM is one outbound webhook and its latest deliveries.
type WebhookVM struct {
	ID         string
	URL        string
	Events     []string
	Slack      bool
	CreatedBy  string
	Created    string
	DeleteURL  string
	Deliveries []DeliveryVM
}

// DeliveryVM is one event sent (or being sent) to a webhook.
type DeliveryVM struct {
	Event      string
	State      string // pending, delivered, failed
	StateLabel string // "Delivered", "Retrying", "Gave up"
	Attempts   string // "3 attempts"
	When       string // "2 min ago"
	WhenISO    string
	Status     string // "HTTP 200", "no answer"
	Answer     string // the start of the receiver's answer
	Next       string // "next try in 30 s", for pending ones
}

// NewWebhookVM is a webhook just added.
type NewWebhookVM struct {
	URL    string
	Secret string
}

func deliveryBadge(state string) string {
	switch state {
	case "delivered":
		return "badge badge-ok"
	case "failed":
		return "badge badge-danger"
	}
	return "badge badge-warn"
}

func tabClass(active bool) string {
	if active {
		return "tab active"
	}
	return "tab"
}

// invalidField is a form field's class, marked when its value was refused.
func invalidField(invalid bool) string {
	if invalid {
		return "field field-invalid"
	}
	return "field"
}
