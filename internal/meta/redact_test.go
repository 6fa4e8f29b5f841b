package meta

import (
	"context"
	"net"
	"strings"
	"testing"
)

// TestClient_netErrorsCarryNoSecrets: when Graph cannot be reached, the
// error (which gets logged) names the call but not the tokens, the app
// secret or the proof that travelled in its URL.
func TestClient_netErrorsCarryNoSecrets(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing answers there now
	const appSecret, token = "app-secret-3f9a1c", "EAAusertoken7d2e"
	c := New(Options{GraphURL: "http://" + addr, Version: "v25.0", AppID: "1000000000000042", AppSecret: appSecret})
	ctx := context.Background()
	_, err1 := c.ExchangeToken(ctx, token)
	_, err2 := c.DebugToken(ctx, token)
	_, err3 := c.Permissions(ctx, token)
	for _, err := range []error{err1, err2, err3} {
		if err == nil || !IsNetError(err) {
			t.Fatalf("err = %v, want a network error", err)
		}
		for _, secret := range []string{appSecret, token, c.Proof(token)} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the error names a secret: %v", err)
			}
		}
	}
}
