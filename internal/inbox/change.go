package inbox

// Change is one entry of the change feed: a comment was stored or something
// shown about it changed (status, deadline, reply state). The storage layer
// records one per changed comment in the transaction that changes it and
// publishes it after commit. Position is monotonic in commit order, so it
// doubles as the event id a browser catches up from.
type Change struct {
	Position  int64
	CommentID string
	AccountID string
}
