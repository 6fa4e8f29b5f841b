package store

import (
	"context"
	"fmt"
	"time"
)

// TryLease takes the named lease for this process until ttl from now, or
// renews it when this process holds it already. It answers false while
// another process holds it. Periodic work that must not run twice at once
// in several processes (a backfill of one account, the reconciler, polling
// one account's Live broadcasts) runs under a lease; a process that dies
// leaves its lease to expire, and another takes the work over.
func (s *Store) TryLease(ctx context.Context, name string, ttl time.Duration) (bool, error) {
	now := s.now()
	res := s.w.WithContext(ctx).Exec(`INSERT INTO leases (name, holder, until) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
		WHERE leases.until <= ? OR leases.holder = excluded.holder`,
		name, s.holder, ms(now.Add(ttl)), ms(now))
	if res.Error != nil {
		return false, fmt.Errorf("store: lease %s: %w", name, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// ReleaseLease gives up the named lease if this process holds it.
func (s *Store) ReleaseLease(ctx context.Context, name string) error {
	err := s.w.WithContext(ctx).Exec(`DELETE FROM leases WHERE name = ? AND holder = ?`, name, s.holder).Error
	if err != nil {
		return fmt.Errorf("store: release lease %s: %w", name, err)
	}
	return nil
}
