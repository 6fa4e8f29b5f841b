// Package migrations holds the numbered goose SQL migrations, embedded into
// the binary and applied at start and by `replydesk migrate`.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
