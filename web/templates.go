package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/templates"
	"github.com/replydesk/replydesk/views"
)

// templatesPage is GET /templates: the list, searched, filtered and sorted.
func (s *Server) templatesPage(c echo.Context) error {
	q := templates.Query{Search: strings.TrimSpace(c.QueryParam("q")), Sort: templates.ParseSort(c.QueryParam("sort")),
		Folder: strings.TrimSpace(c.QueryParam("folder"))}
	ctx := c.Request().Context()
	list, err := s.deps.Library.ListTemplates(ctx, q)
	if err != nil {
		return err
	}
	all, err := s.deps.Library.ListTemplates(ctx, templates.Query{Sort: templates.SortPosition})
	if err != nil {
		return err
	}
	folders, err := s.deps.Library.TemplateFolders(ctx)
	if err != nil {
		return err
	}
	layout := s.layout(c, "Templates")
	layout.Nav = "templates"
	vm := views.TemplatesVM{Layout: layout, Query: q.Search, Sort: string(q.Sort), Folder: q.Folder, Folders: folders,
		Total: len(all), CanEdit: userOf(c).IsAdmin()}
	now := s.now()
	keys := templates.Keys(all)
	for _, t := range list {
		row := views.TemplateRowVM{ID: strconv.FormatInt(t.ID, 10), Key: keys[t.ID], Name: t.Name, Excerpt: excerpt(t.Body, 90),
			Folder: t.Folder, Public: t.Public, Uses: strconv.FormatInt(t.UseCount, 10), LastUsed: ago(t.LastUsedAt, now),
			UpdatedBy: t.UpdatedByName, URL: "/templates/" + strconv.FormatInt(t.ID, 10),
			DeleteURL: "/templates/" + strconv.FormatInt(t.ID, 10) + "/delete"}
		if t.Shortcut != "" {
			row.Shortcut = "/" + t.Shortcut
		}
		if !t.LastUsedAt.IsZero() {
			row.LastUsedISO = isoMS(t.LastUsedAt)
		}
		vm.Rows = append(vm.Rows, row)
	}
	return render(c, http.StatusOK, views.TemplatesPage(vm))
}

// newTemplatePage is GET /templates/new (admins).
func (s *Server) newTemplatePage(c echo.Context) error {
	vm, err := s.editVM(c, templates.Template{}, true)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.TemplateEditPage(vm))
}

// templatePage is GET /templates/:id: the editor (read-only for agents).
func (s *Server) templatePage(c echo.Context) error {
	t, err := s.templateParam(c)
	if err != nil {
		return err
	}
	vm, err := s.editVM(c, t, false)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.TemplateEditPage(vm))
}

// createTemplate is POST /templates (admins).
func (s *Server) createTemplate(c echo.Context) error {
	in := templateInput(c)
	u := userOf(c)
	if _, err := s.deps.Library.CreateTemplate(c.Request().Context(), in, u.ID, u.Name); err != nil {
		return s.templateFormError(c, templates.Template{Name: in.Name, Body: in.Body, Shortcut: in.Shortcut, Folder: in.Folder, Public: in.Public, Position: in.Position}, true, err)
	}
	s.setFlash(c, "template_created")
	return redirect(c, "/templates")
}

// updateTemplate is POST /templates/:id (admins).
func (s *Server) updateTemplate(c echo.Context) error {
	t, err := s.templateParam(c)
	if err != nil {
		return err
	}
	in := templateInput(c)
	u := userOf(c)
	if _, err := s.deps.Library.UpdateTemplate(c.Request().Context(), t.ID, in, u.ID, u.Name); err != nil {
		t.Name, t.Body, t.Shortcut, t.Folder, t.Public, t.Position = in.Name, in.Body, in.Shortcut, in.Folder, in.Public, in.Position
		return s.templateFormError(c, t, false, err)
	}
	s.setFlash(c, "template_saved")
	return redirect(c, "/templates")
}

// deleteTemplate is POST /templates/:id/delete (admins).
func (s *Server) deleteTemplate(c echo.Context) error {
	t, err := s.templateParam(c)
	if err != nil {
		return err
	}
	if err := s.deps.Library.DeleteTemplate(c.Request().Context(), t.ID); err != nil {
		return err
	}
	s.setFlash(c, "template_deleted")
	return redirect(c, "/templates")
}

// previewTemplate is POST /templates/preview: the body rendered for a
// sample comment, with its size and any error (htmx fragment).
func (s *Server) previewTemplate(c echo.Context) error {
	return render(c, http.StatusOK, views.TemplatePreview(s.previewVM(c, c.FormValue("body"))))
}

func (s *Server) templateParam(c echo.Context) (templates.Template, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return templates.Template{}, echo.ErrNotFound
	}
	return s.deps.Library.Template(c.Request().Context(), id)
}

func templateInput(c echo.Context) templates.Input {
	in := templates.Input{Name: c.FormValue("name"), Body: c.FormValue("body"), Shortcut: c.FormValue("shortcut"),
		Folder: c.FormValue("folder"), Public: c.FormValue("public") == "1"}
	if p := strings.TrimSpace(c.FormValue("position")); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			n = -1 // refused by Validate, in words
		}
		in.Position = n
	}
	return in
}

// fieldLabels name a template form's fields in its error summary.
var fieldLabels = map[string]string{"name": "Name", "shortcut": "Shortcut", "folder": "Folder", "position": "Place in the reply box", "body": "Reply text"}

// templateFormError re-renders the editor with the fields' errors (422),
// or passes on an error that is not about the form.
func (s *Server) templateFormError(c echo.Context, t templates.Template, isNew bool, err error) error {
	fields := templates.FieldErrors(err)
	if len(fields) == 0 {
		return err
	}
	vm, verr := s.editVM(c, t, isNew)
	if verr != nil {
		return verr
	}
	vm.Errors = fields
	for _, fe := range templates.AllFieldErrors(err) {
		vm.ErrorList = append(vm.ErrorList, views.FormErrorVM{Field: fe.Field, Label: fieldLabels[fe.Field], Message: fe.Message})
	}
	if t.Position < 0 {
		vm.Form.Position = "" // what was typed was not a number
	}
	return render(c, http.StatusUnprocessableEntity, views.TemplateEditPage(vm))
}

func (s *Server) editVM(c echo.Context, t templates.Template, isNew bool) (views.TemplateEditVM, error) {
	folders, err := s.deps.Library.TemplateFolders(c.Request().Context())
	if err != nil {
		return views.TemplateEditVM{}, err
	}
	layout := s.layout(c, "Template")
	layout.Nav = "templates"
	id := strconv.FormatInt(t.ID, 10)
	all, err := s.deps.Library.ListTemplates(c.Request().Context(), templates.Query{})
	if err != nil {
		return views.TemplateEditVM{}, err
	}
	places := len(all)
	if isNew {
		places++
	}
	form := views.TemplateFormVM{Name: t.Name, Shortcut: strings.TrimPrefix(t.Shortcut, "/"), Folder: t.Folder, Body: t.Body, Public: t.Public, Places: places}
	if t.Position > 0 {
		form.Position = strconv.Itoa(t.Position)
	}
	vm := views.TemplateEditVM{Layout: layout, IsNew: isNew, ReadOnly: !userOf(c).IsAdmin(), Folders: folders,
		Form:      form,
		UpdatedBy: t.UpdatedByName, Preview: s.previewVM(c, t.Body)}
	for _, v := range templates.Known() {
		vm.Variables = append(vm.Variables, "{{"+string(v)+"}}")
	}
	if isNew {
		vm.Action = "/templates"
	} else {
		vm.Action, vm.DeleteURL = "/templates/"+id, "/templates/"+id+"/delete"
		vm.Uses = "Used " + strconv.FormatInt(t.UseCount, 10) + " times, last " + ago(t.LastUsedAt, s.now())
	}
	return vm, nil
}

func (s *Server) previewVM(c echo.Context, body string) views.TemplatePreviewVM {
	account := ""
	if accts, err := s.userAccounts(c); err == nil && len(accts) > 0 {
		account = accts[0].Username
	}
	sample := templates.SampleComment(account)
	p := templates.PreviewBody(body, sample)
	vm := views.TemplatePreviewVM{SampleUsername: sample.Username, SampleComment: sample.CommentText, SampleAccount: sample.Account,
		Text: p.Text, Bytes: p.Bytes, MaxBytes: reply.MaxBytes, WorstCase: p.WorstCase, MayExceed: p.MayExceed}
	if p.Err != nil {
		vm.Error, vm.ErrorLine, vm.ErrorCol = p.Err.Message(), p.Err.Line, p.Err.Col
		vm.ErrorBefore, vm.ErrorAt, vm.ErrorAfter = p.ErrBefore, p.ErrAt, p.ErrAfter
	}
	return vm
}

func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// apiTemplate is DESIGN §6's Template.
type apiTemplate struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Body       string     `json:"body"`
	Shortcut   string     `json:"shortcut"`
	Folder     string     `json:"folder"`
	Public     bool       `json:"public"`
	Position   int        `json:"position"`
	UseCount   int64      `json:"use_count"`
	LastUsedAt *time.Time `json:"last_used_at"`
	UpdatedBy  string     `json:"updated_by"`
}

func toAPITemplate(t templates.Template) apiTemplate {
	out := apiTemplate{ID: t.ID, Name: t.Name, Body: t.Body, Shortcut: t.Shortcut, Folder: t.Folder, Public: t.Public, Position: t.Position, UseCount: t.UseCount, UpdatedBy: t.UpdatedByName}
	if !t.LastUsedAt.IsZero() {
		lu := t.LastUsedAt.UTC()
		out.LastUsedAt = &lu
	}
	return out
}

type apiTemplateIn struct {
	Name     string `json:"name"`
	Body     string `json:"body"`
	Shortcut string `json:"shortcut"`
	Folder   string `json:"folder"`
	Public   bool   `json:"public"`
	Position int    `json:"position"` // 0 keeps the place (a new one goes last)
}

// apiListTemplates is GET /api/v1/templates (?q=, sort=, folder=,
// audience=private|public).
func (s *Server) apiListTemplates(c echo.Context) error {
	list, err := s.deps.Library.ListTemplates(c.Request().Context(), templates.Query{
		Search: c.QueryParam("q"), Sort: templates.ParseSort(c.QueryParam("sort")), Folder: c.QueryParam("folder"),
		Audience: templates.ParseAudience(c.QueryParam("audience"))})
	if err != nil {
		return err
	}
	out := make([]apiTemplate, len(list))
	for i, t := range list {
		out[i] = toAPITemplate(t)
	}
	return c.JSON(http.StatusOK, map[string]any{"data": out})
}

// apiGetTemplate is GET /api/v1/templates/:id.
func (s *Server) apiGetTemplate(c echo.Context) error {
	t, err := s.templateParam(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAPITemplate(t))
}

// apiCreateTemplate is POST /api/v1/templates (admins).
func (s *Server) apiCreateTemplate(c echo.Context) error {
	var in apiTemplateIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	u := userOf(c)
	t, err := s.deps.Library.CreateTemplate(c.Request().Context(), templates.Input(in), u.ID, u.Name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toAPITemplate(t))
}

// apiUpdateTemplate is PUT /api/v1/templates/:id (admins).
func (s *Server) apiUpdateTemplate(c echo.Context) error {
	t, err := s.templateParam(c)
	if err != nil {
		return err
	}
	var in apiTemplateIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	u := userOf(c)
	saved, err := s.deps.Library.UpdateTemplate(c.Request().Context(), t.ID, templates.Input(in), u.ID, u.Name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAPITemplate(saved))
}

// apiDeleteTemplate is DELETE /api/v1/templates/:id (admins).
func (s *Server) apiDeleteTemplate(c echo.Context) error {
	t, err := s.templateParam(c)
	if err != nil {
		return err
	}
	if err := s.deps.Library.DeleteTemplate(c.Request().Context(), t.ID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// firstFieldError picks one field error out of a joined validation error,
// for the JSON API's single error object.
func firstFieldError(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if _, ok := apperr.As(e); ok {
				return e
			}
		}
	}
	return err
}
