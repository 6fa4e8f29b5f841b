package live

import (
	"context"
	"runtime"
	"testing"
	"time"
)

func TestMemory_fanOutAndUnsubscribe(t *testing.T) {
	h := NewMemory()
	ctx := context.Background()
	a, cancelA := h.Subscribe(ctx)
	b, cancelB := h.Subscribe(ctx)
	h.Publish(ctx, Event{Kind: CommentNew, CommentID: "1"})
	for _, ch := range []<-chan Event{a, b} {
		if e := <-ch; e.CommentID != "1" {
			t.Errorf("got %+v", e)
		}
	}
	cancelA()
	cancelA() // idempotent
	if _, ok := <-a; ok {
		t.Error("channel open after cancel")
	}
	h.Publish(ctx, Event{CommentID: "2"})
	if e := <-b; e.CommentID != "2" {
		t.Errorf("b got %+v", e)
	}
	cancelB()
	if h.Subscribers() != 0 {
		t.Errorf("subscribers = %d", h.Subscribers())
	}
}

func TestMemory_slowSubscriberDroppedNotBlocking(t *testing.T) {
	h := NewMemory()
	ctx := context.Background()
	slow, cancel := h.Subscribe(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		for i := 0; i < SubscriberBuffer*3; i++ {
			h.Publish(ctx, Event{CommentID: "x"})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("publisher blocked by a slow subscriber")
	}
	n := 0
	for range slow {
		n++
	}
	if n != SubscriberBuffer {
		t.Errorf("slow subscriber got %d events before being dropped, want %d", n, SubscriberBuffer)
	}
}

func TestMemory_contextEndsSubscriptionWithoutLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	h := NewMemory()
	for i := 0; i < 100; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		ch, _ := h.Subscribe(ctx)
		cancel()
		for range ch {
		}
	}
	deadline := time.Now().Add(time.Second)
	for h.Subscribers() != 0 || runtime.NumGoroutine() > before+2 {
		if time.Now().After(deadline) {
			t.Fatalf("leak: %d subscribers, goroutines %d → %d", h.Subscribers(), before, runtime.NumGoroutine())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
