// Command listener is the smoke test's webhook receiver: it answers Meta's
// verification handshake and stores every POST whose X-Hub-Signature-256
// matches the app secret as DIR/N.json (a bad signature as DIR/bad-N.json).
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9091", "listen address")
	secret := flag.String("secret", "", "app secret")
	verify := flag.String("verify-token", "", "verify token")
	dir := flag.String("dir", ".", "where to store deliveries")
	flag.Parse()
	var n atomic.Int64
	http.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	http.HandleFunc("GET /webhooks/instagram", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("hub.mode") != "subscribe" || q.Get("hub.verify_token") != *verify {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		_, _ = io.WriteString(w, q.Get("hub.challenge"))
	})
	http.HandleFunc("POST /webhooks/instagram", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		mac := hmac.New(sha256.New, []byte(*secret))
		mac.Write(body)
		want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
		name := fmt.Sprintf("%d.json", n.Add(1))
		ok := hmac.Equal([]byte(r.Header.Get("X-Hub-Signature-256")), []byte(want))
		if !ok {
			name = "bad-" + name
		}
		if err := os.WriteFile(filepath.Join(*dir, name), body, 0o644); err != nil {
			log.Print(err)
		}
		if !ok {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
