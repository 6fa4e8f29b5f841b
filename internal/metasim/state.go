package metasim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// simState is everything that changes while the simulator runs. It is
// guarded by Sim.mu and, with Config.StatePath, survives a restart.
type simState struct {
	epoch    time.Time
	counters counters
	revoked  revocations
	declined map[string][]string // user id → permissions declined
	granted  map[string][]string // user id → permissions granted so far
	installs map[string]*install // page id → the app's installation

	comments       map[string]*comment
	byMedia        map[string][]*comment
	replies        []*reply
	replyByComment map[string]*reply

	broadcasts       []*broadcast
	broadcastByMedia map[string]*broadcast
}

// counters number the ids created since the world was seeded.
type counters struct {
	Comment int64 `json:"comment"`
	Media   int64 `json:"media"`
	Message int64 `json:"message"`
}

// revocations invalidate tokens issued before them: a token carries the
// generations current when it was minted. Users counts deauthorizations.
type revocations struct {
	Global int            `json:"global"`
	Pages  map[string]int `json:"pages"`
	Users  map[string]int `json:"users,omitempty"`
}

// install is the app's installation on a Page (POST subscribed_apps).
type install struct {
	Fields []string  `json:"subscribed_fields"`
	At     time.Time `json:"at"`
}

func newSimState(epoch time.Time) *simState {
	return &simState{
		epoch: epoch, revoked: revocations{Pages: map[string]int{}, Users: map[string]int{}},
		declined: map[string][]string{}, granted: map[string][]string{}, installs: map[string]*install{},
		comments: map[string]*comment{}, byMedia: map[string][]*comment{}, replyByComment: map[string]*reply{},
		broadcastByMedia: map[string]*broadcast{},
	}
}

func (st *simState) addComment(c *comment) {
	st.comments[c.ID] = c
	st.byMedia[c.MediaID] = append(st.byMedia[c.MediaID], c)
}

func (st *simState) addReply(r *reply) {
	st.replies = append(st.replies, r)
	st.replyByComment[r.CommentID] = r
}

func (st *simState) addBroadcast(b *broadcast) {
	st.broadcasts = append(st.broadcasts, b)
	st.broadcastByMedia[b.MediaID] = b
}

// stateFile is the JSON written to Config.StatePath. History comments are
// not in it: the seed and epoch recreate them.
type stateFile struct {
	Version        int                 `json:"version"`
	Seed           int64               `json:"seed"`
	Epoch          time.Time           `json:"epoch"`
	ClockOffset    time.Duration       `json:"clock_offset_ns"`
	Counters       counters            `json:"counters"`
	Revoked        revocations         `json:"revoked"`
	Declined       map[string][]string `json:"declined"`
	Granted        map[string][]string `json:"granted"`
	Installs       map[string]*install `json:"installs"`
	Comments       []*comment          `json:"comments"`
	DeletedHistory []string            `json:"deleted_history"`
	HiddenHistory  []string            `json:"hidden_history,omitempty"`
	Replies        []*reply            `json:"replies"`
	Broadcasts     []*broadcast        `json:"broadcasts"`
}

const stateVersion = 1

// readStateFile loads a state file; it answers nil when there is none.
func readStateFile(path string) (*stateFile, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("metasim: read state: %w", err)
	}
	var f stateFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("metasim: parse state %s: %w", path, err)
	}
	if f.Version != stateVersion {
		return nil, fmt.Errorf("metasim: state %s has version %d, want %d", path, f.Version, stateVersion)
	}
	return &f, nil
}

// restore fills st from a state file; history comments must be indexed
// already so that deletions and replies can refer to them.
func (st *simState) restore(f *stateFile) {
	st.counters = f.Counters
	st.revoked = f.Revoked
	if st.revoked.Pages == nil {
		st.revoked.Pages = map[string]int{}
	}
	if st.revoked.Users == nil {
		st.revoked.Users = map[string]int{}
	}
	for k, v := range f.Declined {
		st.declined[k] = v
	}
	for k, v := range f.Granted {
		st.granted[k] = v
	}
	for k, v := range f.Installs {
		st.installs[k] = v
	}
	for _, b := range f.Broadcasts {
		st.addBroadcast(b)
	}
	for _, c := range f.Comments {
		st.addComment(c)
	}
	for _, id := range f.DeletedHistory {
		if c := st.comments[id]; c != nil {
			c.Deleted = true
		}
	}
	for _, id := range f.HiddenHistory {
		if c := st.comments[id]; c != nil {
			c.Hidden = true
		}
	}
	for _, r := range f.Replies {
		st.addReply(r)
	}
}

// snapshotLocked encodes the state for saving.
func (s *Sim) snapshotLocked() ([]byte, error) {
	st := s.st
	f := stateFile{
		Version: stateVersion, Seed: s.cfg.Seed, Epoch: st.epoch, ClockOffset: s.clock.getOffset(),
		Counters: st.counters, Revoked: st.revoked, Declined: st.declined, Granted: st.granted,
		Installs: st.installs, Replies: st.replies, Broadcasts: st.broadcasts,
	}
	for _, list := range st.byMedia {
		for _, c := range list {
			if !c.history {
				f.Comments = append(f.Comments, c)
				continue
			}
			if c.Deleted {
				f.DeletedHistory = append(f.DeletedHistory, c.ID)
			}
			if c.Hidden {
				f.HiddenHistory = append(f.HiddenHistory, c.ID)
			}
		}
	}
	b, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		return nil, fmt.Errorf("metasim: encode state: %w", err)
	}
	return b, nil
}

// markDirtyLocked schedules a debounced save.
func (s *Sim) markDirtyLocked() {
	if s.cfg.StatePath == "" || s.closed || s.savePending {
		return
	}
	s.savePending = true
	if s.saveTimer == nil {
		s.saveTimer = time.AfterFunc(s.tune.saveDebounce, s.saveLogged)
		return
	}
	s.saveTimer.Reset(s.tune.saveDebounce)
}

func (s *Sim) saveLogged() {
	if err := s.save(); err != nil {
		s.log.Error("metasim: save state", "error", err)
	}
}

// save writes the state atomically: a temporary file, then a rename.
func (s *Sim) save() error {
	if s.cfg.StatePath == "" {
		return nil
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	s.mu.Lock()
	s.savePending = false
	b, err := s.snapshotLocked()
	s.mu.Unlock()
	if err != nil {
		return err
	}
	dir := filepath.Dir(s.cfg.StatePath)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("metasim: save state: %w", err)
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(s.cfg.StatePath)+".tmp*")
	if err != nil {
		return fmt.Errorf("metasim: save state: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("metasim: save state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("metasim: save state: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.cfg.StatePath); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("metasim: save state: %w", err)
	}
	return nil
}
