package testport

import (
	"fmt"
	"net"
	"testing"
)

func TestFree_distinctPortsBelowTheKernelsRange(t *testing.T) {
	low, high := portRange()
	seen := map[int]bool{}
	for range 20 {
		p := Free(t)
		if p < low || p >= high {
			t.Fatalf("port %d is outside [%d, %d)", p, low, high)
		}
		if seen[p] {
			t.Fatalf("port %d was handed out twice", p)
		}
		seen[p] = true
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			t.Fatalf("port %d cannot be listened on: %v", p, err)
		}
		ln.Close()
	}
}

func TestFree_skipsAPortInUse(t *testing.T) {
	low, _ := portRange()
	var ln net.Listener
	var busy int
	for p := low + 100; ; p++ { // a port of the range that something listens on
		var err error
		if ln, err = net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p)); err == nil {
			busy = p
			break
		}
	}
	defer ln.Close()
	ports.Lock()
	ports.next = busy
	ports.Unlock()
	if p := Free(t); p == busy {
		t.Fatalf("Free handed out port %d, which is in use", p)
	}
}

func TestFree_skipsAPortAnotherTestProcessHolds(t *testing.T) {
	held := Free(t) // this test's, locked as another process would hold it
	ports.Lock()
	ports.next = held
	ports.Unlock()
	if p := Free(t); p == held {
		t.Fatalf("Free handed out port %d twice", p)
	}
}
