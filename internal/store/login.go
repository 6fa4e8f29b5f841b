package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/replydesk/replydesk/internal/account"
	"github.com/replydesk/replydesk/internal/identity"
)

// LoginRecord is what one Facebook login found out: who the user is, their
// long-lived token, and their role on each Page with a linked Instagram
// account.
type LoginRecord struct {
	FacebookID       string
	Name             string
	Email            string
	AvatarURL        string
	UserToken        []byte // sealed long-lived user token
	UserTokenExpires time.Time
	Declined         []string // permissions the user declined
	Grants           []Grant
}

// Grant is the user's role on one Page (and its Instagram account).
type Grant struct {
	Account   account.Account // ID, Username, Name, PictureURL, PageID, PageName, MissingPermissions
	Tasks     []string
	PageToken []byte // sealed Page token; connects the account only when Tasks allow replying
}

// RecordLogin saves a login in one transaction: it creates or updates the
// user, connects (or refreshes the Page token of) every account the user
// can reply on, replaces the user's access rows with exactly the grants
// found now, and makes the user admin when no admin exists yet and they can
// reply on at least one account. Two simultaneous first logins are
// serialised (SQLite: the one writer; PostgreSQL: lock "identity", which
// every change of roles and access takes) and only the first becomes admin.
func (s *Store) RecordLogin(ctx context.Context, rec LoginRecord) (identity.User, error) {
	now := ms(s.now())
	var user userRow
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		if err := s.lock(tx, "identity"); err != nil {
			return err
		}
		if err := upsertUser(tx, rec, now, &user); err != nil {
			return err
		}
		if err := tx.Where("user_id = ?", user.ID).Delete(&accessRow{}).Error; err != nil {
			return fmt.Errorf("clear access: %w", err)
		}
		canReplyAny := false
		for _, g := range rec.Grants {
			known, disconnected, err := accountState(tx, g.Account.ID)
			if err != nil {
				return err
			}
			if disconnected {
				continue // an admin disconnected it: only they connect it again
			}
			reply := identity.CanReply(g.Tasks)
			if reply && len(g.PageToken) > 0 {
				if err := connectAccount(tx, g, user.ID, now); err != nil {
					return err
				}
			} else if !known {
				// Without MESSAGING (or without a Page token) the user cannot
				// connect an account; their role is recorded only on
				// accounts already connected.
				continue
			}
			row := accessRow{UserID: user.ID, AccountID: g.Account.ID, Tasks: joinList(g.Tasks), CanReply: reply, CheckedAt: now}
			if err := tx.Create(&row).Error; err != nil {
				return fmt.Errorf("record access to %s: %w", g.Account.ID, err)
			}
			canReplyAny = canReplyAny || reply
		}
		if canReplyAny && user.Role != identity.RoleAdmin {
			var admins int64
			if err := tx.Model(&userRow{}).Where("role = ?", identity.RoleAdmin).Count(&admins).Error; err != nil {
				return fmt.Errorf("count admins: %w", err)
			}
			if admins == 0 {
				user.Role = identity.RoleAdmin
				if err := tx.Model(&userRow{}).Where("id = ?", user.ID).Update("role", user.Role).Error; err != nil {
					return fmt.Errorf("make first admin: %w", err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return identity.User{}, fmt.Errorf("store: record login of %s: %w", rec.FacebookID, err)
	}
	return user.toDomain(), nil
}

func upsertUser(tx *gorm.DB, rec LoginRecord, now int64, user *userRow) error {
	err := tx.Take(user, "facebook_id = ?", rec.FacebookID).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		*user = userRow{FacebookID: rec.FacebookID, Role: identity.RoleAgent, CreatedAt: now}
	case err != nil:
		return fmt.Errorf("read user: %w", err)
	}
	user.Name, user.Email, user.AvatarURL = rec.Name, rec.Email, rec.AvatarURL
	user.UserToken, user.UserTokenExpires = rec.UserToken, ms(rec.UserTokenExpires)
	user.DeclinedPermissions = joinList(rec.Declined)
	var without []string
	for _, g := range rec.Grants {
		if !identity.CanReply(g.Tasks) && g.Account.PageName != "" {
			without = append(without, strings.ReplaceAll(g.Account.PageName, "\n", " "))
		}
	}
	user.PagesWithoutMessages = strings.Join(without, "\n")
	user.LastLoginAt, user.LastSeenAt = now, now
	if err := tx.Save(user).Error; err != nil {
		return fmt.Errorf("save user: %w", err)
	}
	return nil
}

// connectAccount creates the account or refreshes it: new Page token, token
// state back to ok, Instagram details as Meta reports them now.
func connectAccount(tx *gorm.DB, g Grant, userID, now int64) error {
	a := g.Account
	// An Instagram account relinked to another Page, or a Page relinked to
	// another Instagram account, replaces the stale row.
	if err := tx.Where("page_id = ? AND id <> ?", a.PageID, a.ID).Delete(&accountRow{}).Error; err != nil {
		return fmt.Errorf("drop stale account of page %s: %w", a.PageID, err)
	}
	row := accountRow{
		ID: a.ID, Username: a.Username, Name: a.Name, PictureURL: a.PictureURL, PageID: a.PageID, PageName: a.PageName,
		PageToken: g.PageToken, TokenState: account.TokenOK, MissingPermissions: joinList(a.MissingPermissions),
		ConnectedBy: &userID, ConnectedAt: now, UpdatedAt: now,
	}
	err := tx.Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"username", "name", "picture_url", "page_id", "page_name",
			"page_token", "token_state", "token_error", "missing_permissions", "connected_by", "updated_at"}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("connect account %s: %w", a.ID, err)
	}
	return nil
}

// accountState reports whether an account is known and whether an admin
// disconnected it.
func accountState(tx *gorm.DB, id string) (known, disconnected bool, err error) {
	var rows []accountRow
	if err := tx.Select("id", "disconnected_at").Where("id = ?", id).Find(&rows).Error; err != nil {
		return false, false, fmt.Errorf("look up account %s: %w", id, err)
	}
	if len(rows) == 0 {
		return false, false, nil
	}
	return true, rows[0].DisconnectedAt != 0, nil
}

// RefreshAccess replaces userID's access rows with the grants found now, for
// accounts already connected (and not disconnected) (the reconciler's re-check of Page roles). It
// connects nothing and changes no token: that takes a login.
func (s *Store) RefreshAccess(ctx context.Context, userID int64, grants []Grant) error {
	now := ms(s.now())
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		if err := s.lock(tx, "identity"); err != nil {
			return err
		}
		if err := tx.Where("user_id = ?", userID).Delete(&accessRow{}).Error; err != nil {
			return err
		}
		for _, g := range grants {
			known, disconnected, err := accountState(tx, g.Account.ID)
			if err != nil {
				return err
			}
			if !known || disconnected {
				continue
			}
			row := accessRow{UserID: userID, AccountID: g.Account.ID, Tasks: joinList(g.Tasks), CanReply: identity.CanReply(g.Tasks), CheckedAt: now}
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: refresh access of user %d: %w", userID, err)
	}
	return nil
}
