package await

import (
	"context"
	"testing"
	"time"
)

func TestSet(t *testing.T) {
	var s Set
	released := make(chan struct{})
	go func() { s.Wait(context.Background(), 7, time.Minute); close(released) }()
	for {
		s.mu.Lock()
		n := len(s.waiters[7])
		s.mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	s.Done(8) // another record: nothing happens
	select {
	case <-released:
		t.Fatal("released by another id")
	default:
	}
	s.Done(7)
	<-released
	start := time.Now()
	s.Wait(context.Background(), 9, 10*time.Millisecond) // nobody calls Done
	if time.Since(start) < 10*time.Millisecond {
		t.Error("returned before the timeout")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s.Wait(ctx, 10, time.Minute) // an ended context returns at once
	if len(s.waiters) != 0 {
		t.Errorf("waiters left: %v", s.waiters)
	}
}
