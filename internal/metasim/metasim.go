// Package metasim simulates the parts of Meta's platform that Replydesk
// uses: Facebook Login, Graph API reads, the Send API for private replies and
// signed Instagram comment webhooks, over a seeded world of users, Pages,
// Instagram accounts, media and comments. It is a real HTTP server that
// shares no code with the app's Meta client, driven by a control API
// (DESIGN.md §4) and faithful to meta-platform.md.
//
// Everything is served at the handler's root:
//   - the Graph API, versioned (/v25.0/..., any released version up to
//     v27.0) and unversioned: /oauth/access_token,
//     /debug_token, /me, /me/accounts, /me/permissions, /{id}, /{ig-user-id}/media,
//     /stories and /live_media, /{media-id}/comments, /{comment-id}/replies (GET
//     and POST), POST and DELETE /{comment-id}, /{page-id}/subscribed_apps,
//     /{app-id}/subscriptions and POST /{page-id}/messages;
//   - the OAuth dialog at /dialog/oauth and /v25.0/dialog/oauth (sim_user,
//     sim_decline and sim_cancel script it; config_id selects Facebook Login
//     for Business);
//   - the control API under /control/ (DESIGN.md §4 and §8, plus GET
//     /control/deliveries, GET and DELETE /control/faults, GET /control/clock,
//     POST /control/comments/delete, POST /control/deauthorize and POST
//     /control/data-deletion);
//   - the simulator's page at /, its forms under /ui/, /avatars/{id}.svg and the media pictures at /cdn/{id}.jpg.
//
// Every Graph error comes from the one table in errors.go.
package metasim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Config configures a Sim. AppID and AppSecret are required.
type Config struct {
	AppID, AppSecret, VerifyToken string
	// WebhookURL is the app-level subscription target; "" means no deliveries.
	WebhookURL string
	// Seed makes the world deterministic.
	Seed int64
	// TrafficPerMinute is the rate of generated comments; 0 turns traffic off.
	TrafficPerMinute float64
	// BaseURL is the public base of the simulator, such as
	// "http://127.0.0.1:9090" or "http://localhost:8080/_sim"; it is used for
	// paging links, picture URLs and page links. "" derives it from each request.
	BaseURL string
	// GraphVersion is the pinned Graph API version; default "v25.0".
	GraphVersion string
	// StatePath, when set, names a JSON file loaded at start and saved
	// (debounced) on change and on Close.
	StatePath string
	// Now is the base clock; /control/clock advances an offset on top.
	Now func() time.Time
	// HTTPClient delivers webhooks; default a plain client. However it is
	// set, Meta's 5 s answer limit applies to every delivery.
	HTTPClient *http.Client
	// Logger receives the simulator's logs; default discards them.
	Logger *slog.Logger
	// RetryBackoff is the delay before each webhook retry, the last repeating
	// until 36 h of simulated time have passed; default Meta's schedule scaled
	// down (0, 1s, 2s, 5s, 15s, 30s, 1m, 5m).
	RetryBackoff []time.Duration
	// DeauthorizeURL and DataDeletionURL are the app's callbacks that
	// /control/deauthorize and /control/data-deletion POST a signed_request
	// to; default the WebhookURL's origin + /meta/deauthorize and
	// /meta/data-deletion.
	DeauthorizeURL, DataDeletionURL string
	// LoginConfigID is a Facebook Login for Business configuration the dialog
	// knows ("" for none); LoginConfigScopes is the permission set it grants,
	// by default Replydesk's (see loginconfig.go).
	LoginConfigID     string
	LoginConfigScopes []string
}

// Sim is one simulated Meta platform. Serve Handler and run Run.
type Sim struct {
	cfg    Config
	log    *slog.Logger
	clock  *clock
	world  *world
	minter tokenMinter
	tune   tuning
	hooks  *deliverer
	base   *url.URL // parsed BaseURL, nil when derived per request

	mu     sync.Mutex // guards everything below
	st     *simState
	codes  map[string]*authCode
	faults []*fault
	rng    *rand.Rand

	saveMu      sync.Mutex
	saveTimer   *time.Timer
	savePending bool
	closed      bool

	handler  http.Handler
	pageTmpl *pageTemplates
}

// tuning holds behaviour knobs; tests in this package adjust them.
type tuning struct {
	adDuplicate  float64       // chance an ad comment is delivered twice
	batchChance  float64       // chance a delivery carries several pending events
	maxBatch     int           // most events in one ordinary batch
	busyBacklog  int           // pending events from which traffic counts as high
	bigBatch     int           // most events in one delivery when traffic is high
	maxBody      int           // most bytes in one delivery (beyond one event)
	hookTimeout  time.Duration // how long the app may take to answer a delivery
	gather       time.Duration // how long the first pending event waits for company
	workers      int           // concurrent deliveries
	queueCap     int           // pending events kept before the oldest is dropped
	slowDelay    time.Duration // default graph_slow delay
	batchTimeout time.Duration // a Graph batch answers null for requests still running then
	saveDebounce time.Duration
	trafficTick  time.Duration
}

func defaultTuning() tuning {
	return tuning{
		adDuplicate: 0.5, batchChance: 0.3, maxBatch: 10, gather: 150 * time.Millisecond,
		busyBacklog: 25, bigBatch: maxChangesPerDelivery, maxBody: maxDeliveryBytes, hookTimeout: hookAnswerLimit,
		workers: 4, queueCap: 10000, slowDelay: 3 * time.Second, saveDebounce: time.Second,
		trafficTick: 250 * time.Millisecond, batchTimeout: batchTimeoutDefault,
	}
}

var versionPattern = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)

// New builds a simulator: it seeds the world and loads Config.StatePath.
func New(cfg Config) (*Sim, error) {
	if cfg.AppID == "" || cfg.AppSecret == "" {
		return nil, errors.New("metasim: AppID and AppSecret are required")
	}
	if cfg.GraphVersion == "" {
		cfg.GraphVersion = "v25.0"
	}
	if !versionPattern.MatchString(cfg.GraphVersion) {
		return nil, fmt.Errorf("metasim: GraphVersion %q is not like v25.0", cfg.GraphVersion)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 20 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if len(cfg.RetryBackoff) == 0 {
		cfg.RetryBackoff = []time.Duration{0, time.Second, 2 * time.Second, 5 * time.Second,
			15 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute}
	}
	if cfg.TrafficPerMinute < 0 {
		return nil, errors.New("metasim: TrafficPerMinute must not be negative")
	}
	if err := applyGoingLiveDefaults(&cfg); err != nil {
		return nil, err
	}
	s := &Sim{
		cfg: cfg, log: cfg.Logger, clock: newClock(cfg.Now), minter: newTokenMinter(cfg.AppSecret, cfg.Seed),
		tune: defaultTuning(), codes: map[string]*authCode{},
		rng: rand.New(rand.NewPCG(uint64(cfg.Seed), 0x636f6d6d)),
	}
	if cfg.BaseURL != "" {
		u, err := url.Parse(strings.TrimSuffix(cfg.BaseURL, "/"))
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("metasim: BaseURL %q is not an absolute URL", cfg.BaseURL)
		}
		s.base = u
	}
	var saved *stateFile
	if cfg.StatePath != "" {
		f, err := readStateFile(cfg.StatePath)
		switch {
		case err != nil:
			s.log.Warn("metasim: ignoring unreadable state; starting fresh", "path", cfg.StatePath, "error", err)
		case f != nil && f.Seed != cfg.Seed:
			s.log.Warn("metasim: state was written with another seed; starting fresh", "path", cfg.StatePath, "seed", f.Seed)
		default:
			saved = f
		}
	}
	epoch := s.clock.now().UTC().Truncate(time.Second)
	if saved != nil {
		epoch = saved.Epoch
		s.clock.setOffset(saved.ClockOffset)
	}
	s.world = newWorld(cfg.Seed, epoch)
	s.st = newSimState(epoch)
	for _, c := range s.world.history {
		s.st.addComment(c)
	}
	if saved != nil {
		s.st.restore(saved)
	}
	s.hooks = newDeliverer(cfg.Seed)
	tmpl, err := parsePageTemplates()
	if err != nil {
		return nil, err
	}
	s.pageTmpl = tmpl
	s.handler = s.routes()
	return s, nil
}

// Handler answers everything at the root: the Graph API (versioned and
// unversioned), the OAuth dialog, /control/..., the simulator page and
// avatar images. It can be mounted with http.StripPrefix.
func (s *Sim) Handler() http.Handler { return s.handler }

// Run delivers webhooks and generates traffic until ctx is done.
func (s *Sim) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	work := make(chan *delivery)
	for range max(1, s.tune.workers) {
		wg.Go(func() { s.deliveryWorker(ctx, work) })
	}
	wg.Go(func() { s.dispatch(ctx, work) })
	if s.cfg.TrafficPerMinute > 0 {
		wg.Go(func() { s.runTraffic(ctx) })
	}
	<-ctx.Done()
	wg.Wait()
	return nil
}

// Close saves the state (when Config.StatePath is set) and stops saving.
func (s *Sim) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	if s.saveTimer != nil {
		s.saveTimer.Stop()
	}
	s.mu.Unlock()
	return s.save()
}

// routes lists every route of the simulator.
func (s *Sim) routes() http.Handler {
	mux := http.NewServeMux()
	// The simulator's own pages.
	mux.HandleFunc("GET /{$}", s.simPage)
	mux.HandleFunc("GET /avatars/{file}", s.avatar)
	mux.HandleFunc("GET /cdn/{file}", s.cdn)
	mux.HandleFunc("POST /ui/comment", s.uiComment)
	mux.HandleFunc("POST /ui/live", s.uiLive)
	mux.HandleFunc("POST /ui/fault", s.uiFault)
	// Facebook Login dialog (www.facebook.com).
	mux.HandleFunc("GET /dialog/oauth", s.dialog)
	// Versioned dialogs (/v25.0/dialog/oauth) are routed by serveGraph.
	// Control API (DESIGN.md §4).
	mux.HandleFunc("GET /control/world", s.controlWorld)
	mux.HandleFunc("POST /control/comments", s.controlComment)
	mux.HandleFunc("POST /control/comments/delete", s.controlDeleteComment)
	mux.HandleFunc("GET /control/comments/{id}", s.controlGetComment)
	mux.HandleFunc("POST /control/live/start", s.controlLiveStart)
	mux.HandleFunc("POST /control/live/end", s.controlLiveEnd)
	mux.HandleFunc("GET /control/replies", s.controlReplies)
	mux.HandleFunc("POST /control/faults", s.controlAddFault)
	mux.HandleFunc("GET /control/faults", s.controlFaults)
	mux.HandleFunc("DELETE /control/faults", s.controlClearFaults)
	mux.HandleFunc("POST /control/clock", s.controlClock)
	mux.HandleFunc("GET /control/clock", s.controlClock)
	mux.HandleFunc("POST /control/subscribe", s.controlSubscribe)
	mux.HandleFunc("POST /control/deauthorize", s.controlDeauthorize)
	mux.HandleFunc("POST /control/data-deletion", s.controlDataDeletion)
	mux.HandleFunc("GET /control/deliveries", s.controlDeliveries)
	mux.HandleFunc("/control/", s.controlNotFound)
	// Graph API (graph.facebook.com): everything else.
	mux.HandleFunc("/", s.serveGraph)
	return mux
}

// publicBase answers the simulator's public base URL for a request.
func (s *Sim) publicBase(r *http.Request) string {
	if s.base != nil {
		return s.base.String()
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// pathPrefix answers the path the simulator is mounted under ("" at root).
func (s *Sim) pathPrefix() string {
	if s.base != nil {
		return strings.TrimSuffix(s.base.Path, "/")
	}
	return ""
}

func (s *Sim) now() time.Time { return s.clock.now() }
