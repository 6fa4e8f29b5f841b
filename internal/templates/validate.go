package templates

import (
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/replydesk/replydesk/internal/apperr"
)

// Field limits, in characters.
const (
	MaxNameChars     = 80
	MaxFolderChars   = 40
	MaxShortcutChars = 32
)

// Validate normalizes an input (trimmed name and folder, "/Price" →
// "price", line breaks as "\n") and checks it. Every problem found becomes
// an apperr.Field error naming the form field ("name", "body", "shortcut",
// "folder"); several are joined, and FieldErrors lists them. A body error
// says where it is, e.g. "Unknown variable {{price}} at line 2, column 5.
// Use {{username}}, {{comment_text}} or {{account}}."
func Validate(in Input) (Input, error) {
	in = Input{
		Name:     strings.TrimSpace(in.Name),
		Body:     NormalizeBody(in.Body),
		Shortcut: NormalizeShortcut(in.Shortcut),
		Folder:   strings.TrimSpace(in.Folder),
		Public:   in.Public,
		Position: in.Position,
	}
	var errs []error
	switch {
	case in.Name == "":
		errs = append(errs, apperr.Field("name", "name_required", "Give the template a name."))
	case utf8.RuneCountInString(in.Name) > MaxNameChars:
		errs = append(errs, apperr.Field("name", "name_too_long", "Keep the name to "+strconv.Itoa(MaxNameChars)+" characters or fewer."))
	case hasControl(in.Name):
		errs = append(errs, apperr.Field("name", "name_invalid", "Write the name on one line, without tabs or control characters."))
	}
	if in.Shortcut != "" && !validShortcut(in.Shortcut) {
		errs = append(errs, apperr.Field("shortcut", "shortcut_invalid",
			"A shortcut is 1 to "+strconv.Itoa(MaxShortcutChars)+" lowercase letters, digits, “-” or “_”, like /price."))
	}
	switch {
	case utf8.RuneCountInString(in.Folder) > MaxFolderChars:
		errs = append(errs, apperr.Field("folder", "folder_too_long", "Keep the folder to "+strconv.Itoa(MaxFolderChars)+" characters or fewer."))
	case hasControl(in.Folder):
		errs = append(errs, apperr.Field("folder", "folder_invalid", "Write the folder on one line, without tabs or control characters."))
	}
	if in.Position < 0 {
		errs = append(errs, apperr.Field("position", "position_invalid", "The place in the reply box is a whole number: 1 for the first template, 2 for the second, and so on."))
	}
	if strings.TrimSpace(in.Body) == "" {
		errs = append(errs, apperr.Field("body", "body_required", "Write the reply text."))
	} else {
		for _, se := range BodyErrors(in.Body) {
			errs = append(errs, bodyError(se))
		}
	}
	return in, errors.Join(errs...)
}

// NormalizeBody is the body as stored: line breaks as "\n" (browsers send
// "\r\n", which would cost a byte each) and no trailing white space.
// Leading text is kept, so error positions match what the person typed.
func NormalizeBody(body string) string {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	body = strings.ReplaceAll(body, "\r", "\n")
	return strings.TrimRightFunc(body, unicode.IsSpace)
}

func bodyError(err error) error {
	var se *SyntaxError
	if errors.As(err, &se) {
		return &apperr.Error{Kind: apperr.Unprocessable, Code: se.Code, Message: se.Message(), Field: "body", Err: err}
	}
	return apperr.Field("body", "body_invalid", "The reply text could not be read.")
}

func validShortcut(s string) bool {
	if len(s) > MaxShortcutChars {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return s != ""
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

// FieldError is one problem with one field of a form.
type FieldError struct {
	Field   string // the form field: "name", "body", …
	Message string
}

// AllFieldErrors lists every field error in err (as Validate or the store
// return them), in the order found, for an error summary that names them
// all. Errors not tied to a field are left out.
func AllFieldErrors(err error) []FieldError {
	var out []FieldError
	for _, e := range apperr.Fields(err) {
		out = append(out, FieldError{Field: e.Field, Message: e.Message})
	}
	return out
}

// FieldErrors collects the field errors in err (as Validate or the store
// return them) into field → message, first message per field. Errors not
// tied to a field are left out.
func FieldErrors(err error) map[string]string {
	out := map[string]string{}
	for _, fe := range AllFieldErrors(err) {
		if _, seen := out[fe.Field]; !seen {
			out[fe.Field] = fe.Message
		}
	}
	return out
}
