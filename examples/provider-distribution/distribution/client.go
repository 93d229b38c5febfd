// Copyright 2026 The slipway Authors
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

package distribution

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// manifestTypes are the manifest media types the client accepts: OCI and
// Docker images and indexes. A registry answers with the stored
// manifest's own type when it is among them.
var manifestTypes = []string{
	"application/vnd.oci.image.index.v1+json",
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
	"application/vnd.docker.distribution.manifest.v2+json",
}

// errNotFound is a 404 from the registry: no such repository, tag,
// manifest or blob.
var errNotFound = errors.New("not found")

// client talks to one registry over the distribution HTTP API (the OCI
// distribution specification). It is net/http alone, so that the
// provider's module needs nothing but the SDK.
type client struct {
	base     *url.URL // scheme://host[:port]
	username string
	password string
	http     *http.Client
}

// manifest is a manifest as the registry stores it: its bytes are what
// its digest is taken of, so they are copied as they are.
type manifest struct {
	mediaType string
	body      []byte
	digest    string
}

// manifestRefs is what a manifest refers to: blobs (config and layers)
// for an image, manifests for an index.
type manifestRefs struct {
	Config    *descriptor  `json:"config"`
	Layers    []descriptor `json:"layers"`
	Manifests []descriptor `json:"manifests"`
}

type descriptor struct {
	Digest string `json:"digest"`
}

func (c *client) do(ctx context.Context, method, path string, query url.Values, body []byte, header http.Header) (*http.Response, error) {
	u := *c.base
	u.Path = path
	u.RawQuery = query.Encode()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), r)
	if err != nil {
		return nil, err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if c.username != "" {
		req.SetBasicAuth(c.username, c.password)
	}
	return c.http.Do(req)
}

// doURL is do for an absolute or registry-relative URL the registry gave
// (an upload's Location).
func (c *client) doURL(ctx context.Context, method, location string, query url.Values, body io.Reader, header http.Header) (*http.Response, error) {
	u, err := c.base.Parse(location)
	if err != nil {
		return nil, fmt.Errorf("registry gave a bad upload location %q: %w", location, err)
	}
	q := u.Query()
	for k, vs := range query {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if c.username != "" {
		req.SetBasicAuth(c.username, c.password)
	}
	return c.http.Do(req)
}

// check turns a response whose status is not one of ok into an error
// that says what the registry said, and closes its body.
func check(resp *http.Response, what string, ok ...int) error {
	for _, s := range ok {
		if resp.StatusCode == s {
			return nil
		}
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
	if resp.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%s: %w (%s)", what, errNotFound, strings.TrimSpace(string(msg)))
	}
	if resp.StatusCode == http.StatusMethodNotAllowed && resp.Request.Method == http.MethodDelete {
		return fmt.Errorf("%s: the registry does not allow deletes (%s); enable them in its configuration (storage: delete: enabled: true)", what, resp.Status)
	}
	return fmt.Errorf("%s: %s: %s", what, resp.Status, strings.TrimSpace(string(msg)))
}

// digestOf resolves a tag or digest in repo to the manifest's digest,
// with HEAD.
func (c *client) digestOf(ctx context.Context, repo, ref string) (string, error) {
	resp, err := c.do(ctx, http.MethodHead, "/v2/"+repo+"/manifests/"+ref, nil, nil, http.Header{"Accept": manifestTypes})
	if err != nil {
		return "", err
	}
	if err := check(resp, fmt.Sprintf("look up %s:%s", repo, ref), http.StatusOK); err != nil {
		return "", err
	}
	resp.Body.Close()
	d := resp.Header.Get("Docker-Content-Digest")
	if d == "" {
		// Not every registry sends the header on HEAD: take the digest
		// of the manifest itself.
		m, err := c.getManifest(ctx, repo, ref)
		if err != nil {
			return "", err
		}
		d = m.digest
	}
	return d, nil
}

func (c *client) getManifest(ctx context.Context, repo, ref string) (manifest, error) {
	resp, err := c.do(ctx, http.MethodGet, "/v2/"+repo+"/manifests/"+ref, nil, nil, http.Header{"Accept": manifestTypes})
	if err != nil {
		return manifest{}, err
	}
	if err := check(resp, fmt.Sprintf("get manifest %s:%s", repo, ref), http.StatusOK); err != nil {
		return manifest{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return manifest{}, err
	}
	sum := sha256.Sum256(body)
	return manifest{mediaType: resp.Header.Get("Content-Type"), body: body, digest: "sha256:" + hex.EncodeToString(sum[:])}, nil
}

// copyManifest copies the manifest ref of src to dst under dstRef (a tag,
// or its own digest), with everything it refers to: the blobs of an image
// are mounted from src (or copied when the registry cannot mount), the
// manifests of an index are copied first. It returns the digest.
func (c *client) copyManifest(ctx context.Context, src, ref, dst, dstRef string) (string, error) {
	m, err := c.getManifest(ctx, src, ref)
	if err != nil {
		return "", err
	}
	var refs manifestRefs
	if err := json.Unmarshal(m.body, &refs); err != nil {
		return "", fmt.Errorf("manifest %s:%s is not JSON: %w", src, ref, err)
	}
	if src != dst {
		for _, child := range refs.Manifests {
			if _, err := c.copyManifest(ctx, src, child.Digest, dst, child.Digest); err != nil {
				return "", err
			}
		}
		blobs := refs.Layers
		if refs.Config != nil {
			blobs = append(blobs, *refs.Config)
		}
		for _, b := range blobs {
			if err := c.copyBlob(ctx, src, dst, b.Digest); err != nil {
				return "", err
			}
		}
	}
	if dstRef == "" {
		dstRef = m.digest
	}
	resp, err := c.do(ctx, http.MethodPut, "/v2/"+dst+"/manifests/"+dstRef, nil, m.body, http.Header{"Content-Type": {m.mediaType}})
	if err != nil {
		return "", err
	}
	if err := check(resp, fmt.Sprintf("put manifest %s:%s", dst, dstRef), http.StatusCreated, http.StatusOK); err != nil {
		return "", err
	}
	resp.Body.Close()
	return m.digest, nil
}

// copyBlob makes blob digest of src exist in dst: it is left alone when
// it does, mounted across repositories when the registry can, and
// streamed through otherwise.
func (c *client) copyBlob(ctx context.Context, src, dst, digest string) error {
	resp, err := c.do(ctx, http.MethodHead, "/v2/"+dst+"/blobs/"+digest, nil, nil, nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	what := fmt.Sprintf("copy blob %s from %s to %s", digest, src, dst)
	resp, err = c.do(ctx, http.MethodPost, "/v2/"+dst+"/blobs/uploads/", url.Values{"mount": {digest}, "from": {src}}, nil, nil)
	if err != nil {
		return err
	}
	if err := check(resp, what, http.StatusCreated, http.StatusAccepted); err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusCreated {
		return nil // mounted
	}
	// 202: the registry opened an upload instead; send the blob through it.
	location := resp.Header.Get("Location")
	blob, err := c.do(ctx, http.MethodGet, "/v2/"+src+"/blobs/"+digest, nil, nil, nil)
	if err != nil {
		return err
	}
	if err := check(blob, what, http.StatusOK); err != nil {
		return err
	}
	defer blob.Body.Close()
	resp, err = c.doURL(ctx, http.MethodPut, location, url.Values{"digest": {digest}}, blob.Body,
		http.Header{"Content-Type": {"application/octet-stream"}})
	if err != nil {
		return err
	}
	if err := check(resp, what, http.StatusCreated); err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// tags lists the tags of repo, sorted, following the registry's pages.
func (c *client) tags(ctx context.Context, repo string) ([]string, error) {
	var all []string
	path, query := "/v2/"+repo+"/tags/list", url.Values{}
	for {
		resp, err := c.do(ctx, http.MethodGet, path, query, nil, nil)
		if err != nil {
			return nil, err
		}
		if err := check(resp, "list tags of "+repo, http.StatusOK); err != nil {
			return nil, err
		}
		var page struct {
			Tags []string `json:"tags"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("list tags of %s: %w", repo, err)
		}
		all = append(all, page.Tags...)
		next := nextPage(resp.Header.Get("Link"))
		if next == "" {
			break
		}
		u, err := c.base.Parse(next)
		if err != nil {
			return nil, fmt.Errorf("list tags of %s: bad Link header %q", repo, next)
		}
		path, query = u.Path, u.Query()
	}
	sort.Strings(all)
	return all, nil
}

// nextPage is the target of a Link header's rel="next" (`</v2/...>;
// rel="next"`), or "".
func nextPage(link string) string {
	for _, part := range strings.Split(link, ",") {
		target, params, ok := strings.Cut(strings.TrimSpace(part), ";")
		if ok && strings.Contains(params, `rel="next"`) {
			return strings.Trim(strings.TrimSpace(target), "<>")
		}
	}
	return ""
}

// deleteManifest deletes the manifest digest from repo, and with it every
// tag that points at it.
func (c *client) deleteManifest(ctx context.Context, repo, digest string) error {
	resp, err := c.do(ctx, http.MethodDelete, "/v2/"+repo+"/manifests/"+digest, nil, nil, nil)
	if err != nil {
		return err
	}
	if err := check(resp, fmt.Sprintf("delete manifest %s@%s", repo, digest), http.StatusAccepted, http.StatusOK); err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}
