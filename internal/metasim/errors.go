package metasim

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
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
	errNotEligible           errName = "not_eligible"
	errTextTooLong           errName = "text_too_long"
	errOutsideWindow         errName = "outside_window"
	errRateLimited           errName = "rate_limited"
	errUnknown               errName = "unknown"
	errTemporary             errName = "temporary"
	errUnknownPermission     errName = "unknown_permission"
	errPageNotLinked         errName = "page_not_linked"
	errBusinessBlocked       errName = "business_blocked"
	errPageRestricted        errName = "page_restricted"
	errPolicyBlock           errName = "policy_block"
	errMessagesDisabled      errName = "messages_disabled"
	errSecurityCheck         errName = "security_check"
	errUnavailable           errName = "person_unavailable"
	errUnavailablePerm       errName = "person_unavailable_200"
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
	errTextTooLong:           {400, 100, 0, oauthException, "(#100) Length of param message[text] must be less than or equal to 1000", false},
	errUnsupportedGrantType:  {400, 100, 0, oauthException, "Unsupported grant_type: %s", false},
	errExchangeTokenRequired: {400, 100, 0, oauthException, "(#100) Missing or invalid fb_exchange_token", false},
	// The Send API's own refusals (meta-platform.md §4 and §10, which wins).
	errNotEligible:       {400, 100, 2534025, oauthException, "(#100) The comment is invalid for a private reply.", false},    // already answered, own comment: §10
	errOutsideWindow:     {403, 10, 2534022, oauthException, "(#10) This message is sent outside of allowed window.", false},  // §10: HTTP 403
	errRateLimited:       {400, 613, 2534040, oauthException, "(#613) Calls to this api have exceeded the rate limit.", true}, // §10
	errUnknown:           {500, 1, 0, oauthException, "An unknown error has occurred.", true},                                 // §4.2: graph_5xx
	errTemporary:         {500, 2, 0, oauthException, "An unexpected error has occurred. Please retry your request later.", true},
	errUnknownPermission: {403, 199, 0, oauthException, "An unknown error occurred.", false}, // §10: missing permission or Advanced Access
	errPageNotLinked:     {400, 100, 2534013, oauthException, "(#100) The Page is not linked to an Instagram account.", false},
	errBusinessBlocked:   {400, 100, 2534029, oauthException, "(#100) The business has been blocked from sending messages.", false},
	errPageRestricted:    {400, 10, 1893063, oauthException, "(#10) This Page is temporarily restricted from sending messages.", false},
	errPolicyBlock:       {400, 368, 0, oauthException, "(#368) The action attempted has been deemed abusive or is otherwise disallowed", false},
	errMessagesDisabled:  {400, 200, 2534041, oauthException, "(#200) The owner of this account has turned off access to messages.", false},
	errSecurityCheck:     {400, 10, 2534077, oauthException, "(#10) The account must pass a security check before it can send messages.", false},
	errUnavailable:       {400, 551, 1545041, oauthException, "(#551) This person isn't available right now.", false},
	errUnavailablePerm:   {400, 200, 1545041, oauthException, "(#200) This person isn't available right now.", false},
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
	if len(args) > 0 {
		spec.message = fmt.Sprintf(spec.message, args...)
	}
	return spec.status, spec.body()
}

// body answers Meta's error JSON for a row whose message is final.
func (spec errSpec) body() graphErrorBody {
	return graphErrorBody{Error: graphError{
		Message:      spec.message,
		Type:         spec.typ,
		Code:         spec.code,
		ErrorSubcode: spec.subcode,
		IsTransient:  spec.transient,
		FBTraceID:    fbtraceID(),
	}}
}

// sendErrorRows are the rows a send_error fault borrows its status, message
// and is_transient from when it names their code (and subcode) without them.
var sendErrorRows = []errName{
	errNotEligible, errOutsideWindow, errRateLimited, errUnknown, errTemporary, errUnknownPermission,
	errPageNotLinked, errBusinessBlocked, errPageRestricted, errPolicyBlock, errMessagesDisabled,
	errSecurityCheck, errUnavailable, errUnavailablePerm, errWrongNode, errCommentInvalid,
	errNoPermission, errPermission, errTokenRevoked, errTokenInvalid,
}

// sendErrorSpec answers the error a send_error fault injects: the first row
// with the same code and subcode (else the same code and no subcode, else
// the same code) fills in what the fault leaves out.
func sendErrorSpec(code, subcode, status int, message string) errSpec {
	spec := errSpec{status: http.StatusBadRequest, code: code, subcode: subcode, typ: oauthException,
		message: fmt.Sprintf("(#%d) An error occurred.", code)}
	var found bool
	for _, want := range []func(errSpec) bool{
		func(r errSpec) bool { return r.subcode == subcode },
		func(r errSpec) bool { return r.subcode == 0 },
		func(errSpec) bool { return true },
	} {
		for _, n := range sendErrorRows {
			row := errorTable[n]
			if found || row.code != code || !want(row) {
				continue
			}
			found = true
			spec.status, spec.typ, spec.transient = row.status, row.typ, row.transient
			if !strings.Contains(row.message, "%") {
				spec.message = row.message
			}
		}
	}
	if status != 0 {
		spec.status = status
	}
	if message != "" {
		spec.message = message
	}
	if !found {
		spec.transient = spec.status >= 500
	}
	return spec
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
