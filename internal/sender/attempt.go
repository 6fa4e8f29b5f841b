package sender

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/replydesk/replydesk/internal/meta"
	"github.com/replydesk/replydesk/internal/reply"
	"github.com/replydesk/replydesk/internal/store"
)

// attempt makes one Send API call for r and records what came of it; a
// probe tests whether a held account may send again.
func (s *Worker) attempt(ctx context.Context, r reply.Reply, probe bool) {
	defer s.release(r.AccountID)
	res := s.call(ctx, r)
	res.Probe = probe
	streak, err := s.st.FinishAttempt(ctx, r, res)
	if err != nil {
		s.o.Logger.Error("recording a reply attempt", "reply_id", r.ID, "state", res.State, "error", err)
	}
	s.o.Logger.Info("private reply attempt", "reply_id", r.ID, "comment_id", r.CommentID, "account_id", r.AccountID,
		"attempt", r.Attempts, "state", res.State, "kind", res.Kind, "meta_code", res.MetaCode, "fbtrace_id", res.TraceID, "probe", probe)
	switch {
	case res.Hold != nil:
		s.o.Logger.Warn("account on hold: Meta refused at the Page level", "account_id", r.AccountID,
			"meta_code", res.MetaCode, "meta_subcode", res.MetaSubcode, "probe", probe)
	case res.Unexplained && streak >= s.o.BreakerAfter:
		h := breakerHold(streak)
		h.ProbeAt = s.o.Now().Add(s.o.ProbeEvery)
		if held, err := s.st.HoldAccount(ctx, r.AccountID, h); err != nil {
			s.o.Logger.Error("holding an account", "account_id", r.AccountID, "error", err)
		} else if held {
			s.o.Logger.Warn("account on hold: too many unexplained refusals in a row", "account_id", r.AccountID, "refusals", streak)
		}
	case probe && res.State.Delivered():
		s.o.Logger.Info("account resumed: a probe reply went out", "account_id", r.AccountID)
		s.Kick() // the rest of its queue may go now
	}
	s.wake(r.ID, res.State)
	if res.State == reply.Retrying {
		s.Kick()
	}
}

func (s *Worker) call(ctx context.Context, r reply.Reply) reply.Result {
	now := s.o.Now()
	if !r.Live && !now.Before(r.Deadline) {
		return reply.Result{State: reply.Failed, Kind: reply.KindWindow, ExpireComment: true,
			Error: "The 7-day window closed before the reply could be sent, so Instagram no longer accepts it."}
	}
	pageID, token, err := s.tokens.PageToken(ctx, r.AccountID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return reply.Result{State: reply.Failed, Kind: reply.KindToken, Detail: err.Error(),
			Error: "The account is no longer connected to Replydesk, so the reply was not sent."}
	case err != nil: // it waits for a reconnect (the queue skips the account meanwhile)
		return reply.Result{State: reply.Queued, Kind: reply.KindToken, Detail: err.Error(), NextAttemptAt: now.Add(backoff(r.Attempts, s.o.MaxBackoff)),
			Error: "The account needs reconnecting before it can send. The reply waits in the queue and goes out once someone with a role on the Page reconnects it (Reconnect on the Accounts page)."}
	}
	cctx, cancel := context.WithTimeout(ctx, s.o.CallTimeout)
	sent, usage, err := s.graph.SendPrivateReply(cctx, token, pageID, r.CommentID, r.Text)
	cancel()
	s.noteUsage(r.AccountID, usage)
	if err == nil {
		return reply.Result{State: reply.Sent, MessageID: sent.MessageID, RecipientID: sent.RecipientID, HTTPStatus: http.StatusOK, Called: true}
	}
	res := reply.Result{Detail: err.Error(), Called: true}
	var me *meta.Error
	if errors.As(err, &me) {
		res.HTTPStatus, res.MetaCode, res.MetaSubcode, res.TraceID = me.HTTPStatus, me.Code, me.Subcode, me.TraceID
	}
	// No answer, or a server error: Meta may have taken the reply.
	res.Ambiguous = meta.IsNetError(err) || res.HTTPStatus >= 500
	facts := attemptFacts{live: r.Live, ambiguous: r.Ambiguous, blockedSpan: s.o.MaybeBlockedSpan}
	if meta.Classify(err) == meta.ClassMaybeBlocked {
		before, cerr := s.st.CountAttempts(ctx, r.ID, res.MetaCode)
		if cerr != nil {
			s.o.Logger.Error("counting reply attempts", "reply_id", r.ID, "error", cerr)
		}
		facts.blockedTries = before + 1
	}
	o := classify(err, facts)
	res.State, res.Kind, res.Error, res.Unexplained = o.state, o.kind, o.message, o.unexplained
	switch o.kind {
	case reply.KindToken:
		if merr := s.tokens.MarkTokenFailed(ctx, r.AccountID, err); merr != nil {
			s.o.Logger.Error("marking token failed", "account_id", r.AccountID, "error", merr)
		}
		res.NextAttemptAt = now // the queue skips the account until it is reconnected
	case reply.KindOnHold:
		o.hold.ProbeAt = now.Add(s.o.ProbeEvery)
		res.Hold, res.NextAttemptAt = o.hold, now
	case reply.KindWindow, reply.KindLiveEnded:
		res.ExpireComment = true
	}
	if res.State == reply.Retrying {
		wait := backoff(r.Attempts, s.o.MaxBackoff)
		if o.kind == reply.KindMaybeBlocked {
			wait = o.wait
		}
		if o.kind == reply.KindThrottled {
			wait = max(wait, usage.RegainAfter, meErrRegain(me))
			wait = min(wait, s.o.ThrottleCap)
			s.hold(r.AccountID, now.Add(wait))
		}
		res.NextAttemptAt = now.Add(wait)
		if !r.Live && !res.NextAttemptAt.Before(r.Deadline) {
			res.State, res.Kind, res.ExpireComment = reply.Failed, reply.KindWindow, true
			res.Error = "Instagram kept failing until the 7-day window closed, so the reply could not be sent."
		}
		if r.Live && r.Attempts >= 10 {
			res.State = reply.Failed
			res.Error = "Instagram kept failing while the broadcast ran, so the reply could not be sent."
		}
	}
	return res
}

func meErrRegain(me *meta.Error) time.Duration {
	if me == nil {
		return 0
	}
	return me.Usage.RegainAfter
}

// backoff is the wait before retry n: 2 s doubling, with jitter, capped.
func backoff(attempt int, limit time.Duration) time.Duration {
	d := 2 * time.Second << min(attempt, 12)
	d = min(d, limit)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}
