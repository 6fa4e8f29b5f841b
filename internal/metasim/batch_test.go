package metasim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// item is one element of a batch answer as a client reads it.
type item struct {
	Code    int `json:"code"`
	Headers []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"headers"`
	Body string `json:"body"`
}

// batch posts a batch request to path with the token in the Authorization
// header and its appsecret_proof, plus extra parameters.
func (h *harness) batch(path, tok string, reqs []map[string]string, extra url.Values) response {
	h.t.Helper()
	b, _ := json.Marshal(reqs)
	form := url.Values{"batch": {string(b)}}
	if tok != "" {
		form.Set("appsecret_proof", appsecretProof(testAppSecret, tok))
	}
	for k, v := range extra {
		form[k] = v
	}
	return h.do("POST", path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded",
		"Authorization", "Bearer "+tok)
}

// items decodes a batch answer.
func (h *harness) items(r response) []*item {
	h.t.Helper()
	h.wantStatus(r, http.StatusOK)
	var out []*item
	h.decode(r, &out)
	return out
}

func get(relativeURL string) map[string]string {
	return map[string]string{"method": "GET", "relative_url": relativeURL}
}

func TestBatch_answersEachRequestInOrder(t *testing.T) {
	h := newHarness(t)
	tok := h.avaPage(0)
	c1 := h.comment(map[string]any{"account": h.account(0), "text": "first", "age": "2h"})
	gone := h.comment(map[string]any{"account": h.account(0), "text": "deleted"})
	c3 := h.comment(map[string]any{"account": h.account(0), "text": "third", "age": "3d"})
	h.wantStatus(h.postJSON("/control/comments/delete", map[string]string{"id": gone}), http.StatusOK)
	otherPage := h.comment(map[string]any{"account": h.account(1), "text": "not this Page's"})
	reqs := []map[string]string{
		get("v25.0/" + c1 + "?fields=timestamp"), get("v25.0/" + gone + "?fields=timestamp"),
		get("/v25.0/" + c3 + "?fields=id,timestamp,text"), get("v25.0/" + otherPage + "?fields=timestamp"),
		get(c1 + "?fields=nope"),
	}
	for _, path := range []string{"/", "/v25.0/", "/v25.0/me"} {
		t.Run(path, func(t *testing.T) {
			r := h.batch(path, tok, reqs, nil)
			// A Page token's calls carry the business-use-case header only.
			if r.header.Get("X-Business-Use-Case-Usage") == "" || r.header.Get("X-App-Usage") != "" {
				t.Errorf("usage headers: %v", r.header)
			}
			got := h.items(r)
			if len(got) != len(reqs) {
				t.Fatalf("%d answers for %d requests: %s", len(got), len(reqs), r.body)
			}
			want := []struct{ code, errCode, subcode int }{{200, 0, 0}, {400, 100, 33}, {200, 0, 0}, {400, 100, 33}, {400, 100, 0}}
			for i, w := range want {
				it := got[i]
				var body struct {
					ID, Timestamp, Text string
					Error               *graphError `json:"error"`
				}
				if it == nil || it.Code != w.code || json.Unmarshal([]byte(it.Body), &body) != nil {
					t.Fatalf("answer %d = %+v, want code %d", i, it, w.code)
				}
				if w.errCode != 0 && (body.Error == nil || body.Error.Code != w.errCode || body.Error.ErrorSubcode != w.subcode) {
					t.Errorf("answer %d body %s, want error %d/%d", i, it.Body, w.errCode, w.subcode)
				}
				if len(it.Headers) == 0 {
					t.Errorf("answer %d has no headers", i)
				}
			}
			var b1, b3 struct{ ID, Timestamp, Text string }
			_ = json.Unmarshal([]byte(got[0].Body), &b1)
			_ = json.Unmarshal([]byte(got[2].Body), &b3)
			if b1.Timestamp != formatMetaTime(testEpoch.Add(-2*time.Hour)) {
				t.Errorf("first answer %s", got[0].Body)
			}
			if b3.ID != c3 || b3.Text != "third" || b3.Timestamp != formatMetaTime(testEpoch.Add(-72*time.Hour)) {
				t.Errorf("third answer %s", got[2].Body)
			}
		})
	}
	t.Run("include_headers=false", func(t *testing.T) {
		got := h.items(h.batch("/", tok, reqs[:2], url.Values{"include_headers": {"false"}}))
		if len(got) != 2 || got[0].Headers != nil || got[1].Headers != nil || got[0].Code != 200 {
			t.Errorf("answers %+v", got)
		}
	})
}

func TestBatch_tokens(t *testing.T) {
	h := newHarness(t)
	tok0, tok1 := h.avaPage(0), h.avaPage(1)
	c0 := h.comment(map[string]any{"account": h.account(0), "text": "a"})
	c1 := h.comment(map[string]any{"account": h.account(1), "text": "b"})
	reqs := []map[string]string{
		get("v25.0/" + c0 + "?fields=timestamp"),                                       // the batch's token
		get("v25.0/" + c1 + "?fields=timestamp&access_token=" + url.QueryEscape(tok1)), // its own
		get("v25.0/" + c1 + "?fields=timestamp&access_token=EAAnotatoken"),
	}
	form := url.Values{"access_token": {tok0}, "appsecret_proof": {appsecretProof(testAppSecret, tok0)}}
	b, _ := json.Marshal(reqs)
	form.Set("batch", string(b))
	got := h.items(h.postForm("/", form))
	if len(got) != 3 || got[0].Code != 200 || got[1].Code != 200 || got[2].Code != 400 || !strings.Contains(got[2].Body, `"code":190`) {
		t.Fatalf("answers %+v", got)
	}
}

func TestBatch_refusedAsAWhole(t *testing.T) {
	h := newHarness(t)
	tok := h.avaPage(0)
	c := h.comment(map[string]any{"account": h.account(0), "text": "a"})
	one := []map[string]string{get("v25.0/" + c + "?fields=timestamp")}
	many := make([]map[string]string, maxBatchItems+1)
	for i := range many {
		many[i] = one[0]
	}
	raw := func(batch string) url.Values { return url.Values{"batch": {batch}} }
	cases := []struct {
		name, path, tok string
		reqs            []map[string]string
		form            url.Values // used instead of reqs when set
		status, code    int
	}{
		{"not JSON", "/", tok, nil, raw("[{"), 400, 100},
		{"not an array", "/", tok, nil, raw(`{"method":"GET"}`), 400, 100},
		{"empty", "/", tok, []map[string]string{}, nil, 400, 100},
		{"51 requests", "/", tok, many, nil, 400, 100},
		{"no relative_url", "/", tok, []map[string]string{{"method": "GET"}}, nil, 400, 100},
		{"depends_on", "/", tok, []map[string]string{{"method": "GET", "relative_url": "me", "depends_on": "x"}}, nil, 400, 100},
		{"result reference", "/", tok, []map[string]string{{"method": "GET", "relative_url": "{result=a:$.id}"}}, nil, 400, 100},
		{"bad token", "/", "EAAnotatoken", one, nil, 400, 190},
		{"unknown version", "/v1.5/", tok, one, nil, 400, 2500},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r response
			if tc.form != nil {
				tc.form.Set("appsecret_proof", appsecretProof(testAppSecret, tc.tok))
				r = h.do("POST", tc.path, strings.NewReader(tc.form.Encode()), "application/x-www-form-urlencoded", "Authorization", "Bearer "+tc.tok)
			} else {
				r = h.batch(tc.path, tc.tok, tc.reqs, nil)
			}
			var e graphErr
			if r.status != tc.status || json.Unmarshal(r.body, &e) != nil || e.Error.Code != tc.code {
				t.Errorf("got %d %s, want %d with code %d", r.status, r.body, tc.status, tc.code)
			}
		})
	}
	t.Run("bad appsecret_proof", func(t *testing.T) {
		b, _ := json.Marshal(one)
		r := h.do("POST", "/", strings.NewReader(url.Values{"batch": {string(b)}, "appsecret_proof": {"00"}}.Encode()),
			"application/x-www-form-urlencoded", "Authorization", "Bearer "+tok)
		h.wantGraphError(r, 400, 100, 0)
	})
	t.Run("no batch parameter is an ordinary call", func(t *testing.T) {
		h.wantGraphError(h.postForm("/", url.Values{"access_token": {tok}}), 400, 2500, 0)
	})
	t.Run("a batch inside a batch is an ordinary call", func(t *testing.T) {
		inner, _ := json.Marshal(one)
		got := h.items(h.batch("/", tok, []map[string]string{{"method": "POST", "relative_url": "/",
			"body": url.Values{"batch": {string(inner)}}.Encode()}}, nil))
		if len(got) != 1 || got[0].Code != 400 || !strings.Contains(got[0].Body, `"code":2500`) {
			t.Errorf("answers %+v", got)
		}
	})
}

func TestBatch_faultsApplyPerRequest(t *testing.T) {
	h := newHarness(t)
	tok := h.avaPage(0)
	c := h.comment(map[string]any{"account": h.account(0), "text": "a"})
	reqs := make([]map[string]string, 5)
	for i := range reqs {
		reqs[i] = get("v25.0/" + c + "?fields=timestamp")
	}
	h.wantStatus(h.postJSON("/control/faults", map[string]any{"kind": "graph_5xx", "count": 2, "account": h.account(0)}), http.StatusOK)
	codes := map[int]int{}
	for _, it := range h.items(h.batch("/", tok, reqs, nil)) {
		codes[it.Code]++
		if it.Code == 500 && !strings.Contains(it.Body, `"is_transient":true`) {
			t.Errorf("5xx body %s", it.Body)
		}
	}
	if codes[200] != 3 || codes[500] != 2 {
		t.Errorf("codes %v, want three 200 and two 500", codes)
	}
	for _, it := range h.items(h.batch("/", tok, reqs, nil)) {
		if it.Code != 200 {
			t.Errorf("fault outlived its count: %+v", it)
		}
	}
}

func TestBatch_sendsSpendTheHourlyBudgetPerRequest(t *testing.T) {
	h := newHarness(t)
	tok := h.avaPage(0)
	h.sim.mu.Lock()
	for i := range hourlyReplyBudget - 2 {
		h.sim.st.addReply(&reply{CommentID: fmt.Sprintf("earlier-%d", i), AccountID: h.account(0), At: testEpoch.Add(-time.Minute)})
	}
	h.sim.mu.Unlock()
	var reqs []map[string]string
	for range 3 {
		id := h.comment(map[string]any{"account": h.account(0), "text": "price?"})
		reqs = append(reqs, map[string]string{"method": "POST", "relative_url": "v25.0/" + h.page(0) + "/messages",
			"body": url.Values{"recipient": {`{"comment_id":"` + id + `"}`}, "message": {`{"text":"DM sent"}`}}.Encode()})
	}
	codes := map[int]int{}
	for _, it := range h.items(h.batch("/", tok, reqs, nil)) {
		codes[it.Code]++
		if it.Code != 200 && !strings.Contains(it.Body, `"code":613`) {
			t.Errorf("refusal %s", it.Body)
		}
	}
	if codes[200] != 2 || codes[400] != 1 {
		t.Errorf("codes %v, want two sends accepted and one rate limited", codes)
	}
}

func TestBatch_slowRequestsAnswerNull(t *testing.T) {
	h := newHarness(t, withTuning(func(tu *tuning) { tu.batchTimeout = 200 * time.Millisecond }))
	tok := h.avaPage(0)
	c := h.comment(map[string]any{"account": h.account(0), "text": "a"})
	reqs := []map[string]string{get("v25.0/" + c + "?fields=timestamp"), get("v25.0/" + c + "?fields=timestamp"), get("v25.0/" + c + "?fields=timestamp")}
	h.wantStatus(h.postJSON("/control/faults", map[string]any{"kind": "graph_slow", "count": 1, "delay": "5s"}), http.StatusOK)
	start := time.Now()
	got := h.items(h.batch("/", tok, reqs, nil))
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("batch took %v", took)
	}
	nulls := 0
	for _, it := range got {
		if it == nil {
			nulls++
		} else if it.Code != 200 {
			t.Errorf("answer %+v", it)
		}
	}
	if len(got) != 3 || nulls != 1 {
		t.Errorf("answers %+v, want one null", got)
	}
}
