package live

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/replydesk/replydesk/internal/inbox"
)

func change(pos int64, account string) inbox.Change {
	return inbox.Change{Position: pos, CommentID: "c" + string(rune('0'+pos%10)), AccountID: account}
}

func positions(cs []inbox.Change) []int64 {
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.Position
	}
	return out
}

func woken(s *Subscription) bool {
	select {
	case <-s.Ready():
		return true
	default:
		return false
	}
}

func TestMemory_routesByAccount(t *testing.T) {
	h := NewMemory(16)
	a := h.Subscribe([]string{"A"})
	ab := h.Subscribe([]string{"A", "B"})
	h.Publish(change(1, "B"))
	if woken(a) {
		t.Error("a subscriber of A was woken by a change to B")
	}
	if !woken(ab) {
		t.Error("a subscriber of B was not woken")
	}
	h.Publish(change(2, "A"), change(3, "B"), change(4, "A"))
	got, err := a.Next(nil)
	if err != nil || len(got) != 2 || got[0].Position != 2 || got[1].Position != 4 {
		t.Errorf("A reads %v, %v; want [2 4]", positions(got), err)
	}
	got, _ = ab.Next(nil)
	if want := []int64{1, 2, 3, 4}; len(got) != 4 || got[0].Position != 1 || got[3].Position != 4 {
		t.Errorf("A+B reads %v; want %v", positions(got), want)
	}
	if got, _ := a.Next(nil); len(got) != 0 {
		t.Errorf("read twice: %v", positions(got))
	}
}

func TestMemory_startsAtSubscription(t *testing.T) {
	h := NewMemory(16)
	h.Publish(change(1, "A"))
	s := h.Subscribe([]string{"A"})
	if got, _ := s.Next(nil); len(got) != 0 {
		t.Errorf("a new subscriber read the past: %v", positions(got))
	}
}

func TestMemory_laggedSubscriberSkipsToNewest(t *testing.T) {
	h := NewMemory(4)
	s := h.Subscribe([]string{"A"})
	for i := int64(1); i <= 6; i++ {
		h.Publish(change(i, "A"))
	}
	if _, err := s.Next(nil); !errors.Is(err, ErrLagged) {
		t.Fatalf("err = %v, want ErrLagged", err)
	}
	h.Publish(change(7, "A"))
	if got, err := s.Next(nil); err != nil || len(got) != 1 || got[0].Position != 7 {
		t.Errorf("after the lag: %v, %v", positions(got), err)
	}
}

func TestMemory_setAccountsAndClose(t *testing.T) {
	h := NewMemory(16)
	s := h.Subscribe([]string{"A"})
	s.SetAccounts([]string{"B"})
	h.Publish(change(1, "A"), change(2, "B"))
	if got, _ := s.Next(nil); len(got) != 1 || got[0].AccountID != "B" {
		t.Errorf("after moving to B: %v", got)
	}
	woken(s) // drain the signal of the changes read
	s.Close()
	s.Close() // idempotent
	s.SetAccounts([]string{"A"})
	if h.Subscribers() != 0 || len(h.byAccount) != 0 {
		t.Errorf("subscribers %d, accounts followed %d after close", h.Subscribers(), len(h.byAccount))
	}
	h.Publish(change(3, "A"))
	if woken(s) {
		t.Error("a closed subscription was woken")
	}
}

// TestMemory_concurrent: publishers never wait for readers, and every
// reader that keeps up sees every change to its account, in order.
func TestMemory_concurrent(t *testing.T) {
	h := NewMemory(1 << 12)
	const readers, changes = 50, 2000
	var wg sync.WaitGroup
	errs := make(chan error, readers)
	subs := make([]*Subscription, readers)
	for i := range subs {
		subs[i] = h.Subscribe([]string{"A"})
	}
	for _, s := range subs {
		wg.Go(func() {
			defer s.Close()
			var last int64
			deadline := time.After(10 * time.Second)
			for last < changes {
				select {
				case <-s.Ready():
				case <-deadline:
					errs <- errors.New("timed out")
					return
				}
				got, err := s.Next(nil)
				if err != nil {
					errs <- err
					return
				}
				for _, c := range got {
					if c.Position != last+1 {
						errs <- errors.New("out of order")
						return
					}
					last = c.Position
				}
			}
		})
	}
	for i := int64(1); i <= changes; i++ {
		h.Publish(change(i, "A"), change(i, "B"))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if h.Subscribers() != 0 {
		t.Errorf("%d subscribers left", h.Subscribers())
	}
}
