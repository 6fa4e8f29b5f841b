// Package testport gives a test a TCP port for a process it starts to
// listen on (the replydesk binary, a simulator's webhook target).
package testport

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// Free returns a TCP port on 127.0.0.1 for a replydesk binary to listen
// on, kept for this test alone until it ends.
//
// The binary binds the port itself, a moment after this returns, so the
// port must not be taken in between. A port the kernel handed out (":0")
// can be: it comes from the range the kernel also gives every outgoing
// connection, and the tests running side by side make many. So ports come
// from below that range, in turn from a random start (each test process
// its own), and a lock file per port (in the temp dir) keeps two test
// processes (SQLite's and PostgreSQL's) off the same one.
func Free(t testing.TB) int {
	t.Helper()
	ports.Lock()
	defer ports.Unlock()
	low, high := portRange()
	if ports.next < low || ports.next >= high {
		ports.next = low + rand.IntN(high-low)
	}
	dir := filepath.Join(os.TempDir(), "replydesk-e2e-ports")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatalf("e2e: free port: %v", err)
	}
	for range high - low {
		p := ports.next
		if ports.next++; ports.next >= high {
			ports.next = low
		}
		f, err := os.OpenFile(filepath.Join(dir, strconv.Itoa(p)), os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			t.Fatalf("e2e: free port: %v", err)
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
			f.Close() // another test process holds it
			continue
		}
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			f.Close() // something else listens there
			continue
		}
		ln.Close()
		t.Cleanup(func() { f.Close() }) // closing the file releases the lock
		return p
	}
	t.Fatalf("e2e: no free port in %d–%d", low, high-1)
	return 0
}

// ports is Free's turn within this test process.
var ports struct {
	sync.Mutex
	next int
}

// portRange is where Free looks: [low, high), below the kernel's range
// for outgoing connections (net.ipv4.ip_local_port_range, 32768 by default).
func portRange() (low, high int) {
	high = 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil && n > 12000 {
				high = n
			}
		}
	}
	return 10000, high
}
