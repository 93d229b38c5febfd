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

package git

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/client"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/plumbing/transport/server"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
)

// normalizeURL checks a source's url and returns the form the cache is
// keyed by and go-git fetches from: a local path becomes absolute, anything
// else is kept as written. The second result is the transport protocol
// ("http", "https", "ssh", "file", "git").
func normalizeURL(raw string) (string, string, error) {
	if strings.TrimSpace(raw) != raw || raw == "" {
		return "", "", errors.New("the URL is empty or has spaces around it")
	}
	ep, err := transport.NewEndpoint(raw)
	if err != nil {
		return "", "", err
	}
	switch ep.Protocol {
	case "http", "https", "ssh", "git":
		return raw, ep.Protocol, nil
	case "file":
		if strings.HasPrefix(raw, "file://") {
			return raw, "file", nil
		}
		abs, err := filepath.Abs(raw)
		if err != nil {
			return "", "", err
		}
		return abs, "file", nil
	}
	return "", "", fmt.Errorf("the protocol %q is not supported", ep.Protocol)
}

// credentials are the provider block's settings for reaching remotes.
type credentials struct {
	username   string
	password   string
	sshKeyFile string
}

// auth is the go-git auth method for a remote of the given protocol: HTTP
// basic auth when a username or password is set, the SSH key file when one
// is set; nil leaves go-git to its defaults (anonymous HTTP, the SSH agent).
func (c credentials) auth(url, protocol string) (transport.AuthMethod, error) {
	switch protocol {
	case "http", "https":
		if c.username != "" || c.password != "" {
			return &githttp.BasicAuth{Username: c.username, Password: c.password}, nil
		}
	case "ssh":
		if c.sshKeyFile != "" {
			user := "git"
			if ep, err := transport.NewEndpoint(url); err == nil && ep.User != "" {
				user = ep.User
			}
			a, err := gitssh.NewPublicKeysFromFile(user, c.sshKeyFile, "")
			if err != nil {
				return nil, fmt.Errorf("load SSH key %s: %w", c.sshKeyFile, err)
			}
			return a, nil
		}
	}
	return nil, nil
}

// isAuthError reports whether err is the remote refusing us for lack of
// (or wrong) credentials.
func isAuthError(err error) bool {
	if errors.Is(err, transport.ErrAuthenticationRequired) || errors.Is(err, transport.ErrAuthorizationFailed) {
		return true
	}
	// The SSH client says so only in words.
	return strings.Contains(err.Error(), "ssh: unable to authenticate")
}

var installLocal sync.Once

// useLocalServer makes go-git serve file:// URLs and local paths in this
// process, with go-git's own upload-pack, instead of running the
// git-upload-pack binary: the provider then needs no git installation and
// no PATH. It changes go-git's process-wide protocol table, once.
func useLocalServer() {
	installLocal.Do(func() {
		client.InstallProtocol("file", server.NewClient(localLoader{}))
	})
}

// localLoader opens the local repository a file endpoint names, bare or
// not.
type localLoader struct{}

func (localLoader) Load(ep *transport.Endpoint) (storer.Storer, error) {
	if _, err := os.Stat(ep.Path); err != nil {
		return nil, fmt.Errorf("%w: %v", transport.ErrRepositoryNotFound, err)
	}
	r, err := gogit.PlainOpen(ep.Path)
	if errors.Is(err, gogit.ErrRepositoryNotExists) {
		return nil, transport.ErrRepositoryNotFound
	}
	if err != nil {
		return nil, err
	}
	return r.Storer, nil
}
