package meta

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// fakeBatch serves one canned answer to every batch and records what the
// client sent: odd answers the simulator does not give.
type fakeBatch struct {
	status int
	answer string
	header http.Header
	got    *http.Request
	form   url.Values
}

func (f *fakeBatch) client(t *testing.T) *Client {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		f.got, f.form = r, r.PostForm
		for k, v := range f.header {
			w.Header()[k] = v
		}
		w.WriteHeader(f.status)
		_, _ = w.Write([]byte(f.answer))
	}))
	t.Cleanup(srv.Close)
	return New(Options{GraphURL: srv.URL, Version: "v27.0", AppID: testAppID, AppSecret: testAppSecret})
}

func TestCommentTimestamps_wire(t *testing.T) {
	f := &fakeBatch{status: 200, answer: `[{"code":200,"body":"{\"timestamp\":\"2026-05-19T10:00:00+0000\",\"id\":\"1\"}"},{"code":200,"body":"{\"timestamp\":\"2026-05-19T11:00:00+0000\"}"}]`}
	c := f.client(t)
	got, _, err := c.CommentTimestamps(context.Background(), "page-token", []string{"1", "a/b"}, nil)
	if err != nil || len(got) != 2 || got[1].Timestamp != time.Date(2026, 5, 19, 11, 0, 0, 0, time.UTC) {
		t.Fatalf("answers %+v, err %v", got, err)
	}
	r := f.got
	if r.Method != http.MethodPost || r.URL.Path != "/v27.0/" || r.Header.Get("Authorization") != "Bearer page-token" ||
		r.URL.Query().Get("appsecret_proof") != c.Proof("page-token") || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("request %s %s %v", r.Method, r.URL, r.Header)
	}
	var reqs []map[string]string
	if err := json.Unmarshal([]byte(f.form.Get("batch")), &reqs); err != nil {
		t.Fatal(err)
	}
	want := []map[string]string{{"method": "GET", "relative_url": "v27.0/1?fields=timestamp"}, {"method": "GET", "relative_url": "v27.0/a%2Fb?fields=timestamp"}}
	if len(reqs) != 2 || reqs[0]["relative_url"] != want[0]["relative_url"] || reqs[1]["relative_url"] != want[1]["relative_url"] ||
		reqs[0]["method"] != "GET" || f.form.Get("include_headers") != "false" {
		t.Errorf("form %v", f.form)
	}
}

func TestCommentTimestamps_oddAnswers(t *testing.T) {
	ids := []string{"1", "2", "3"}
	cases := []struct {
		name      string
		status    int
		answer    string
		wantErr   string // whole-read error text, "" for none
		wantItems []error
	}{
		{"null, error, unreadable", 200, `[null,{"code":404,"body":"{\"error\":{\"message\":\"gone\",\"code\":100,\"error_subcode\":33}}"},{"code":200,"body":"{\"timestamp\":\"yesterday\"}"}]`,
			"", []error{ErrBatchIncomplete, &Error{Code: 100}, errors.New("meta: comment 3: unreadable timestamp \"yesterday\"")}},
		{"body not JSON", 200, `[{"code":200,"body":"<html>"},{"code":502,"body":"Bad Gateway"},{"code":200,"body":"{}"}]`,
			"", []error{errors.New("meta: comment 1: decode answer"), &Error{HTTPStatus: 502}, errors.New("meta: comment 3: unreadable timestamp \"\"")}},
		{"too few answers", 200, `[null]`, "meta: read comment timestamps: meta: batch of 3 requests: answer has 1", nil},
		{"not an array", 200, `{"data":[]}`, "meta: read comment timestamps: meta: POST", nil},
		{"whole batch refused", 400, `{"error":{"message":"(#100) Too many requests in batch message. Maximum batch size is 50","code":100}}`, "meta: read comment timestamps: meta: graph error 100", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := (&fakeBatch{status: tc.status, answer: tc.answer}).client(t)
			got, _, err := c.CommentTimestamps(context.Background(), "tok", ids, nil)
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) || len(got) != 0 {
					t.Errorf("err = %v, %d answers; want %q", err, len(got), tc.wantErr)
				}
				return
			}
			if err != nil || len(got) != len(ids) {
				t.Fatalf("err %v, %d answers", err, len(got))
			}
			for i, want := range tc.wantItems {
				var we, ge *Error
				switch {
				case errors.As(want, &we):
					if !errors.As(got[i].Err, &ge) || (we.Code != 0 && ge.Code != we.Code) || (we.HTTPStatus != 0 && ge.HTTPStatus != we.HTTPStatus) {
						t.Errorf("answer %d err = %v, want like %v", i, got[i].Err, want)
					}
				case want == ErrBatchIncomplete:
					if !errors.Is(got[i].Err, ErrBatchIncomplete) || Classify(got[i].Err) != ClassTransient {
						t.Errorf("answer %d err = %v, want ErrBatchIncomplete (transient)", i, got[i].Err)
					}
				default:
					if got[i].Err == nil || !strings.HasPrefix(got[i].Err.Error(), want.Error()) {
						t.Errorf("answer %d err = %v, want %q", i, got[i].Err, want)
					}
				}
			}
		})
	}
}

func TestCommentTimestamps_throttledItemHoldsTheLimiter(t *testing.T) {
	f := &fakeBatch{status: 200, answer: `[{"code":200,"body":"{\"timestamp\":\"2026-05-19T10:00:00+0000\"}"},{"code":400,"body":"{\"error\":{\"message\":\"(#4) Application request limit reached\",\"code\":4,\"is_transient\":true}}"}]`,
		header: http.Header{"X-Business-Use-Case-Usage": {`{"1":[{"type":"instagram","call_count":100,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":3}]}`}}}
	lim := NewLimiter(1000)
	got, usage, err := f.client(t).CommentTimestamps(context.Background(), "tok", []string{"1", "2"}, lim)
	if err != nil || got[0].Err != nil || Classify(got[1].Err) != ClassThrottled || usage.Percent != 100 || usage.RegainAfter != 3*time.Minute {
		t.Fatalf("answers %+v usage %+v err %v", got, usage, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := lim.Wait(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait while throttled = %v, want a deadline error", err)
	}
}

func TestCommentTimestamps_none(t *testing.T) {
	f := &fakeBatch{status: 500}
	got, _, err := f.client(t).CommentTimestamps(context.Background(), "tok", nil, nil)
	if err != nil || len(got) != 0 || f.got != nil {
		t.Errorf("no ids: %v %v, request sent: %v", got, err, f.got != nil)
	}
}
