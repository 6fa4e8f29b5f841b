package webhook

import (
	"errors"
	"fmt"
	"io"
)

// MaxBody is the largest delivery accepted: 1 MiB (Meta's reach a few
// hundred KB).
const MaxBody = 1 << 20

// ErrTooLarge is a delivery over MaxBody.
var ErrTooLarge = errors.New("webhook: body over 1 MiB")

// ReadBody reads a whole delivery into one buffer sized by its
// Content-Length (size; -1 when unknown), so that the usual body is read
// with one allocation and no copy, and refuses more than MaxBody bytes.
func ReadBody(r io.Reader, size int64) ([]byte, error) {
	if size > MaxBody {
		return nil, ErrTooLarge
	}
	if size < 0 {
		size = 512
	}
	b := make([]byte, 0, size+1) // +1: EOF is seen without growing
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if len(b) > MaxBody {
			return nil, ErrTooLarge
		}
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, fmt.Errorf("webhook: read body: %w", err)
		}
	}
}
