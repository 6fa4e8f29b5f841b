package metasim

import (
	"fmt"
	"math/rand/v2"
	"net/http"
)

// errName names one row of the error table.
type errName string

// The rows of errorTable. Every error the simulated Graph API answers comes
// from this table, so a corrected code is a one-line change below.
const (
	errTokenMissing          errName = "token_missing"
	errTokenInvalid          errName = "token_invalid"
	errTokenExpired          errName = "token_expired"
	errTokenRevoked          errName = "token_revoked"
	errBadProof              errName = "bad_appsecret_proof"
	errClientID              errName = "bad_client_id"
	errClientSecret          errName = "bad_client_secret"
	errCodeInvalid           errName = "code_invalid"
	errCodeRedirect          errName = "code_redirect_mismatch"
	errCodeUsed              errName = "code_used"
	errCodeExpired           errName = "code_expired"
	errUnknownPath           errName = "unknown_path"
	errSyntax                errName = "fields_syntax"
	errNoSuchField           errName = "nonexisting_field"
	errObjectNotFound        errName = "object_not_found"
	errParamRequired         errName = "param_required"
	errParamInvalid          errName = "param_invalid"
	errWrongNode             errName = "wrong_node"
	errPageTokenRequired     errName = "page_token_required"
	errPermission            errName = "permission"
	errNoPermission          errName = "missing_permission"
	errNoMessaging           errName = "no_messaging_task"
	errCommentInvalid        errName = "comment_invalid"
	errOwnComment            errName = "own_comment"
	errTextTooLong           errName = "text_too_long"
	errOutsideWindow         errName = "outside_window"
	errAlreadyReplied        errName = "already_replied"
	errRateLimited           errName = "rate_limited"
	errTemporary             errName = "temporary"
	errUnsupportedGrantType  errName = "unsupported_grant_type"
	errExchangeTokenRequired errName = "exchange_token_invalid"
)

// errSpec is one row: what Meta answers for that failure. message is a fmt
// format; its arguments come from the call site.
type errSpec struct {
	status    int
	code      int
	subcode   int
	typ       string
	message   string
	transient bool
}

const (
	oauthException  = "OAuthException"
	graphMethodExc  = "GraphMethodException"
	unsupportedText = "Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
)

// errorTable is the one table of simulated Graph errors (meta-platform.md §4).
var errorTable = map[errName]errSpec{
	errTokenMissing:          {400, 104, 0, oauthException, "An access token is required to request this resource.", false},
	errTokenInvalid:          {400, 190, 0, oauthException, "Invalid OAuth access token - Cannot parse access token", false},
	errTokenExpired:          {400, 190, 463, oauthException, "Error validating access token: Session has expired on %s. The current time is %s.", false},
	errTokenRevoked:          {400, 190, 460, oauthException, "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.", false},
	errBadProof:              {400, 100, 0, graphMethodExc, "Invalid appsecret_proof provided in the API argument", false},
	errClientID:              {400, 101, 0, oauthException, "Error validating application. Invalid application ID.", false},
	errClientSecret:          {400, 1, 0, oauthException, "Error validating client secret.", false},
	errCodeInvalid:           {400, 100, 36008, oauthException, "Invalid verification code format.", false},
	errCodeRedirect:          {400, 100, 36008, oauthException, "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request", false},
	errCodeUsed:              {400, 100, 36009, oauthException, "This authorization code has been used.", false},
	errCodeExpired:           {400, 100, 36007, oauthException, "This authorization code has expired.", false},
	errUnknownPath:           {400, 2500, 0, oauthException, "Unknown path components: %s", false},
	errSyntax:                {400, 2500, 0, oauthException, "Syntax error \"%s\" at character %d: %s", false},
	errNoSuchField:           {400, 100, 0, oauthException, "(#100) Tried accessing nonexisting field (%s) on node type (%s)", false},
	errObjectNotFound:        {400, 100, 33, graphMethodExc, unsupportedText, false},
	errParamRequired:         {400, 100, 0, oauthException, "(#100) The parameter %s is required", false},
	errParamInvalid:          {400, 100, 0, oauthException, "(#100) %s", false},
	errWrongNode:             {400, 3, 0, oauthException, "(#3) Application does not have the capability to make this API call.", false},
	errPageTokenRequired:     {400, 210, 0, oauthException, "(#210) A page access token is required to request this resource.", false},
	errPermission:            {403, 200, 0, oauthException, "(#200) %s", false},
	errNoPermission:          {400, 10, 0, oauthException, "(#10) Application does not have permission for this action", false},
	errNoMessaging:           {403, 230, 0, oauthException, "(#230) Requires pages_messaging permission to manage the object", false},
	errCommentInvalid:        {400, 100, 2018292, oauthException, "(#100) Invalid comment_id parameter", false},
	errOwnComment:            {400, 100, 2534013, oauthException, "(#100) The comment's author cannot receive a private reply from this account.", false},
	errTextTooLong:           {400, 100, 0, oauthException, "(#100) Length of param message[text] must be less than or equal to 1000", false},
	errOutsideWindow:         {400, 10, 2534022, oauthException, "(#10) This message is sent outside of allowed window.", false},
	errAlreadyReplied:        {400, 100, 2534025, oauthException, "(#100) The comment is invalid for a private reply: a private reply has already been sent to it.", false},
	errRateLimited:           {400, 613, 0, oauthException, "(#613) Calls to this api have exceeded the rate limit.", true},
	errTemporary:             {500, 2, 0, oauthException, "An unexpected error has occurred. Please retry your request later.", true},
	errUnsupportedGrantType:  {400, 100, 0, oauthException, "Unsupported grant_type: %s", false},
	errExchangeTokenRequired: {400, 100, 0, oauthException, "(#100) Missing or invalid fb_exchange_token", false},
}

// graphErrorBody is Meta's error JSON.
type graphErrorBody struct {
	Error graphError `json:"error"`
}

type graphError struct {
	Message      string `json:"message"`
	Type         string `json:"type"`
	Code         int    `json:"code"`
	ErrorSubcode int    `json:"error_subcode,omitempty"`
	IsTransient  bool   `json:"is_transient"`
	FBTraceID    string `json:"fbtrace_id"`
}

// newGraphError builds the error body for a table row.
func newGraphError(name errName, args ...any) (int, graphErrorBody) {
	spec, ok := errorTable[name]
	if !ok {
		spec = errorTable[errTemporary]
	}
	msg := spec.message
	if len(args) > 0 {
		msg = fmt.Sprintf(spec.message, args...)
	}
	return spec.status, graphErrorBody{Error: graphError{
		Message:      msg,
		Type:         spec.typ,
		Code:         spec.code,
		ErrorSubcode: spec.subcode,
		IsTransient:  spec.transient,
		FBTraceID:    fbtraceID(),
	}}
}

// writeGraphError answers a Graph request with the table row name.
func writeGraphError(w http.ResponseWriter, name errName, args ...any) {
	status, body := newGraphError(name, args...)
	if body.Error.Code == 190 || body.Error.Code == 104 {
		w.Header().Set("WWW-Authenticate", `OAuth "Facebook Platform" "invalid_token" "`+body.Error.Message+`"`)
	}
	writeMetaJSON(w, status, body)
}

// fbtraceID answers a random support id like Meta's "AbCdEf123xy".
func fbtraceID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 11)
	for i := range b {
		b[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return string(b)
}
