package auth

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/apperr"
	"github.com/replydesk/replydesk/internal/identity"
)

func TestLogin_fullFlowConnectsAccountsAndSubscribes(t *testing.T) {
	h := newHarness(t)
	res, err, dialog := h.login(0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(dialog, h.sim.URL+"/v25.0/dialog/oauth?") || !strings.Contains(dialog, "pages_messaging") {
		t.Errorf("dialog URL = %s", dialog)
	}
	if res.User.Name != "Ava Martin" || !res.User.IsAdmin() || res.Accounts != 2 || len(res.Declined) != 0 {
		t.Fatalf("result = %+v", res)
	}
	accts, _ := h.store.AccountsForUser(ctx, res.User.ID)
	if len(accts) != 2 {
		t.Fatalf("accounts = %+v", accts)
	}
	for _, a := range accts {
		if !a.Subscribed || a.TokenState != account.TokenOK || a.PictureURL == "" || a.PageName == "" {
			t.Errorf("account = %+v", a)
		}
		pageID, tok, err := h.svc.Tokens().PageToken(ctx, a.ID)
		if err != nil || pageID != a.PageID {
			t.Fatalf("page token: %s %v", pageID, err)
		}
		if ok, err := h.meta.AppSubscribed(ctx, tok, pageID); !ok || err != nil {
			t.Errorf("sim says subscribed=%v, %v", ok, err)
		}
	}
	// Ben logs in second: one account, not admin.
	res, err, _ = h.login(1, nil)
	if err != nil || res.Accounts != 1 || res.User.IsAdmin() {
		t.Errorf("ben = %+v, %v", res, err)
	}
	// Chloé has no Page: logged in, no account.
	res, err, _ = h.login(2, nil)
	if err != nil || res.Accounts != 0 {
		t.Errorf("chloé = %+v, %v", res, err)
	}
}

func TestLogin_forgedStateRefused(t *testing.T) {
	h := newHarness(t)
	_, err, _ := h.login(0, url.Values{"forge_state": {"evil"}})
	ae, ok := apperr.As(err)
	if !ok || ae.Code != "login_state" || ae.Kind != apperr.Forbidden {
		t.Fatalf("err = %v", err)
	}
	if users, _ := h.store.Users(ctx); len(users) != 0 {
		t.Errorf("a forged login recorded users: %v", users)
	}
}

func TestLogin_cancelled(t *testing.T) {
	h := newHarness(t)
	_, err, _ := h.login(0, url.Values{"sim_cancel": {"1"}})
	if ae, ok := apperr.As(err); !ok || ae.Code != "login_cancelled" {
		t.Fatalf("err = %v", err)
	}
}

func TestLogin_declinedPermissionThenRerequest(t *testing.T) {
	h := newHarness(t)
	res, err, _ := h.login(0, url.Values{"sim_decline": {"pages_manage_metadata"}})
	if err != nil || !slices.Equal(res.Declined, []string{"pages_manage_metadata"}) || res.Accounts != 2 {
		t.Fatalf("res = %+v, %v", res, err)
	}
	accts, _ := h.store.AccountsForUser(ctx, res.User.ID)
	if accts[0].Subscribed || accts[0].SubscriptionError == "" || !slices.Equal(accts[0].MissingPermissions, []string{"pages_manage_metadata"}) {
		t.Errorf("account = %+v", accts[0])
	}
	// Without rerequest the dialog keeps the refusal; with it, the grant.
	res, _, _ = h.login(0, nil)
	if len(res.Declined) != 1 {
		t.Errorf("plain login again: declined = %v", res.Declined)
	}
	res, _, dialog := h.login(0, url.Values{"app_query": {"rerequest=1"}})
	if !strings.Contains(dialog, "auth_type=rerequest") || len(res.Declined) != 0 {
		t.Errorf("rerequest: dialog %s declined %v", dialog, res.Declined)
	}
	if accts, _ := h.store.AccountsForUser(ctx, res.User.ID); !accts[0].Subscribed || len(accts[0].MissingPermissions) != 0 {
		t.Errorf("after rerequest = %+v", accts[0])
	}
	// Declining pages_show_list leaves no account at all.
	res, _, _ = h.login(1, url.Values{"sim_decline": {"pages_show_list"}})
	if res.Accounts != 0 || !BlocksAccess(res.Declined) {
		t.Errorf("ben without pages_show_list = %+v", res)
	}
}

func TestReconcile_revokedTokenAndDroppedSubscription(t *testing.T) {
	h := newHarness(t)
	res, err, _ := h.login(0, nil)
	if err != nil {
		t.Fatal(err)
	}
	acct := h.world.Pages[0].AccountID
	other := h.world.Pages[1].AccountID
	// Meta drops the app from the second Page.
	pageID, tok, _ := h.svc.Tokens().PageToken(ctx, other)
	req, _ := http.NewRequest(http.MethodDelete, h.sim.URL+"/v25.0/"+pageID+"/subscribed_apps?access_token="+tok, nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("unsubscribe: %v %v", resp, err)
	}
	h.control("POST", "/control/faults", `{"kind":"token_revoked","account":"`+acct+`"}`)
	h.svc.Reconcile(ctx)
	a, _ := h.store.Account(ctx, acct)
	if !a.NeedsReconnect() || !strings.Contains(a.TokenError, "Reconnect") {
		t.Errorf("revoked account = %+v", a)
	}
	if _, _, err := h.svc.Tokens().PageToken(ctx, acct); !errors.Is(err, ErrNeedsReconnect) {
		t.Errorf("page token of a revoked account: %v", err)
	}
	b, _ := h.store.Account(ctx, other)
	if b.NeedsReconnect() || !b.Subscribed || b.CheckedAt.IsZero() {
		t.Errorf("other account = %+v", b)
	}
	if ok, _ := h.meta.AppSubscribed(ctx, tok, pageID); !ok {
		t.Error("the reconciler did not subscribe the Page again")
	}
	// Access survives (the user token still works); a new login reconnects.
	if ids, _ := h.store.AccessibleAccountIDs(ctx, res.User.ID); len(ids) != 2 {
		t.Errorf("access = %v", ids)
	}
	h.login(0, nil)
	if a, _ := h.store.Account(ctx, acct); a.NeedsReconnect() || !a.Subscribed {
		t.Errorf("after reconnect = %+v", a)
	}
	// MarkTokenFailed is idempotent and keeps the first reason.
	h.svc.Tokens().MarkTokenFailed(ctx, acct, errors.New("first"))
	h.svc.Tokens().MarkTokenFailed(ctx, acct, errors.New("second"))
	if a, _ := h.store.Account(ctx, acct); !a.NeedsReconnect() {
		t.Errorf("after MarkTokenFailed = %+v", a)
	}
}

func TestReconcile_userTokenRevokedDropsAccess(t *testing.T) {
	h := newHarness(t)
	res, _, _ := h.login(1, nil)
	h.control("POST", "/control/faults", `{"kind":"token_revoked"}`)
	h.svc.Reconcile(ctx)
	if ids, _ := h.store.AccessibleAccountIDs(ctx, res.User.ID); len(ids) != 0 {
		t.Errorf("access after the user token was revoked = %v", ids)
	}
	if a, _ := h.store.Account(ctx, h.world.Pages[1].AccountID); !a.NeedsReconnect() {
		t.Errorf("account = %+v", a)
	}
}

func TestSessions_idleAndAbsoluteExpiry(t *testing.T) {
	h := newHarness(t)
	res, _, _ := h.login(0, nil)
	ns, err := h.svc.StartSession(ctx, res.User.ID)
	if err != nil || len(ns.CSRF) < 40 {
		t.Fatalf("start = %+v, %v", ns, err)
	}
	sess, u, err := h.svc.Session(ctx, ns.Cookie)
	if err != nil || u.ID != res.User.ID || sess.CSRF != ns.CSRF {
		t.Fatalf("session = %+v %+v %v", sess, u, err)
	}
	for _, bad := range []string{"", "garbage", ns.Cookie + "x"} {
		if _, _, err := h.svc.Session(ctx, bad); !errors.Is(err, ErrNoSession) {
			t.Errorf("cookie %q: %v", bad, err)
		}
	}
	// Visits every 6 days keep it alive until the absolute limit.
	for range 4 {
		h.advance(6 * 24 * time.Hour)
		if _, _, err := h.svc.Session(ctx, ns.Cookie); err != nil {
			t.Fatalf("after a visit: %v", err)
		}
	}
	h.advance(6 * 24 * time.Hour) // day 30
	if _, _, err := h.svc.Session(ctx, ns.Cookie); !errors.Is(err, ErrNoSession) {
		t.Errorf("past the absolute expiry: %v", err)
	}
	ns, _ = h.svc.StartSession(ctx, res.User.ID)
	h.advance(7*24*time.Hour + time.Minute)
	if _, _, err := h.svc.Session(ctx, ns.Cookie); !errors.Is(err, ErrNoSession) {
		t.Errorf("idle for over 7 days: %v", err)
	}
	ns, _ = h.svc.StartSession(ctx, res.User.ID)
	if err := h.svc.EndSession(ctx, ns.Cookie); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.svc.Session(ctx, ns.Cookie); !errors.Is(err, ErrNoSession) {
		t.Errorf("after logout: %v", err)
	}
}

func TestSetRole(t *testing.T) {
	h := newHarness(t)
	ava, _, _ := h.login(0, nil)
	ben, _, _ := h.login(1, nil)
	if err := h.svc.SetRole(ctx, ben.User, ava.User.ID, identity.RoleAgent); !isCode(err, "admin_only") {
		t.Errorf("agent changes a role: %v", err)
	}
	if err := h.svc.SetRole(ctx, ava.User, ava.User.ID, identity.RoleAgent); !isCode(err, "last_admin") {
		t.Errorf("last admin steps down: %v", err)
	}
	if err := h.svc.SetRole(ctx, ava.User, ben.User.ID, "owner"); !isCode(err, "invalid_role") {
		t.Errorf("bad role: %v", err)
	}
	if err := h.svc.SetRole(ctx, ava.User, ben.User.ID, identity.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if err := h.svc.SetRole(ctx, ava.User, ava.User.ID, identity.RoleAgent); err != nil {
		t.Errorf("stepping down with another admin: %v", err)
	}
}

func isCode(err error, code string) bool {
	ae, ok := apperr.As(err)
	return ok && ae.Code == code
}
