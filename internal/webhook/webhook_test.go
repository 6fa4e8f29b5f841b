package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// The example payloads of meta-platform.md §2.3, verbatim.
const (
	feedExample = `{"object":"instagram","entry":[{"id":"17841400000000001","time":1767225600,
 "changes":[{"field":"comments","value":{
   "id":"17900000000000101","text":"Price please?",
   "from":{"id":"1234567890123456","username":"jane.doe"},
   "media":{"id":"17890000000000201","media_product_type":"FEED"}}}]}]}`
	reelReplyExample = `{"object":"instagram","entry":[{"id":"17841400000000001","time":1767225660,
 "changes":[{"field":"comments","value":{
   "id":"17900000000000102","text":"same question","parent_id":"17900000000000101",
   "from":{"id":"2234567890123456","username":"sam_k"},
   "media":{"id":"17890000000000202","media_product_type":"REELS"}}}]}]}`
	adExample = `{"object":"instagram","entry":[{"id":"17841400000000001","time":1767225700,
 "changes":[{"field":"comments","value":{
   "id":"17900000000000103","text":"Does it ship to Canada?",
   "from":{"id":"3234567890123456","username":"maple.buyer"},
   "media":{"id":"17890000000000203","media_product_type":"FEED",
            "ad_id":"120200000000000001","ad_title":"Spring sale - carousel",
            "original_media_id":"17890000000000199"}}}]}]}`
	liveExample = `{"object":"instagram","entry":[{"id":"17841400000000001","time":1767225800,
 "changes":[{"field":"live_comments","value":{
   "id":"17900000000000104","text":"I want the blue one!",
   "from":{"id":"4234567890123456","username":"live.viewer","self_ig_scoped_id":"4234567890123456"},
   "media":{"id":"17890000000000204","media_product_type":"LIVE"}}}]}]}`
)

func TestParse_metaExamples(t *testing.T) {
	cases := []struct {
		name, body string
		want       Event
	}{
		{"feed", feedExample, Event{AccountID: "17841400000000001", EntryTime: time.Unix(1767225600, 0).UTC(), CommentID: "17900000000000101",
			Text: "Price please?", FromID: "1234567890123456", FromUsername: "jane.doe", MediaID: "17890000000000201", MediaProductType: "FEED"}},
		{"reel reply", reelReplyExample, Event{AccountID: "17841400000000001", EntryTime: time.Unix(1767225660, 0).UTC(), CommentID: "17900000000000102",
			Text: "same question", ParentID: "17900000000000101", FromID: "2234567890123456", FromUsername: "sam_k", MediaID: "17890000000000202", MediaProductType: "REELS"}},
		{"ad", adExample, Event{AccountID: "17841400000000001", EntryTime: time.Unix(1767225700, 0).UTC(), CommentID: "17900000000000103",
			Text: "Does it ship to Canada?", FromID: "3234567890123456", FromUsername: "maple.buyer", MediaID: "17890000000000203", MediaProductType: "FEED",
			AdID: "120200000000000001", AdTitle: "Spring sale - carousel", OriginalMediaID: "17890000000000199"}},
		{"live", liveExample, Event{AccountID: "17841400000000001", EntryTime: time.Unix(1767225800, 0).UTC(), Live: true, CommentID: "17900000000000104",
			Text: "I want the blue one!", FromID: "4234567890123456", FromUsername: "live.viewer", MediaID: "17890000000000204", MediaProductType: "LIVE"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Events) != 1 || p.Events[0] != tc.want {
				t.Fatalf("events = %+v\nwant %+v", p.Events, tc.want)
			}
		})
	}
}

func TestParse_shapesBatchesAndSkips(t *testing.T) {
	body := `{"object":"instagram","entry":[
	 {"id":"111","time":1767225600,"changes":[
	   {"field":"comments","value":{"id":"901","text":"a","from":{"id":"u1","username":"x"},"media":{"id":"801"}}},
	   {"field":"mentions","value":{"media_id":"m9"}},
	   {"field":"comments","value":{"id":"902","text":"own","from":{"id":"111","username":"acme"},"media":{"id":"801"}}},
	   {"field":"comments","value":{"comment_id":"903","text":"legacy id","from":{"id":"u3"},"media":{"id":"801"},"brand_new_field":{"x":1}}},
	   {"field":"comments","value":{"text":"no id"}}]},
	 {"id":"222","time":1767225601,"field":"comments","value":{"id":"904","text":"IG-login shape","from":{"id":"u4"},"media":{"id":12345678901234567}}},
	 {"id":"222","time":1767225601000,"changes":[{"field":"live_comments","value":{"id":17900000000000999,"from":{"id":"u5"},"media":{"id":"805"}}}]}
	],"unknown_top":true}`
	p, ids := parseIDs(t, body)
	if ids != "901,903,904,17900000000000999" {
		t.Fatalf("ids = %v", ids)
	}
	if p.Own != 1 || p.Ignored != 2 || p.Rejected != 0 {
		t.Errorf("own = %d ignored = %d rejected = %d, want 1, 2 and 0", p.Own, p.Ignored, p.Rejected)
	}
	if p.Events[2].MediaID != "12345678901234567" {
		t.Errorf("numeric media id lost digits: %q", p.Events[2].MediaID)
	}
	if !p.Events[3].Live || !p.Events[3].EntryTime.Equal(time.Unix(1767225601, 0)) {
		t.Errorf("ms entry time or live flag wrong: %+v", p.Events[3])
	}
}

// TestParse_oddIDsRejected: a comment whose account, comment or media id is
// not Meta's digits (at most MaxIDLen) is dropped and counted, change by
// change; its neighbours are kept.
func TestParse_oddIDsRejected(t *testing.T) {
	long := strings.Repeat("9", MaxIDLen+1)
	body := `{"object":"instagram","entry":[
	 {"id":"acme","changes":[{"field":"comments","value":{"id":"901"}}]},
	 {"id":"111","changes":[
	   {"field":"comments","value":{"id":"c1"}},
	   {"field":"comments","value":{"id":"902","media":{"id":"m1"}}},
	   {"field":"comments","value":{"id":"` + long + `"}},
	   {"field":"comments","value":{"id":-903}},
	   {"field":"comments","value":{"id":"9.5e3"}},
	   {"field":"comments","value":{"id":"９０４"}},
	   {"field":"comments","value":{"id":"<script>"}},
	   {"field":"live_comments","value":{"id":"905","media":{"id":"17890000000000204"}}},
	   {"field":"comments","value":{"id":"` + long[1:] + `"}}]}]}`
	p, ids := parseIDs(t, body)
	if ids != "905,"+long[1:] || p.Rejected != 8 {
		t.Errorf("kept %v, rejected %d; want 905 and the %d-digit id kept, 8 rejected", ids, p.Rejected, MaxIDLen)
	}
}

// parseIDs parses body and answers the payload and its events' comment
// ids, comma-separated.
func parseIDs(t *testing.T, body string) (Payload, string) {
	t.Helper()
	p, err := Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range p.Events {
		ids = append(ids, e.CommentID)
	}
	return p, strings.Join(ids, ",")
}

func TestParse_escapedUnicode(t *testing.T) {
	// Meta sends non-ASCII escaped, lowercase hex; the signature covers these exact bytes.
	body := []byte(`{"object":"instagram","entry":[{"id":"1","time":1,"changes":[{"field":"comments","value":{"id":"2","text":"\u00e4\u00f6\u00e5 \ud83d\ude00 \/ <b>","from":{"id":"u"},"media":{"id":"3"}}}]}]}`)
	secret := "app-secret"
	if err := Verify(secret, body, "sha256="+hex.EncodeToString(independentHMAC(secret, body))); err != nil {
		t.Fatal(err)
	}
	p, err := Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Events[0].Text; got != "äöå 😀 / <b>" {
		t.Errorf("text = %q", got)
	}
}

func TestParse_otherObjectIgnored(t *testing.T) {
	p, err := Parse([]byte(`{"object":"page","entry":[{"id":"1","changes":[{"field":"comments","value":{"id":"c"}}]}]}`))
	if err != nil || len(p.Events) != 0 || p.Ignored != 1 {
		t.Errorf("page object: %+v %v", p, err)
	}
}

func TestParse_malformed(t *testing.T) {
	for _, body := range []string{
		``, `{`, `not json`, `[1,2]`, `"x"`,
		feedExample[:len(feedExample)/2], // truncated
		`{"object":"instagram","entry":{"id":"1"}}`,
		`{"object":"instagram","entry":[{"id":"1","changes":{"field":"comments"}}]}`,
		// Signed, valid JSON, but not deliveries.
		`null`, `[]`, `{}`, `{"entry":[]}`, `{"object":"instagram"}`, `{"object":"instagram","entry":null}`,
		`{"object":"","entry":[]}`, `{"object":null,"entry":[]}`, `{"Object":"instagram","Entry":{}}`, `true`, `17`,
	} {
		if _, err := Parse([]byte(body)); !errors.Is(err, ErrMalformed) {
			t.Errorf("Parse(%.40q) err = %v, want ErrMalformed", body, err)
		}
	}
}

func independentHMAC(secret string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return m.Sum(nil)
}

func TestVerify(t *testing.T) {
	body := []byte(feedExample)
	good := "sha256=" + hex.EncodeToString(independentHMAC("s3cret", body))
	cases := []struct {
		name, secret, header string
		body                 []byte
		want                 error
	}{
		{"good", "s3cret", good, body, nil},
		{"missing", "s3cret", "", body, ErrNoSignature},
		{"sha1 only", "s3cret", "sha1=abcdef", body, ErrMalformedSignature},
		{"not hex", "s3cret", "sha256=" + strings.Repeat("z", 64), body, ErrMalformedSignature},
		{"short", "s3cret", "sha256=abcd", body, ErrMalformedSignature},
		{"uppercase prefix", "s3cret", strings.Replace(good, "sha256", "SHA256", 1), body, ErrMalformedSignature},
		{"wrong secret", "other", good, body, ErrBadSignature},
		{"tampered body", "s3cret", good, append([]byte{' '}, body...), ErrBadSignature},
		{"uppercase hex", "s3cret", "sha256=" + strings.ToUpper(strings.TrimPrefix(good, "sha256=")), body, nil},
		{"hex with a sign", "s3cret", "sha256=+" + good[len("sha256=")+1:], body, ErrMalformedSignature},
		{"one digit off", "s3cret", good[:len(good)-1] + string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", good[len(good)-1])+1)%16]), body, ErrBadSignature},
		{"long", "s3cret", good + "00", body, ErrMalformedSignature},
		{"empty body", "s3cret", "sha256=" + hex.EncodeToString(independentHMAC("s3cret", nil)), nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := Verify(tc.secret, tc.body, tc.header); !errors.Is(err, tc.want) {
				t.Errorf("Verify = %v, want %v", err, tc.want)
			}
			v := NewVerifier(tc.secret)
			for range 3 { // the pooled state must be as good as new each time
				if err := v.Verify(tc.body, tc.header); !errors.Is(err, tc.want) {
					t.Errorf("Verifier.Verify = %v, want %v", err, tc.want)
				}
			}
		})
	}
}

func TestVerifyChallenge(t *testing.T) {
	if c, ok := VerifyChallenge("subscribe", "tok", "1158201444", "tok"); !ok || c != "1158201444" {
		t.Error("right token refused")
	}
	for _, tc := range [][4]string{
		{"subscribe", "wrong", "1", "tok"},
		{"unsubscribe", "tok", "1", "tok"},
		{"subscribe", "tok", "", "tok"},
		{"subscribe", "", "1", ""},
	} {
		if _, ok := VerifyChallenge(tc[0], tc[1], tc[2], tc[3]); ok {
			t.Errorf("VerifyChallenge%v accepted", tc)
		}
	}
}

func TestVerifier_noAllocationAndConcurrent(t *testing.T) {
	body := deliveryBody(100)
	header := "sha256=" + hex.EncodeToString(independentHMAC("s3cret", body))
	v := NewVerifier("s3cret")
	if n := testing.AllocsPerRun(100, func() {
		if err := v.Verify(body, header); err != nil {
			t.Fatal(err)
		}
	}); n != 0 && !raceEnabled {
		t.Errorf("Verifier.Verify allocates %v times a call, want 0", n)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			b := body
			want := error(nil)
			if i%2 == 1 {
				b, want = body[1:], ErrBadSignature
			}
			for range 200 {
				if err := v.Verify(b, header); !errors.Is(err, want) {
					t.Errorf("concurrent Verify = %v, want %v", err, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestParse_ownReplies: the account's own comments never become events;
// those that answer another comment (a public reply, ours or posted on
// Instagram) are kept apart, with the comment they answer.
func TestParse_ownReplies(t *testing.T) {
	body := `{"object":"instagram","entry":[{"id":"111","time":1767225600,"changes":[
	  {"field":"comments","value":{"id":"17841400000000901","text":"Check your DMs 💌","parent_id":"17841400000000900","from":{"id":"111","username":"acme"},"media":{"id":"17900000000000001"}}},
	  {"field":"comments","value":{"id":"17841400000000902","text":"own top-level","from":{"id":"111","username":"acme"},"media":{"id":"17900000000000001"}}},
	  {"field":"comments","value":{"id":"17841400000000903","text":"a fan","parent_id":"17841400000000900","from":{"id":"17841400000000222","username":"fan"},"media":{"id":"17900000000000001"}}}]}]}`
	for name, parse := range map[string]func([]byte) (Payload, error){"Parse": Parse, "reflect": parseReflect} {
		p, err := parse([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if p.Own != 2 || len(p.Events) != 1 || p.Events[0].CommentID != "17841400000000903" {
			t.Errorf("%s: own %d, events %+v", name, p.Own, p.Events)
		}
		if len(p.OwnReplies) != 1 || p.OwnReplies[0].CommentID != "17841400000000901" || p.OwnReplies[0].ParentID != "17841400000000900" ||
			p.OwnReplies[0].Text != "Check your DMs 💌" || p.OwnReplies[0].AccountID != "111" {
			t.Errorf("%s: own replies %+v", name, p.OwnReplies)
		}
	}
}
