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
	"net"
	neturl "net/url"
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
	// hosts are the hosts username and password go to (lowercase "host"
	// or "host:port"); nil when the block names none: every host.
	hosts map[string]bool
}

// sendsTo reports whether the provider block's username and password go
// to the http(s) remote url: one of hosts (every host when hosts is
// unset), and never over plain http except to a loopback address, where
// anyone on the way could read them.
func (c credentials) sendsTo(remote string) bool {
	u, err := neturl.Parse(remote)
	if err != nil {
		return false
	}
	if strings.EqualFold(u.Scheme, "http") && !isLoopback(u.Hostname()) {
		return false
	}
	if c.hosts == nil {
		return true
	}
	host, name := strings.ToLower(u.Host), strings.ToLower(u.Hostname())
	return c.hosts[host] || c.hosts[name]
}

// isLoopback reports whether host names this machine: "localhost", a name
// under ".localhost", or a loopback address.
func isLoopback(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// gitHosts reads the hosts attribute: each a host as a URL names it,
// "git.example.com" (any port) or "git.example.com:3000". It returns the
// entries that are not hosts.
func gitHosts(list []string) (map[string]bool, []string) {
	hosts := map[string]bool{}
	var bad []string
	for _, h := range list {
		wrong := h == "" || strings.ContainsAny(h, "/@?#\\ \t") || strings.HasSuffix(h, ":")
		if !wrong {
			u, err := neturl.Parse("https://" + h)
			wrong = err != nil || u.Host != h || u.Hostname() == ""
		}
		if wrong {
			bad = append(bad, h)
			continue
		}
		hosts[strings.ToLower(h)] = true
	}
	return hosts, bad
}

// auth is the go-git auth method for a remote of the given protocol: HTTP
// basic auth when a username or password is set, else the user name and
// password the URL carried (info, which stripCredentials took out of it:
// go-git is never given a URL with credentials), the SSH key file when
// one is set; nil leaves go-git to its defaults (anonymous HTTP, the SSH
// agent).
func (c credentials) auth(url, protocol string, info *neturl.Userinfo) (transport.AuthMethod, error) {
	switch protocol {
	case "http", "https":
		if (c.username != "" || c.password != "") && c.sendsTo(url) {
			return &githttp.BasicAuth{Username: c.username, Password: c.password}, nil
		}
		if info != nil && info.Username() != "" {
			// As go-git does with the userinfo of a URL.
			password, _ := info.Password()
			return &githttp.BasicAuth{Username: info.Username(), Password: password}, nil
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
