package e2e

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/store"

	"github.com/replydesk/replydesk/internal/store/testdb"
)

// Credentials of a production-mode app whose Meta is unreachable: enough for
// signed webhook deliveries.
const (
	benchAppSecret = "bench-app-secret"
	benchAccount   = "17841400000000001"
)

func productionEnv() map[string]string {
	return map[string]string{
		"REPLYDESK_DEMO": "false", "META_APP_ID": "1", "META_APP_SECRET": benchAppSecret,
		"META_VERIFY_TOKEN": "vt", "REPLYDESK_SECRET": strings.Repeat("k", 40),
		"META_GRAPH_URL": "http://127.0.0.1:9", "META_DIALOG_URL": "http://127.0.0.1:9",
	}
}

// connectedDB creates a database at path with one connected account.
func connectedDB(t testing.TB, path string) {
	t.Helper()
	st, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMilli()
	err = st.InsertFixture(context.Background(), "accounts", map[string]any{
		"id": benchAccount, "username": "acme.coffee", "page_id": "1000000000001", "connected_at": now, "updated_at": now,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// signedDelivery is a one-comment delivery to the connected account and its
// signature header.
func signedDelivery(commentID string) ([]byte, string) {
	return signedWith(benchAppSecret, benchAccount, commentID)
}

// signedWith is a one-comment delivery to account and its signature header
// with secret.
func signedWith(secret, account, commentID string) ([]byte, string) {
	body := []byte(fmt.Sprintf(`{"object":"instagram","entry":[{"id":"%s","time":%d,"changes":[{"field":"comments","value":{"id":"%s","text":"Price please? \u00e9\ud83d\ude00","from":{"id":"1234567890123456","username":"jane.doe"},"media":{"id":"17890000000000201","media_product_type":"FEED"}}}]}]}`,
		account, time.Now().Unix(), commentID))
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return body, "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// TestCrash_everyAcknowledgedDeliverySurvivesSIGKILL loads the real binary
// with concurrent deliveries, SIGKILLs it mid-load, restarts it, and checks
// that every delivery that got a 200 is in the database.
func TestCrash_everyAcknowledgedDeliverySurvivesSIGKILL(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("crash test skipped under -short")
	}
	dbPath := testdb.DSN(t)
	connectedDB(t, dbPath)
	app := StartApp(t, AppOptions{DBPath: dbPath, Env: productionEnv()})
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

	var acked sync.Map
	var sent, ok atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("%d%07d", 17920000000+w, i) // Meta-shaped: digits
				body, sig := signedDelivery(id)
				req, _ := http.NewRequest(http.MethodPost, app.URL+"/webhooks/instagram", bytes.NewReader(body))
				req.Header.Set("X-Hub-Signature-256", sig)
				sent.Add(1)
				resp, err := client.Do(req)
				if err != nil {
					continue // the server died under this request: not acknowledged
				}
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					acked.Store(id, true)
					ok.Add(1)
				}
			}
		})
	}
	for ok.Load() < 200 { // the load runs: then the crash
		runtime.Gosched()
	}
	app.Kill()
	close(stop)
	wg.Wait()
	if ok.Load() < 100 {
		t.Fatalf("only %d of %d deliveries acknowledged before the kill; the load did not run", ok.Load(), sent.Load())
	}

	app.Restart()
	app.Stop() // a clean shutdown, so the check below reads a closed database
	missing := missingComments(t, dbPath, &acked)
	t.Logf("%d deliveries sent, %d acknowledged before SIGKILL", sent.Load(), ok.Load())
	if missing > 0 {
		t.Errorf("%d acknowledged deliveries are missing after the crash", missing)
	}
}

// missingComments counts the comment ids (the keys of ids) that the stopped
// app's database at dbPath does not hold.
func missingComments(t *testing.T, dbPath string, ids *sync.Map) int {
	t.Helper()
	st, err := store.Open(context.Background(), dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	missing := 0
	ids.Range(func(k, _ any) bool {
		if _, err := st.Comment(context.Background(), k.(string)); err != nil {
			missing++
		}
		return true
	})
	return missing
}
