package rules

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/templates"
)

// Limits on what a rule holds.
const (
	MaxNameChars    = 80
	MaxKeywords     = 50  // per list (keywords, excluded keywords)
	MaxKeywordChars = 100 // one keyword or phrase
	MaxMedia        = 100
	MaxRules        = 500
)

// Validate normalizes an input (trimmed name and keywords, duplicates and
// empty entries dropped, lists in a stable order) and checks it. Every
// problem becomes an apperr.Field error naming the field ("name",
// "keywords", "exclude_keywords", "surfaces", "media_ids", "action",
// "template_id", "assignee_id", "match"); several are joined, and
// templates.FieldErrors lists them. Whether the template, assignee and
// accounts exist is for the caller, which can look them up.
func Validate(in Input) (Input, error) {
	var errs []error
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Name == "":
		errs = append(errs, apperr.Field("name", "name_required", "Give the rule a name."))
	case utf8.RuneCountInString(in.Name) > MaxNameChars:
		errs = append(errs, apperr.Field("name", "name_too_long", "Keep the name to "+strconv.Itoa(MaxNameChars)+" characters or fewer."))
	case strings.IndexFunc(in.Name, unicode.IsControl) >= 0:
		errs = append(errs, apperr.Field("name", "name_invalid", "Write the name on one line, without tabs or control characters."))
	}
	var err error
	if in.Keywords, err = cleanKeywords("keywords", in.Keywords); err != nil {
		errs = append(errs, err)
	}
	if in.ExcludeKeywords, err = cleanKeywords("exclude_keywords", in.ExcludeKeywords); err != nil {
		errs = append(errs, err)
	}
	if in.Match == "" {
		in.Match = MatchAny
	}
	if in.Match != MatchAny && in.Match != MatchAll {
		errs = append(errs, apperr.Field("match", "bad_match", "Match must be “any” (one keyword is enough) or “all” (every keyword)."))
	}
	in.Accounts = cleanList(in.Accounts)
	in.MediaIDs = cleanList(in.MediaIDs)
	if len(in.MediaIDs) > MaxMedia {
		errs = append(errs, apperr.Field("media_ids", "too_many_media", "A rule can name at most "+strconv.Itoa(MaxMedia)+" posts."))
	}
	for _, id := range in.MediaIDs {
		if strings.IndexFunc(id, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
			errs = append(errs, apperr.Field("media_ids", "bad_media_id", "“"+id+"” is not a post id: Instagram media ids are digits, like 17890000000000201."))
			break
		}
	}
	seen := map[inbox.Surface]bool{}
	var surfaces []inbox.Surface
	for _, s := range in.Surfaces {
		s = inbox.Surface(strings.ToLower(strings.TrimSpace(string(s))))
		if !s.Valid() {
			errs = append(errs, apperr.Field("surfaces", "bad_surface", "“"+string(s)+"” is not a surface: use post, reel, story, ad or live."))
			continue
		}
		if !seen[s] {
			seen[s] = true
			surfaces = append(surfaces, s)
		}
	}
	slices.SortFunc(surfaces, func(a, b inbox.Surface) int { return slices.Index(inbox.Surfaces, a) - slices.Index(inbox.Surfaces, b) })
	in.Surfaces = surfaces
	errs = append(errs, checkAction(&in)...)
	return in, errors.Join(errs...)
}

// checkAction checks the action and what it needs, and clears what it does
// not use.
func checkAction(in *Input) []error {
	var errs []error
	if !in.Action.Valid() {
		return []error{apperr.Field("action", "bad_action", "Pick what the rule does: suggest, send, assign or dismiss.")}
	}
	if in.Action.UsesTemplate() {
		if in.TemplateID <= 0 {
			errs = append(errs, apperr.Field("template_id", "template_required", "Pick the template to "+string(in.Action)+"."))
		}
	} else {
		in.TemplateID = 0
	}
	if in.Action == Assign {
		if in.AssigneeID <= 0 {
			errs = append(errs, apperr.Field("assignee_id", "assignee_required", "Pick the teammate to assign to."))
		}
	} else {
		in.AssigneeID = 0
	}
	if in.Action != Send {
		in.OncePerUser = false
	}
	// A rule that answers or dismisses on its own must be aimed: it cannot
	// act on every comment by accident.
	if (in.Action == Send || in.Action == Dismiss) && len(in.Keywords) == 0 && len(in.MediaIDs) == 0 {
		errs = append(errs, apperr.Field("keywords", "rule_too_broad",
			"A rule that "+map[Action]string{Send: "sends replies", Dismiss: "dismisses comments"}[in.Action]+
				" on its own needs keywords or specific posts, so that it cannot act on every comment by accident."))
	}
	return errs
}

// cleanKeywords trims, drops empty and duplicate entries (duplicates by the
// words they match), and refuses one that has nothing to match.
func cleanKeywords(field string, list []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, k := range list {
		k = strings.Join(strings.Fields(k), " ")
		if k == "" {
			continue
		}
		if utf8.RuneCountInString(k) > MaxKeywordChars {
			return nil, apperr.Field(field, "keyword_too_long", "Keep each keyword or phrase to "+strconv.Itoa(MaxKeywordChars)+" characters or fewer.")
		}
		words := Words(k)
		if len(words) == 0 {
			return nil, apperr.Field(field, "keyword_empty", "“"+k+"” has no letters, digits or emoji to look for.")
		}
		key := strings.Join(words, " ")
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, k)
	}
	if len(out) > MaxKeywords {
		return nil, apperr.Field(field, "too_many_keywords", "A rule can have at most "+strconv.Itoa(MaxKeywords)+" keywords here.")
	}
	return out, nil
}

func cleanList(list []string) []string {
	var out []string
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// SplitKeywords reads keywords typed in one field, separated by commas or
// line breaks: "price, how much" is two.
func SplitKeywords(s string) []string {
	var out []string
	for _, k := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' || r == '，' || r == '、' }) {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// CheckTemplate refuses a template a rule cannot use: for send, one whose
// rendering could exceed Instagram's limit with the longest username,
// comment or account name (a person is not there to shorten it).
func CheckTemplate(a Action, t templates.Template) error {
	if a != Send {
		return nil
	}
	p, err := templates.Parse(t.Body)
	if err != nil {
		msg := "its text no longer reads as a template"
		if se, ok := err.(*templates.SyntaxError); ok {
			msg = se.Message()
		}
		return apperr.Field("template_id", "broken_template", "“"+t.Name+"” cannot be used: "+msg)
	}
	if n := p.MaxRenderedBytes(templates.InstagramLimits()); n > reply.MaxBytes {
		return apperr.Field("template_id", "template_may_exceed", "“"+t.Name+"” could reach "+reply.Thousands(n)+
			" bytes with a long comment or username, over Instagram's limit of "+reply.Thousands(reply.MaxBytes)+
			". A rule that sends on its own needs a template that always fits: remove {{comment_text}} or shorten the text.")
	}
	return nil
}
