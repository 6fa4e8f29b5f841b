package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/store/testdb"
)

// TestShutdown_webhooksInFlightGet200: SIGTERM while deliveries keep coming.
// The server stops accepting, finishes what it accepted (each of those is
// committed and answered 200), then stops its workers and closes the
// database: no delivery gets a 5xx, and every 200 is stored.
func TestShutdown_webhooksInFlightGet200(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("shutdown test skipped under -short")
	}
	dbPath := testdb.DSN(t)
	connectedDB(t, dbPath)
	app := StartApp(t, AppOptions{DBPath: dbPath, Env: productionEnv()})
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var ok, failed atomic.Int64
	var acked sync.Map
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
				id := fmt.Sprintf("%d%06d", 17900000000+w, i)
				body, sig := signedDelivery(id)
				req, _ := http.NewRequest(http.MethodPost, app.URL+"/webhooks/instagram", bytes.NewReader(body))
				req.Header.Set("X-Hub-Signature-256", sig)
				resp, err := client.Do(req)
				if err != nil {
					continue // refused once the server stopped accepting: Meta retries
				}
				resp.Body.Close()
				switch {
				case resp.StatusCode == http.StatusOK:
					ok.Add(1)
					acked.Store(id, true)
				case resp.StatusCode >= 500:
					failed.Add(1)
				}
			}
		})
	}
	for ok.Load() < 200 { // under load: then the deploy
		time.Sleep(time.Millisecond)
	}
	app.cmd.Process.Signal(syscall.SIGTERM)
	<-app.done
	close(stop)
	wg.Wait()
	if code := app.Exited(); code != 0 {
		t.Errorf("exit code %d after SIGTERM", code)
	}
	if failed.Load() > 0 {
		t.Errorf("%d deliveries got a 5xx during shutdown (%d got 200)", failed.Load(), ok.Load())
	}
	if missing := missingComments(t, dbPath, &acked); missing > 0 {
		t.Errorf("%d of %d acknowledged deliveries are not stored", missing, ok.Load())
	}
	// Deliveries are counted, not logged one by one: the last summary line,
	// written once requests are finished, counts every 200.
	m := regexp.MustCompile(`msg="webhook deliveries".* accepted=(\d+) comments_new=(\d+)`).FindAllStringSubmatch(app.Logs(), -1)
	accepted, stored := 0, 0
	for _, line := range m {
		a, _ := strconv.Atoi(line[1])
		n, _ := strconv.Atoi(line[2])
		accepted, stored = accepted+a, stored+n
	}
	if accepted < int(ok.Load()) || stored < int(ok.Load()) {
		t.Errorf("summary lines count %d accepted deliveries and %d new comments, want at least %d:\n%s", accepted, stored, ok.Load(), app.Logs())
	}
	if n := strings.Count(app.Logs(), "path=/webhooks/instagram"); n > 0 {
		t.Errorf("%d deliveries logged one by one", n)
	}
}
