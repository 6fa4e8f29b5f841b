package webhook

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// chunked hides a body's length and reads it in small pieces.
type chunked struct{ r io.Reader }

func (c chunked) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), 1000)]) }

func TestReadBody(t *testing.T) {
	for _, size := range []int{0, 1, 511, 512, 513, 70000, MaxBody} {
		body := bytes.Repeat([]byte{'a'}, size)
		for _, declared := range []int64{int64(size), -1} {
			got, err := ReadBody(chunked{bytes.NewReader(body)}, declared)
			if err != nil || !bytes.Equal(got, body) {
				t.Errorf("size %d declared %d: got %d bytes, err %v", size, declared, len(got), err)
			}
		}
	}
	if _, err := ReadBody(strings.NewReader("abc"), MaxBody+1); err != ErrTooLarge {
		t.Errorf("declared over the limit: err = %v", err)
	}
	if _, err := ReadBody(failingReader{}, -1); err == nil || !strings.HasPrefix(err.Error(), "webhook: read body: ") {
		t.Errorf("failing reader: err = %v", err)
	}
}

// failingReader is a reader that fails.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }
