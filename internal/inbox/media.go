package inbox

import "time"

// Media is a post, reel, story, ad or Live broadcast that comments arrived
// on, with its latest comment to recognise it by.
type Media struct {
	ID              string
	AccountID       string
	AccountUsername string
	Surface         Surface
	AdTitle         string
	LastText        string    // its latest comment
	LastAt          time.Time // when that arrived
}

// Post is what the inbox shows of the media a comment is on, as Graph last
// described it (GET /{media-id}): zero fields until it answered.
type Post struct {
	MediaID   string
	MediaType string // IMAGE, VIDEO, CAROUSEL_ALBUM, BROADCAST
	Caption   string
	Permalink string    // the post on Instagram
	PostedAt  time.Time // zero: unknown
	Picture   bool      // a thumbnail is kept
	ReadAt    time.Time // when Graph last answered; zero: never (yet)
	// ReadFailures counts the reads that failed since the last success.
	ReadFailures int
}
