package webhook

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// sameAsReference fails unless Parse answers exactly what the first
// implementation answers: the same payload, or ErrMalformed for both.
func sameAsReference(t *testing.T, body []byte) {
	t.Helper()
	got, gerr := Parse(body)
	want, werr := parseReference(body)
	if (gerr == nil) != (werr == nil) || gerr != nil && !errors.Is(gerr, ErrMalformed) {
		t.Fatalf("Parse(%q) err = %v, reference err = %v", body, gerr, werr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Parse(%q)\n got %+v\nwant %+v", body, got, want)
	}
}

const wrap = `{"object":"instagram","entry":[{"id":"111","time":1767225600,"changes":[{"field":"comments","value":%s}]}]}`

func withValue(v string) string { return strings.Replace(wrap, "%s", v, 1) }

func TestParse_fastPathMatchesReference(t *testing.T) {
	cases := []struct {
		name string
		body string
		fast bool // parseFast takes it; otherwise it is left to parseReflect
	}{
		{"feed", feedExample, true},
		{"reel reply", reelReplyExample, true},
		{"ad", adExample, true},
		{"live", liveExample, true},
		{"one comment bench body", string(deliveryBody(1)), true},
		{"hundred comments bench body", string(deliveryBody(100)), true},
		{"entry-level field and value", `{"object":"instagram","entry":[{"id":"2","time":1,"field":"comments","value":{"id":"9","from":{"id":"u"}},"changes":[{"field":"comments","value":{"id":"8"}}]}]}`, true},
		{"changes before id and time", `{"object":"instagram","entry":[{"changes":[{"value":{"id":"9"},"field":"live_comments"}],"time":1767225601000,"id":3}]}`, true},
		{"member names in other cases", `{"OBJECT":"instagram","Entry":[{"ID":"1","Time":5,"Changes":[{"FIELD":"comments","Value":{"Id":"c","TEXT":"t","From":{"USERNAME":"u","iD":"9"},"MEDIA":{"Media_Product_Type":"FEED","Id":"m"}}}]}]}`, true},
		{"escapes and surrogates", withValue(`{"id":"9","text":"\u00e4\"\\\/\b\f\n\r\t \ud83d\ude00 lone \ud83d x, \ud83d\u0041, \ude00, \uDBFF\uDFFF"}`), true},
		{"invalid UTF-8", withValue("{\"id\":\"9\",\"text\":\"a\xffb\xc3\",\"from\":{\"username\":\"\xe2\x82\"}}"), true},
		{"escaped ids", withValue(`{"id":"\u0039\u0031","from":{"id":"\u0031\u0031\u0031"}}`), true},
		{"numeric and odd ids", withValue(`{"id":-17.5e3,"parent_id":true,"comment_id":{"a":[1]},"from":{"id":null},"media":{"id":[1,2],"ad_id":0,"original_media_id":"x"}}`), true},
		{"null members", withValue(`{"id":"9","text":null,"from":null,"media":null,"comment_id":null}`), true},
		{"legacy comment_id", withValue(`{"comment_id":"99","text":"legacy"}`), true},
		{"own comment", withValue(`{"id":"9","from":{"id":"111"}}`), true},
		{"text a number", withValue(`{"id":"9","text":5}`), true},
		{"username an object", withValue(`{"id":"9","from":{"username":{}}}`), true},
		{"from a string", withValue(`{"id":"9","from":"u"}`), true},
		{"media an array", withValue(`{"id":"9","media":[]}`), true},
		{"media_product_type a bool", withValue(`{"id":"9","media":{"media_product_type":true}}`), true},
		{"uncommon product type", withValue(`{"id":"9","media":{"media_product_type":"CLIPS\u00e9"}}`), true},
		{"value a string", withValue(`"c"`), true},
		{"value null", withValue(`null`), true},
		{"value an array", withValue(`[{"id":"9"}]`), true},
		{"value missing", `{"object":"instagram","entry":[{"id":"1","changes":[{"field":"comments"}]}]}`, true},
		{"change null", `{"object":"instagram","entry":[{"id":"1","changes":[null,{"field":"comments","value":{"id":"9"}}]}]}`, true},
		{"entry null", `{"object":"instagram","entry":[null,{"id":"1","changes":[{"field":"comments","value":{"id":"9"}}]}]}`, true},
		{"entry list null", `{"object":"page","entry":null}`, false},
		{"no entry", `{"object":"instagram"}`, false},
		{"other object first", `{"object":"page","entry":[{"id":"1","changes":[{"field":"comments","value":{"id":"9"}}]},null]}`, true},
		{"other object last", `{"entry":[{"id":"1","changes":[{"field":"comments","value":{"id":"9"}}]}],"object":"page"}`, true},
		{"empty object name", `{"object":"","entry":[{"id":"1","changes":[{"field":"comments","value":{"id":"9"}}]}]}`, false},
		{"null object name", `{"object":null,"entry":[{"id":"1","changes":[{"field":"comments","value":{"id":"9"}}]}]}`, false},
		{"no account id", `{"object":"instagram","entry":[{"changes":[{"field":"comments","value":{"id":"9"}}]}]}`, true},
		{"other fields", `{"object":"instagram","entry":[{"id":"1","changes":[{"field":"mentions","value":{"id":"9"}},{"field":"","value":{}},{"value":{"id":"8"}}]}]}`, true},
		{"times", `{"object":"instagram","entry":[{"id":"1","time":-5,"changes":[{"field":"comments","value":{"id":"a"}}]},{"id":"1","time":1.5e9,"changes":[{"field":"comments","value":{"id":"b"}}]},{"id":"1","time":null,"changes":[{"field":"comments","value":{"id":"9"}}]},{"id":"1","time":99999999999999999999,"changes":[{"field":"comments","value":{"id":"8"}}]}]}`, true},
		{"unknown members everywhere", "{\"object\":\"instagram\",\"x\":[{\"y\":\"]}\\\"\"}],\"entry\":[{\"z\":{\"a\":[1,{}]},\"id\":\"1\",\"changes\":[{\"q\":\"}\",\"field\":\"comments\",\"value\":{\"w\":[[]],\"id\":\"9\",\"from\":{\"v\":1,\"id\":\"u\"},\"media\":{\"k\":\"{\",\"id\":\"7\"}}}]}],\"t\":true}", true},
		{"whitespace", " \n{ \"object\":\"instagram\", \"entry\" : [ { \"id\" : \"1\" , \"changes\" : [ { \"field\" : \"comments\" , \"value\" : { \"id\" : \"c\" , \"text\" : \"a b\" } } ] } ] }\t\r\n", true},
		{"ids not Meta-shaped", `{"object":"instagram","entry":[{"id":"acme","changes":[{"field":"comments","value":{"id":"9"}}]},{"id":"1","changes":[{"field":"comments","value":{"id":"c9"}},{"field":"comments","value":{"id":"9","media":{"id":"m-1"}}},{"field":"comments","value":{"id":"1234567890123456789012345678901"}},{"field":"comments","value":{"id":-5}},{"field":"comments","value":{"id":"123456789012345678901234567890","media":{"id":17890000000000201}}}]}]}`, true},
		{"empty entry list", `{"object":"instagram","entry":[]}`, true},
		// Left to encoding/json.
		{"escaped object name", `{"object":"\u0069nstagram","entry":[{"id":"1","changes":[{"field":"comments","value":{"id":"9"}}]}]}`, false},
		{"escaped member name", `{"object":"instagram","entry":[{"\u0069d":"1","changes":[{"field":"comments","value":{"id":"9"}}]}]}`, false},
		{"folding member name", "{\"object\":\"instagram\",\"entry\":[{\"id\":\"1\",\"change\u017f\":[{\"field\":\"comments\",\"value\":{\"id\":\"9\"}}]}]}", false},
		{"folding value member", withValue("{\"id\":\"9\",\"\u212aey\":1,\"from\":{\"id\":\"u\"}}"), false},
		{"repeated entry list", `{"object":"instagram","entry":[{"id":"1","time":1}],"entry":[{"changes":[{"field":"comments","value":{"id":"9"}}]}]}`, false},
		{"repeated entry member", `{"object":"instagram","entry":[{"id":"1","id":"2","changes":[{"field":"comments","value":{"id":"9"}}]}]}`, false},
		{"repeated change member", `{"object":"instagram","entry":[{"id":"1","changes":[{"field":"mentions","field":"comments","value":{"id":"9"}}]}]}`, false},
		{"repeated value member", withValue(`{"id":"9","from":{"id":"u"},"from":{"username":"n"}}`), false},
		{"repeated from member", withValue(`{"id":"9","from":{"id":"u","ID":"v"}}`), false},
		{"repeated media member", withValue(`{"id":"9","media":{"id":"7","id":"n"}}`), false},
		{"quoted time", `{"object":"instagram","entry":[{"id":"1","time":"1767225600","changes":[{"field":"comments","value":{"id":"9"}}]}]}`, false},
		{"bad quoted time", `{"object":"instagram","entry":[{"id":2,"time":"x","changes":[{"field":"live_comments","value":null}]}]}`, false},
		{"escaped field", `{"object":"instagram","entry":[{"id":"1","changes":[{"field":"comment\u0073","value":{"id":"9"}}]}]}`, false},
		{"object a number", `{"object":5,"entry":[]}`, false},
		{"entry an object", `{"object":"instagram","entry":{"id":"1"}}`, false},
		{"changes an object", `{"object":"instagram","entry":[{"id":"1","changes":{"field":"comments"}}]}`, false},
		{"entry a number", `{"object":"instagram","entry":[7]}`, false},
		{"change a number", `{"object":"instagram","entry":[{"id":"1","changes":[5]}]}`, false},
		{"field an array", `{"object":"instagram","entry":[{"id":"1","changes":[{"field":["comments"]}]}]}`, false},
		{"body null", `null`, false},
		{"body empty object", `{}`, false},
		{"no object", `{"entry":[{"id":"1","changes":[{"field":"comments","value":{"id":"9"}}]}]}`, false},
		{"body an array", `[1,2]`, false},
		{"invalid JSON", `{"object":"instagram","entry":[`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(tc.body)
			if _, fast := parseFast(body); fast != tc.fast {
				t.Errorf("parseFast took it = %v, want %v", fast, tc.fast)
			}
			sameAsReference(t, body)
		})
	}
}

// FuzzParseMatchesReference checks Parse against the first implementation
// on arbitrary bodies.
func FuzzParseMatchesReference(f *testing.F) {
	for _, s := range []string{feedExample, reelReplyExample, adExample, liveExample,
		string(deliveryBody(3)), withValue(`{"id":"c","text":"\ud83d\ude00\u00e4","from":{"id":7,"username":null},"media":{"ad_id":"a"}}`),
		`{"OBJECT":"page","Entry":[null,{"ID":1,"Field":"comments","Value":{"comment_id":"x"}}]}`,
		`{"entry":[{"id":"1","changes":[{"field":"comments","value":{"id":"c","id":"d"}}]}]}`,
		`{}`, `null`, `[]`, `{"entry":[{"changes":[{"value":{"id":{"nested":1}}}]}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		sameAsReference(t, body)
	})
}

// TestParse_malformedMessages pins the error texts: they come from
// encoding/json on the reflective path, as before.
func TestParse_malformedMessages(t *testing.T) {
	cases := []struct{ body, want string }{
		{``, "webhook: malformed delivery: unexpected end of JSON input"},
		{`not json`, "webhook: malformed delivery: invalid character 'o' in literal null (expecting 'u')"},
		{`[1,2]`, "webhook: malformed delivery: json: cannot unmarshal array into Go value of type webhook.envelope"},
		{`null x`, "webhook: malformed delivery: invalid character 'x' after top-level value"},
		{`{"object":"instagram","entry":{"id":"1"}}`, "webhook: malformed delivery: json: cannot unmarshal object into Go struct field envelope.entry of type []webhook.entry"},
		{`{"object":"instagram","entry":[{"id":"1","changes":{"field":"comments"}}]}`, "webhook: malformed delivery: json: cannot unmarshal object into Go struct field entry.entry.changes of type []webhook.change"},
		{`{"entry":[{"id":2,"time":"x","changes":[]}]}`, `webhook: malformed delivery: json: invalid number literal, trying to unmarshal "\"x\"" into Number`},
		{`{"entry":[{"id":"1","time":true}]}`, "webhook: malformed delivery: json: cannot unmarshal bool into Go struct field entry.entry.time of type json.Number"},
		{`{"entry":[{"id":"1","changes":[{"field":["comments"]}]}]}`, "webhook: malformed delivery: json: cannot unmarshal array into Go struct field change.entry.changes.field of type string"},
		{`{"entry":[7]}`, "webhook: malformed delivery: json: cannot unmarshal number into Go struct field envelope.entry of type webhook.entry"},
	}
	for _, tc := range cases {
		_, err := Parse([]byte(tc.body))
		if err == nil || err.Error() != tc.want {
			t.Errorf("Parse(%q) err = %v\nwant %s", tc.body, err, tc.want)
		}
	}
}
