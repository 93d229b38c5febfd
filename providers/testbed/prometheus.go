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

package testbed

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"sigs.k8s.io/yaml"
)

// prometheusBin is where Debian's prometheus package installs the
// server.
const prometheusBin = "/usr/bin/prometheus"

// howToGetPrometheus is what an error says when Prometheus is missing.
const howToGetPrometheus = `The testbed's Prometheus is Debian's prometheus package. Install it with:
    make deps        (or: apt-get update && apt-get install -y prometheus)`

// PrometheusScrapeInterval is how often a testbed Prometheus scrapes its
// targets: a value set on an exporter is queryable about this long
// after.
const PrometheusScrapeInterval = time.Second

// Prometheus is a real Prometheus server (Debian's prometheus) serving
// its HTTP API on 127.0.0.1, scraping the targets it was started with
// every PrometheusScrapeInterval. It does not scrape itself.
type Prometheus struct {
	// URL is the server's address, http://127.0.0.1:PORT: what a
	// prometheus analysis names as its address.
	URL string
	// Dir holds the configuration, the time series database and the
	// log.
	Dir string

	proc      *process
	closeOnce sync.Once
	closeErr  error
}

// prometheusInstall serialises installing the package within one
// process.
var prometheusInstall sync.Mutex

// StartPrometheus starts a Prometheus whose configuration, data and log
// live in dir, scraping each of targets: a host:port (whose /metrics is
// scraped) or an http:// URL such as an httptest server's (its path, "/"
// or empty meaning /metrics). It returns once /-/ready answers. When
// Prometheus is not installed it installs Debian's prometheus package
// first; it never skips. Stop it with Close.
func StartPrometheus(ctx context.Context, dir string, targets []string) (*Prometheus, error) {
	if err := ensurePrometheus(); err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("prometheus dir: %w", err)
	}
	config, err := prometheusConfig(targets)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		return nil, fmt.Errorf("prometheus dir: %w", err)
	}
	configPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(configPath, config, 0o644); err != nil {
		return nil, fmt.Errorf("prometheus config: %w", err)
	}
	ports, err := freePorts(1)
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(ports[0])
	p, err := startProcess("prometheus", prometheusBin, dir,
		"--config.file="+configPath,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
		"--log.level=warn",
	)
	if err != nil {
		return nil, err
	}
	pr := &Prometheus{URL: "http://" + addr, Dir: dir, proc: p}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := waitHTTP(ctx, p, pr.URL+"/-/ready"); err != nil {
		pr.Close()
		return nil, fmt.Errorf("start prometheus: %w", err)
	}
	return pr, nil
}

// prometheusConfig is a configuration that scrapes targets, and nothing
// else, every PrometheusScrapeInterval.
func prometheusConfig(targets []string) ([]byte, error) {
	type staticConfig struct {
		Targets []string          `json:"targets"`
		Labels  map[string]string `json:"labels,omitempty"`
	}
	var static []staticConfig
	for _, t := range targets {
		sc := staticConfig{Targets: []string{t}}
		if strings.Contains(t, "://") {
			u, err := url.Parse(t)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return nil, fmt.Errorf("prometheus scrape target %q is neither host:port nor an http:// URL", t)
			}
			sc.Targets = []string{u.Host}
			// Prometheus reads these two labels of a target as where
			// to scrape it.
			sc.Labels = map[string]string{"__scheme__": u.Scheme}
			if u.Path != "" && u.Path != "/" {
				sc.Labels["__metrics_path__"] = u.Path
			}
		}
		static = append(static, sc)
	}
	interval := PrometheusScrapeInterval.String()
	config := map[string]any{
		"global": map[string]any{"scrape_interval": interval, "evaluation_interval": interval},
		"scrape_configs": []any{map[string]any{
			"job_name":       "testbed",
			"static_configs": static,
		}},
	}
	out, err := yaml.Marshal(config)
	if err != nil {
		return nil, fmt.Errorf("prometheus config: %w", err)
	}
	return out, nil
}

// ensurePrometheus installs the prometheus package when its binary is
// missing, refreshing the package lists if the first attempt fails.
func ensurePrometheus() error {
	prometheusInstall.Lock()
	defer prometheusInstall.Unlock()
	if fileExists(prometheusBin) {
		return nil
	}
	install := func() ([]byte, error) {
		cmd := exec.Command("apt-get", "install", "-y", "prometheus")
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		return cmd.CombinedOutput()
	}
	out, err := install()
	if err != nil {
		if upd, uerr := exec.Command("apt-get", "update").CombinedOutput(); uerr != nil {
			return fmt.Errorf("install prometheus: apt-get update: %w\n%s\n\n%s", uerr, tail(upd, 20), howToGetPrometheus)
		}
		out, err = install()
	}
	if err != nil {
		return fmt.Errorf("install prometheus: %w\n%s\n\n%s", err, tail(out, 20), howToGetPrometheus)
	}
	if !fileExists(prometheusBin) {
		return fmt.Errorf("prometheus installed but %s is missing\n\n%s", prometheusBin, howToGetPrometheus)
	}
	return nil
}

// PID is the server's process ID, 0 once it has stopped.
func (p *Prometheus) PID() int {
	if p.proc == nil || p.proc.exited() {
		return 0
	}
	return p.proc.pid()
}

// Close stops the server by its pid and waits for it. It is safe to call
// more than once. The directory is the caller's (a t.TempDir, say).
func (p *Prometheus) Close() error {
	p.closeOnce.Do(func() {
		if p.proc != nil {
			p.closeErr = p.proc.stop()
		}
	})
	return p.closeErr
}
