package views

// ContextVM is what the panel shows around a comment: the post it is on,
// the comment it replies to, and when it was made.
type ContextVM struct {
	Post      PostVM
	Parent    *ParentVM // nil: not a reply
	PostedAgo string    // "posted 2 h ago", from the comment's own time
	PostedISO string    // that time, RFC 3339 (the browser shows it in local time)
	PostedUTC string    // that time in words, UTC (until the script runs)
}

// PostVM is the post a comment is on.
type PostVM struct {
	Label      string // "Post 1789…" before Graph answered, else its kind ("Reel", "Post")
	MediaID    string
	Caption    string // an excerpt
	Permalink  string // "" when unknown
	PictureURL string // the app's own copy; "" without one
	PictureAlt string
	PostedAgo  string // when the post was made, "" unknown
}

// ParentVM is the comment a reply answers.
type ParentVM struct {
	Known     bool // stored: its author and text are shown
	Username  string
	Text      string
	DetailURL string
}
