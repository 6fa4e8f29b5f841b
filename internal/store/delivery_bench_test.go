package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
)

// BenchmarkCommitDeliveries measures the group commit: batches of
// benchBatch single-comment deliveries per transaction.
// benchBatch is the deliveries per commit (BENCH_BATCH, default 32): the
// commit's fixed cost shows against batches of 1 or 5.
var benchBatch = func() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_BATCH")); err == nil && n > 0 {
		return n
	}
	return 32
}()

func BenchmarkCommitDeliveries(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "r.db"), Options{})
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
		batch := make([]DeliveryIn, benchBatch)
		for j := range batch {
			n++
			batch[j] = DeliveryIn{ReceivedAt: now, Signature: "sha256=x", Body: body, Comments: []inbox.Comment{{
				ID: fmt.Sprint(17000000000 + n), AccountID: "a", MediaID: "m", Surface: "post", Username: "jane.doe",
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
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "deliveries/s")
}
