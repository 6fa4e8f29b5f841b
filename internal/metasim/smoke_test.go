package metasim

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/testport"
)

// TestSmokeScript runs testdata/smoke.sh (bash + curl) against an
// in-process simulator, as an outside test would against `replydesk sim`.
func TestSmokeScript(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short")
	}
	for _, tool := range []string{"bash", "curl", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	listener := filepath.Join(t.TempDir(), "listener")
	if out, err := exec.Command("go", "build", "-o", listener, "./testdata/listener").CombinedOutput(); err != nil {
		t.Fatalf("build listener: %v\n%s", err, out)
	}
	listenAddr := fmt.Sprintf("127.0.0.1:%d", testport.Free(t))

	sim, err := New(Config{AppID: "123", AppSecret: "s3cret", VerifyToken: "vt", Seed: 1,
		WebhookURL: "http://" + listenAddr + "/webhooks/instagram"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = sim.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	cmdCtx, stop := context.WithTimeout(context.Background(), time.Minute)
	defer stop()
	cmd := exec.CommandContext(cmdCtx, "bash", "testdata/smoke.sh")
	cmd.Env = append(os.Environ(), "SIM_URL="+srv.URL, "APP_ID=123", "APP_SECRET=s3cret", "VERIFY_TOKEN=vt",
		"LISTEN_ADDR="+listenAddr, "LISTENER="+listener)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("smoke.sh: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
