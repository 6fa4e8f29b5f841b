package webhook

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// deliveryBody builds a delivery as Meta sends it: compact JSON, one entry
// per comment, non-ASCII text escaped as \uXXXX, every fourth comment a reply
// and every tenth an ad comment.
func deliveryBody(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"object":"instagram","entry":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"17841400000000001","time":%d,"changes":[{"field":"comments","value":{`, 1767225600+i)
		fmt.Fprintf(&b, `"from":{"id":"%d","username":"user.%d"},`, 1234567890123456+i, i)
		fmt.Fprintf(&b, `"media":{"id":"1789000000000%04d","media_product_type":"FEED"`, i%37)
		if i%10 == 9 {
			b.WriteString(`,"ad_id":"120200000000000001","ad_title":"Spring sale - carousel","original_media_id":"17890000000000199"`)
		}
		fmt.Fprintf(&b, `},"id":"1790000000%07d","text":"Price please? \u00e4\u00f6 \ud83d\ude00 #%d"`, i, i)
		if i%4 == 3 {
			fmt.Fprintf(&b, `,"parent_id":"1790000000%07d"`, i-1)
		}
		b.WriteString(`}}]}`)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

func BenchmarkParse(b *testing.B) {
	for _, n := range []int{1, 100} {
		body := deliveryBody(n)
		b.Run(fmt.Sprintf("comments=%d", n), func(b *testing.B) {
			p, err := Parse(body)
			if err != nil || len(p.Events) != n {
				b.Fatalf("events %d err %v", len(p.Events), err)
			}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, n := range []int{1, 100} {
		body := deliveryBody(n)
		header := "sha256=" + hex.EncodeToString(independentHMAC("app-secret", body))
		b.Run(fmt.Sprintf("comments=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := Verify("app-secret", body, header); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerifier(b *testing.B) {
	v := NewVerifier("app-secret")
	for _, n := range []int{1, 100} {
		body := deliveryBody(n)
		header := "sha256=" + hex.EncodeToString(independentHMAC("app-secret", body))
		b.Run(fmt.Sprintf("comments=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := v.Verify(body, header); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
