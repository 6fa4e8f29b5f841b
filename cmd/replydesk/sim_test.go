package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
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
		done <- runSim(ctx, []string{"--addr", "127.0.0.1:0", "--app-id", "1", "--app-secret", "s", "--seed", "3"}, outW, io.Discard)
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
