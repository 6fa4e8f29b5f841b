package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/replydesk/replydesk/internal/inbox"
)

// The post each comment is on, for the inbox's panel: read from Graph off
// the request path (ingest.PostReader), kept in media and media_pictures.

// MediaToRead is a media whose post is due to be read from Graph.
type MediaToRead struct {
	ID        string
	AccountID string
	Failures  int // reads that failed in a row
}

// MediaDue answers up to limit media due a read (never read, or due a
// refresh or a retry) that have open comments, longest due first.
func (s *Store) MediaDue(ctx context.Context, limit int) ([]MediaToRead, error) {
	var out []MediaToRead
	err := s.r.WithContext(ctx).Raw(`SELECT m.id, m.account_id, m.read_failures AS failures FROM media m
		WHERE m.read_after <= ? AND EXISTS (SELECT 1 FROM comments c WHERE c.media_id = m.id AND c.status = 'open')
		ORDER BY m.read_after LIMIT ?`, ms(s.now()), limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: media due a read: %w", err)
	}
	return out, nil
}

// PostRead is what Graph said about a media, with its picture when it
// could be downloaded (nil otherwise: a picture kept before stays).
type PostRead struct {
	MediaID     string
	MediaType   string
	Caption     string
	Permalink   string
	PostedAt    time.Time
	Picture     []byte
	PictureType string
}

// RecordPost stores a media's post and when to read it again. It publishes
// nothing: no row shows the post, and it is read as its first comments
// arrive, before anyone opens them (a panel opened sooner shows the post's
// id until it is opened again).
func (s *Store) RecordPost(ctx context.Context, p PostRead, next time.Time) error {
	now := ms(s.now())
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Exec(`UPDATE media SET media_type = ?, caption = ?, permalink = ?, posted_at = ?, read_at = ?, read_after = ?,
			read_failures = 0, updated_at = ? WHERE id = ?`,
			p.MediaType, p.Caption, p.Permalink, ms(p.PostedAt), now, ms(next), now, p.MediaID).Error
		if err != nil || p.Picture == nil {
			return err
		}
		return tx.Exec(`INSERT INTO media_pictures (media_id, content_type, data, fetched_at)
			SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM media WHERE id = ?)
			ON CONFLICT (media_id) DO UPDATE SET content_type = excluded.content_type, data = excluded.data, fetched_at = excluded.fetched_at`,
			p.MediaID, p.PictureType, p.Picture, now, p.MediaID).Error
	})
	if err != nil {
		return fmt.Errorf("store: record post %s: %w", p.MediaID, err)
	}
	return nil
}

// RecordPostFailed notes a failed read of a media's post and when to try
// again; what was read before stays.
func (s *Store) RecordPostFailed(ctx context.Context, mediaID string, retry time.Time) error {
	err := s.w.WithContext(ctx).Exec(`UPDATE media SET read_failures = read_failures + 1, read_after = ? WHERE id = ?`,
		ms(retry), mediaID).Error
	if err != nil {
		return fmt.Errorf("store: record post read failure %s: %w", mediaID, err)
	}
	return nil
}

// Post answers the post of a media userID may see (its zero fields until
// Graph answered); ErrNotFound for a media unknown or not theirs.
func (s *Store) Post(ctx context.Context, userID int64, mediaID string) (inbox.Post, error) {
	var rows []struct {
		ID, MediaType, Caption, Permalink string
		PostedAt, ReadAt                  int64
		ReadFailures                      int
		Picture                           bool
	}
	err := s.r.WithContext(ctx).Raw(`SELECT m.id, m.media_type, m.caption, m.permalink, m.posted_at, m.read_at, m.read_failures,
		EXISTS (SELECT 1 FROM media_pictures p WHERE p.media_id = m.id) AS picture
		FROM media m WHERE m.id = ? AND `+mediaVisibleTo, mediaID, userID).Scan(&rows).Error
	if err != nil {
		return inbox.Post{}, fmt.Errorf("store: post %s: %w", mediaID, err)
	}
	if len(rows) == 0 {
		return inbox.Post{}, ErrNotFound
	}
	r := rows[0]
	p := inbox.Post{MediaID: r.ID, MediaType: r.MediaType, Caption: r.Caption, Permalink: r.Permalink, Picture: r.Picture, ReadFailures: r.ReadFailures}
	p.PostedAt, p.ReadAt = fromMS(r.PostedAt), fromMS(r.ReadAt)
	return p, nil
}

// PostPicture answers the kept picture of a media userID may see and when
// it was fetched; ErrNotFound when there is none for them.
func (s *Store) PostPicture(ctx context.Context, userID int64, mediaID string) (data []byte, contentType string, at time.Time, err error) {
	var rows []struct {
		ContentType string
		Data        []byte
		FetchedAt   int64
	}
	err = s.r.WithContext(ctx).Raw(`SELECT p.content_type, p.data, p.fetched_at FROM media_pictures p JOIN media m ON m.id = p.media_id
		WHERE p.media_id = ? AND `+mediaVisibleTo, mediaID, userID).Scan(&rows).Error
	switch {
	case err != nil:
		return nil, "", time.Time{}, fmt.Errorf("store: post picture %s: %w", mediaID, err)
	case len(rows) == 0:
		return nil, "", time.Time{}, ErrNotFound
	}
	return rows[0].Data, rows[0].ContentType, fromMS(rows[0].FetchedAt), nil
}

// mediaVisibleTo is visibleTo for the alias m of media.
const mediaVisibleTo = `m.account_id IN (SELECT account_id FROM account_access WHERE user_id = ? AND can_reply = 1)`
