package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestRunSim_servesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- runSim(ctx, []string{"--addr", "127.0.0.1:0", "--app-id", "1", "--app-secret", "s", "--seed", "3",
			"--login-config-id", "424242"}, outW, io.Discard)
		_ = outW.Close()
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatalf("no address line: %v", err)
	}
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	resp, err := http.Get(strings.TrimSpace(line) + "/control/world")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("world: %d", resp.StatusCode)
	}
	// --login-config-id: the dialog knows that Login for Business configuration only.
	base := strings.TrimSpace(line)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for cfg, want := range map[string]int{"424242": http.StatusFound, "999": http.StatusBadRequest} {
		resp, err := client.Get(base + "/dialog/oauth?client_id=1&response_type=code&state=s&redirect_uri=" +
			url.QueryEscape("http://127.0.0.1:1/cb") + "&config_id=" + cfg + "&sim_user=" + firstUser(t, base))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("dialog with config_id %s = %d, want %d", cfg, resp.StatusCode, want)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("runSim: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("runSim did not stop")
	}
}

func TestRunSim_badFlags(t *testing.T) {
	for _, args := range [][]string{{"--nope"}, {"--app-id", "1"}, {"--app-id", "1", "--app-secret", "s", "extra"}} {
		if err := runSim(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("runSim(%v) accepted", args)
		}
	}
}

func firstUser(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/control/world")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var w struct {
		Users []struct {
			ID string `json:"id"`
		} `json:"users"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&w); err != nil || len(w.Users) == 0 {
		t.Fatalf("world: %v", err)
	}
	return w.Users[0].ID
}
