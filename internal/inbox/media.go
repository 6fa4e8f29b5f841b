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
