package meta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestClassify_sendErrors injects each Graph error the app must tell apart
// into the simulator's Send API (a send_error fault) and classifies what
// the client makes of the answer.
func TestClassify_sendErrors(t *testing.T) {
	w := newSimWorld(t)
	page := w.pagesOf(t, 0)[0]
	id := w.comment(t, 0, nil)
	tests := []struct {
		name  string
		fault map[string]any
		want  Class
	}{
		{"window", map[string]any{"code": 10, "subcode": 2534022}, ClassWindow},
		{"Messenger window", map[string]any{"code": 10, "subcode": 2018278}, ClassWindow},
		{"not eligible", map[string]any{"code": 100, "subcode": 2534025}, ClassNotEligible},
		{"already replied under 500", map[string]any{"code": -1, "subcode": 2534023, "status": 500}, ClassNotEligible},
		{"security check", map[string]any{"code": 10, "subcode": 2534077}, ClassToken},
		{"token expired", map[string]any{"code": 190, "subcode": 463}, ClassToken},
		{"capability", map[string]any{"code": 3}, ClassPause},
		{"Page restricted", map[string]any{"code": 10, "subcode": 1893063}, ClassPause},
		{"policy block", map[string]any{"code": 368}, ClassPause},
		{"messages turned off", map[string]any{"code": 200, "subcode": 2534041}, ClassPause},
		{"Page not linked", map[string]any{"code": 100, "subcode": 2534013}, ClassPause},
		{"business blocked", map[string]any{"code": 100, "subcode": 2534029}, ClassPause},
		{"unsupported post", map[string]any{"code": 100, "message": "Unsupported request - method type: post"}, ClassPause},
		{"unsupported post, en dash", map[string]any{"code": 100, "message": "Unsupported request \u2013 method type: post"}, ClassPause},
		{"missing permission 199", map[string]any{"code": 199}, ClassPause},
		{"other permission", map[string]any{"code": 230, "status": 403}, ClassPause},
		{"person unavailable 200", map[string]any{"code": 200, "subcode": 1545041}, ClassUnreachable},
		{"person unavailable 551", map[string]any{"code": 551, "subcode": 1545041}, ClassUnreachable},
		{"unexpected error", map[string]any{"code": 2, "status": 500}, ClassMaybeBlocked},
		{"unknown error", map[string]any{"code": 1, "status": 500}, ClassTransient},
		{"private-reply rate limit", map[string]any{"code": 613, "subcode": 2534040}, ClassThrottled},
		{"app rate limit", map[string]any{"code": 4}, ClassThrottled},
		{"business-use-case throttle", map[string]any{"code": 80002}, ClassThrottled},
		{"invalid parameter", map[string]any{"code": 100, "subcode": 33}, ClassPermanent},
		{"object missing post", map[string]any{"code": 100, "subcode": 33, "message": "Unsupported post request. Object with ID '1' does not exist"}, ClassPermanent},
		{"other 10", map[string]any{"code": 10, "subcode": 2018065}, ClassPermanent},
		{"unknown code, 503", map[string]any{"code": 12345, "status": 503}, ClassTransient},
		{"unknown code, 400", map[string]any{"code": 12345}, ClassPermanent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fault["kind"], tt.fault["account"] = "send_error", page.Instagram.ID
			w.control(t, http.MethodPost, "/control/faults", tt.fault, nil)
			_, _, err := w.client.SendPrivateReply(context.Background(), page.AccessToken, page.ID, id, "Hi!")
			var me *Error
			if !errors.As(err, &me) || me.Code != tt.fault["code"] || me.TraceID == "" {
				t.Fatalf("error %v", err)
			}
			if got := Classify(err); got != tt.want {
				t.Errorf("Classify(%v) = %v, want %v", err, got, tt.want)
			}
		})
	}
}

// TestSendPrivateReply_simulatorRules sends real replies and classifies the
// simulator's own refusals.
func TestSendPrivateReply_simulatorRules(t *testing.T) {
	w := newSimWorld(t)
	ctx := context.Background()
	page := w.pagesOf(t, 0)[0]
	noComments := w.pagesOf(t, 0, "instagram_manage_comments")[0]
	answered := w.comment(t, 0, nil)
	if sent, usage, err := w.client.SendPrivateReply(ctx, page.AccessToken, page.ID, answered, "Hi!"); err != nil ||
		sent.MessageID == "" || sent.RecipientID == "" || usage.Percent != 0 {
		t.Fatalf("first reply %+v %+v %v", sent, usage, err)
	}
	live := w.comment(t, 0, map[string]any{"live": true})
	w.control(t, http.MethodPost, "/control/live/end", map[string]string{"account": page.Instagram.ID}, nil)
	tests := []struct {
		name       string
		page       Page
		commentID  string
		text       string
		fault      map[string]any
		want       Class
		wantStatus int
	}{
		{"already answered", page, answered, "again", nil, ClassNotEligible, 400},
		{"own comment", page, w.comment(t, 0, map[string]any{"own": true}), "me", nil, ClassNotEligible, 400},
		{"eight days old", page, w.comment(t, 0, map[string]any{"age": "8d"}), "late", nil, ClassWindow, 403},
		{"Live ended", page, live, "late", nil, ClassWindow, 403},
		{"1,001 bytes", page, w.comment(t, 0, nil), strings.Repeat("a", 1001), nil, ClassPermanent, 400},
		{"no instagram_manage_comments", noComments, w.comment(t, 0, nil), "Hi!", nil, ClassPause, 403},
		{"rate limit", page, w.comment(t, 0, nil), "Hi!", map[string]any{"kind": "rate_limit"}, ClassThrottled, 400},
		{"server error", page, w.comment(t, 0, nil), "Hi!", map[string]any{"kind": "graph_5xx"}, ClassTransient, 500},
		{"revoked token", page, w.comment(t, 0, nil), "Hi!", map[string]any{"kind": "token_revoked"}, ClassToken, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.fault != nil {
				w.control(t, http.MethodPost, "/control/faults", tt.fault, nil)
			}
			_, _, err := w.client.SendPrivateReply(ctx, tt.page.AccessToken, tt.page.ID, tt.commentID, tt.text)
			var me *Error
			if !errors.As(err, &me) || me.HTTPStatus != tt.wantStatus || Classify(err) != tt.want {
				t.Fatalf("error %v: class %v, want %v (HTTP %d)", err, Classify(err), tt.want, tt.wantStatus)
			}
			if tt.want == ClassThrottled && (me.Usage.Percent != 100 || me.Usage.RegainAfter != time.Minute) {
				t.Errorf("usage with the rate limit: %+v", me.Usage)
			}
		})
	}
}

// TestClassify_withoutMetaJSON: answers that are not Meta's JSON (a proxy's
// error page) and failures without an answer.
func TestClassify_withoutMetaJSON(t *testing.T) {
	fake := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var status int
		fmt.Sscan(strings.TrimPrefix(r.URL.Path, "/v25.0/"), &status)
		rw.Header().Set("Content-Type", "text/html")
		rw.WriteHeader(status)
		fmt.Fprint(rw, "<html>proxy says no</html>")
	}))
	defer fake.Close()
	c := New(Options{GraphURL: fake.URL, Version: "v25.0", AppID: testAppID, AppSecret: testAppSecret})
	for status, want := range map[int]Class{502: ClassTransient, 429: ClassThrottled, 404: ClassPermanent} {
		_, err := c.get(context.Background(), "tok", fmt.Sprintf("/%d", status), nil, nil)
		if got := Classify(err); got != want {
			t.Errorf("HTTP %d: %v is %v, want %v", status, err, got, want)
		}
	}
	fake.Close()
	if _, err := c.get(context.Background(), "tok", "/me", nil, nil); !IsNetError(err) || Classify(err) != ClassTransient {
		t.Errorf("no server: %v is %v", err, Classify(err))
	}
}

func TestClass_namesAndRetry(t *testing.T) {
	if Classify(nil) != ClassNone || ClassReplied != ClassNotEligible || ClassNotEligible.String() != "not_eligible" {
		t.Error("ClassNone, or the ClassReplied alias")
	}
	retry := map[Class]bool{ClassTransient: true, ClassThrottled: true, ClassMaybeBlocked: true}
	for c := ClassNone; c <= ClassMaybeBlocked; c++ {
		if c.String() == "unknown" || c.Retryable() != retry[c] {
			t.Errorf("class %d: %q, retryable %v", c, c, c.Retryable())
		}
	}
}
