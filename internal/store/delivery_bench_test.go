package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
	"github.com/replydesk/replydesk/internal/store/testdb"
)

// BenchmarkCommitDeliveries measures the group commit: batches of 32
// single-comment deliveries per transaction.
func BenchmarkCommitDeliveries(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, testdb.DSN(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	s.InsertFixture(ctx, "accounts", map[string]any{"id": "a", "username": "u", "page_id": "p", "connected_at": 1, "updated_at": 1})
	body := []byte(`{"object":"instagram","entry":[{"id":"a","time":1,"changes":[{"field":"comments","value":{"id":"x","text":"Price please?","from":{"id":"u","username":"jane.doe"},"media":{"id":"m","media_product_type":"FEED"}}}]}]}`)
	n := 0
	b.ResetTimer()
	for i := range b.N {
		batch := make([]DeliveryIn, 32)
		for j := range batch {
			n++
			batch[j] = DeliveryIn{ReceivedAt: now, Signature: "sha256=x", Body: body, Comments: []inbox.Comment{{
				ID: fmt.Sprint("c", n), AccountID: "a", MediaID: "m", Surface: "post", Username: "jane.doe",
				Text: "Price please? How much is the blue one", Status: "open", Deadline: now, ReceivedAt: now, UpdatedAt: now}}}
		}
		if _, err := s.CommitDeliveries(ctx, batch); err != nil {
			b.Fatal(err)
		}
		if i%16 == 15 { // the search indexer's share of the work
			if _, err := s.IndexSearch(ctx, 5000); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*32)/b.Elapsed().Seconds(), "deliveries/s")
}
