package testbed_test

import (
	"net/http"
	"strings"
	"testing"

	"slipway.dev/slipway/providers/testbed"
)

func TestRegistry(t *testing.T) {
	t.Parallel()
	r, err := testbed.StartRegistry(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Addr, "127.0.0.1:") {
		t.Errorf("registry listens on %s, want 127.0.0.1", r.Addr)
	}
	resp, err := http.Get("http://" + r.Addr + "/v2/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /v2/ = %s, want 200", resp.Status)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := http.Get("http://" + r.Addr + "/v2/"); err == nil {
		t.Error("the registry still answers after Close")
	}
}
