package crypt

import (
	"bytes"
	"errors"
	"testing"
)

const secret = "0123456789abcdef0123456789abcdef-test"

func TestDeriveKey_distinctPerPurposeAndStable(t *testing.T) {
	a, _ := DeriveKey(secret, PurposePageTokens, 32)
	b, _ := DeriveKey(secret, PurposeCookieBlock, 32)
	a2, _ := DeriveKey(secret, PurposePageTokens, 32)
	other, _ := DeriveKey(secret+"x", PurposePageTokens, 32)
	if bytes.Equal(a, b) {
		t.Error("two purposes gave the same key")
	}
	if !bytes.Equal(a, a2) {
		t.Error("the same purpose gave two keys")
	}
	if bytes.Equal(a, other) {
		t.Error("two secrets gave the same key")
	}
	if _, err := DeriveKey("", PurposePageTokens, 32); err == nil {
		t.Error("empty secret accepted")
	}
}

func TestNewKeys_sizes(t *testing.T) {
	k, err := NewKeys(secret)
	if err != nil {
		t.Fatal(err)
	}
	if len(k.CookieHash) != 64 || len(k.CookieBlock) != 32 || k.PageTokens == nil {
		t.Errorf("hash %d, block %d, sealer %v", len(k.CookieHash), len(k.CookieBlock), k.PageTokens)
	}
}

func TestSealer_roundTripAndRefusals(t *testing.T) {
	k, _ := NewKeys(secret)
	s := k.PageTokens
	sealed := s.SealString("EAAtoken", "acct-1")
	if bytes.Contains(sealed, []byte("EAAtoken")) {
		t.Fatal("plaintext visible in sealed data")
	}
	if again := s.SealString("EAAtoken", "acct-1"); bytes.Equal(again, sealed) {
		t.Error("two seals of the same text are equal: nonce not random")
	}
	got, err := s.OpenString(sealed, "acct-1")
	if err != nil || got != "EAAtoken" {
		t.Fatalf("open = %q, %v", got, err)
	}
	cases := map[string]func() ([]byte, string){
		"other context": func() ([]byte, string) { return sealed, "acct-2" },
		"altered":       func() ([]byte, string) { b := bytes.Clone(sealed); b[len(b)-1] ^= 1; return b, "acct-1" },
		"truncated":     func() ([]byte, string) { return sealed[:5], "acct-1" },
		"empty":         func() ([]byte, string) { return nil, "acct-1" },
	}
	for name, tc := range cases {
		b, ctx := tc()
		if _, err := s.Open(b, ctx); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: err = %v, want ErrOpen", name, err)
		}
	}
	other, _ := NewKeys(secret + "-rotated")
	if _, err := other.PageTokens.Open(sealed, "acct-1"); !errors.Is(err, ErrOpen) {
		t.Errorf("another secret opened the data: %v", err)
	}
	if _, err := NewSealer(make([]byte, 16)); err == nil {
		t.Error("16-byte key accepted")
	}
}
