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

package kubernetes

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	clientset "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"slipway.dev/slipway/state"
)

// Defaults of Config.
const (
	DefaultNamespace     = "default"
	DefaultLeaseDuration = 30 * time.Second
	// MinLeaseDuration is the shortest lease accepted: the holder renews
	// every third of it, and a renewal is a round trip.
	MinLeaseDuration = 2 * time.Second
)

// Config is backend "kubernetes"'s settings.
type Config struct {
	// Namespace holds the Secrets and Leases; DefaultNamespace when empty.
	// It must exist.
	Namespace string
	// SecretSuffix tells this configuration's objects from those of others
	// in the namespace. It is required: a lower-case DNS label.
	SecretSuffix string
	// ConfigPath is the kubeconfig file to read ("~/" is the home
	// directory). Empty follows kubectl: KUBECONFIG, else ~/.kube/config,
	// else the pod's service account.
	ConfigPath string
	// ConfigContext is the kubeconfig context to use; empty means its
	// current context.
	ConfigContext string
	// InClusterConfig uses the pod's service account and ignores any
	// kubeconfig.
	InClusterConfig bool
	// LeaseDuration is how long a lock outlives a holder that stopped
	// renewing it; DefaultLeaseDuration when zero, at least
	// MinLeaseDuration, counted in whole seconds.
	LeaseDuration time.Duration
	// Sealer, when set, encrypts the state and the journal: the bytes are
	// sealed after compression and opened before decompression.
	Sealer state.Sealer
}

// Labels and annotations of the objects the backend keeps.
const (
	labelManagedBy  = "app.kubernetes.io/managed-by"
	managedBy       = "slipway"
	labelSuffix     = "slipway.dev/state"
	labelWorkspace  = "slipway.dev/workspace"
	labelRole       = "slipway.dev/role"
	labelGeneration = "slipway.dev/generation"
	labelSerial     = "slipway.dev/serial"
	labelChunk      = "slipway.dev/chunk"
	labelSeq        = "slipway.dev/journal-seq"
	labelPart       = "slipway.dev/journal-part"

	annGeneration = "slipway.dev/generation"
	annSerial     = "slipway.dev/serial"
	annLineage    = "slipway.dev/lineage"
	annChunks     = "slipway.dev/chunks"
	annSize       = "slipway.dev/size"
	annChecksum   = "slipway.dev/checksum"
	annParts      = "slipway.dev/parts"
	annBase       = "slipway.dev/base"
	annLockInfo   = "slipway.dev/lock-info"
	annSealed     = "slipway.dev/sealed"

	rolePointer = "pointer"
	roleChunk   = "chunk"
	roleJournal = "journal"
	roleLock    = "lock"

	// secretType marks the Secrets of this backend in kubectl's output.
	secretType corev1.SecretType = "slipway.dev/state"
)

// maxChunk is the most a chunk Secret holds: a Secret's data may total
// 1 MiB, and the object's metadata and encoding need some room too.
const maxChunk = 1<<20 - 64<<10

// maxChunks is the most chunks a state pointer may name (tens of GiB of
// state): a damaged count above it is refused before the read allocates
// for it.
const maxChunks = 1 << 16

// requestTimeout bounds every request but the lock's renewals, which
// are bounded by their period.
const requestTimeout = 2 * time.Minute

// Store is backend "kubernetes": one state, lock and journal per
// workspace, in one namespace. Its methods may be called from several
// goroutines.
type Store struct {
	ns, suffix string
	lease      time.Duration
	sealer     state.Sealer
	client     clientset.Interface
	clock      *serverClock
	chunkSize  int

	mu       sync.Mutex
	backends map[string]*Backend
}

var _ state.Store = (*Store)(nil)

// NewStore checks cfg and loads the client configuration it names; what
// is wrong with either is a *ConfigError. It makes no request: a cluster
// that cannot be reached fails the first call that needs it.
func NewStore(cfg Config) (state.Store, error) {
	return newStore(cfg, nil)
}

// newStore is NewStore with a wrapper of the HTTP transport, which tests
// use to cut the backend off from the API server.
func newStore(cfg Config, wrap func(http.RoundTripper) http.RoundTripper) (*Store, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	rc, err := restConfig(cfg)
	if err != nil {
		return nil, err
	}
	clock := &serverClock{}
	rc = rest.CopyConfig(rc)
	rc.Wrap(clock.wrap)
	if wrap != nil {
		rc.Wrap(wrap)
	}
	// Chunks are up to a MiB of bytes: protobuf carries them as they are,
	// where JSON would carry them in base64.
	rc.ContentType = runtime.ContentTypeProtobuf
	rc.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	if rc.QPS == 0 {
		// client-go's default, 5 a second, would throttle a large
		// state's chunks and an apply's journal records.
		rc.QPS, rc.Burst = 50, 100
	}
	if rc.Timeout == 0 {
		rc.Timeout = requestTimeout
	}
	client, err := clientset.NewForConfig(rc)
	if err != nil {
		return nil, configErr("", "%w", err)
	}
	ns := cfg.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}
	lease := cfg.LeaseDuration
	if lease == 0 {
		lease = DefaultLeaseDuration
	}
	return &Store{
		ns: ns, suffix: cfg.SecretSuffix, lease: lease.Round(time.Second), sealer: cfg.Sealer,
		client: client, clock: clock, chunkSize: maxChunk, backends: map[string]*Backend{},
	}, nil
}

// A ConfigError is a Config that NewStore refuses. Arg names the backend
// block's argument at fault, or is empty when none is.
type ConfigError struct {
	Arg string
	Err error
}

func (e *ConfigError) Error() string { return "backend kubernetes: " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

func configErr(arg, format string, a ...any) *ConfigError {
	return &ConfigError{Arg: arg, Err: fmt.Errorf(format, a...)}
}

// check says what is wrong with cfg, in the terms of the backend block's
// arguments.
func (cfg Config) check() error {
	if cfg.SecretSuffix == "" {
		return configErr("secret_suffix", "secret_suffix is required: it names this configuration's Secrets (slipway-state.WORKSPACE.SUFFIX), so that several configurations can share a namespace")
	}
	if errs := validation.IsDNS1123Label(cfg.SecretSuffix); len(errs) > 0 {
		return configErr("secret_suffix", "secret_suffix %q is not valid: %s", cfg.SecretSuffix, strings.Join(errs, "; "))
	}
	if cfg.Namespace != "" {
		if errs := validation.IsDNS1123Label(cfg.Namespace); len(errs) > 0 {
			return configErr("namespace", "namespace %q is not valid: %s", cfg.Namespace, strings.Join(errs, "; "))
		}
	}
	if cfg.LeaseDuration != 0 && cfg.LeaseDuration < MinLeaseDuration {
		return configErr("lease_duration", "lease_duration %s is too short: it must be at least %s", cfg.LeaseDuration, MinLeaseDuration)
	}
	if cfg.InClusterConfig && (cfg.ConfigPath != "" || cfg.ConfigContext != "") {
		return configErr("in_cluster_config", "in_cluster_config cannot be combined with config_path or config_context")
	}
	return nil
}

// restConfig loads the client configuration as kubectl would.
func restConfig(cfg Config) (*rest.Config, error) {
	if cfg.InClusterConfig {
		rc, err := rest.InClusterConfig()
		if err != nil {
			return nil, configErr("in_cluster_config", "in_cluster_config: %w", err)
		}
		return rc, nil
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if cfg.ConfigPath != "" {
		path := cfg.ConfigPath
		if rest, ok := strings.CutPrefix(path, "~/"); ok {
			home, err := os.UserHomeDir()
			if err != nil {
				return nil, configErr("config_path", "config_path %q: %w", cfg.ConfigPath, err)
			}
			path = filepath.Join(home, rest)
		}
		rules.ExplicitPath = path
	}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: cfg.ConfigContext}
	loader := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
	if cfg.ConfigContext != "" {
		if raw, err := loader.RawConfig(); err == nil && raw.Contexts[cfg.ConfigContext] == nil {
			return nil, configErr("config_context", "config_context %q is not a context of the kubeconfig, which has %s", cfg.ConfigContext, contextNames(raw.Contexts))
		}
	}
	rc, err := loader.ClientConfig()
	switch {
	case err == nil:
		return rc, nil
	case clientcmd.IsEmptyConfig(err):
		return nil, configErr("", "no cluster to connect to: set config_path, or KUBECONFIG, or write ~/.kube/config (as for kubectl), or run slipway in a pod with a service account")
	case cfg.ConfigPath != "":
		return nil, configErr("config_path", "loading the kubeconfig: %w", err)
	default:
		return nil, configErr("", "loading the kubeconfig: %w", err)
	}
}

// contextNames lists a kubeconfig's contexts for a message.
func contextNames[V any](contexts map[string]V) string {
	if len(contexts) == 0 {
		return "none"
	}
	names := slices.Sorted(maps.Keys(contexts))
	return strings.Join(names, ", ")
}

// Backend returns the Backend of workspace name. A Store returns the same
// Backend for a name each time, so that the locks taken through it are
// known to the Store.
func (s *Store) Backend(name string) (state.Backend, error) {
	return s.backend(name)
}

func (s *Store) backend(name string) (*Backend, error) {
	if err := state.ValidWorkspaceName(name); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.backends[name]
	if b == nil {
		b = &Backend{s: s, ws: name, locks: map[string]*heldLock{}}
		b.jstore = &journalStore{b: b}
		s.backends[name] = b
	}
	return b, nil
}

// Workspaces lists the workspaces that have a state, from the pointers'
// labels.
func (s *Store) Workspaces(ctx context.Context) ([]string, error) {
	list, err := s.client.CoreV1().Secrets(s.ns).List(ctx, metav1.ListOptions{LabelSelector: s.selector("", rolePointer)})
	if err != nil {
		return nil, fmt.Errorf("listing workspaces in namespace %s: %w", s.ns, err)
	}
	names := []string{state.DefaultWorkspace}
	for _, sec := range list.Items {
		if ws := sec.Labels[labelWorkspace]; state.ValidWorkspaceName(ws) == nil {
			names = append(names, ws)
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// DeleteWorkspace removes a workspace's pointer, chunks, journal and
// Lease. It takes the workspace's lock first, so it refuses one that is
// held, naming the holder.
func (s *Store) DeleteWorkspace(ctx context.Context, name string) error {
	if name == state.DefaultWorkspace {
		return fmt.Errorf("the %q workspace cannot be deleted", state.DefaultWorkspace)
	}
	b, err := s.backend(name)
	if err != nil {
		return err
	}
	info := state.NewLockInfo("workspace delete")
	// One try, as -lock-timeout=0s does.
	tctx, cancel := context.WithTimeout(ctx, 0)
	defer cancel()
	id, err := b.Lock(tctx, info)
	if err != nil {
		var le *state.LockedError
		if errors.As(err, &le) {
			return fmt.Errorf("deleting workspace %q: %w; it cannot be deleted while locked", name, le)
		}
		return fmt.Errorf("deleting workspace %q: %w", name, err)
	}
	ctx = context.WithoutCancel(ctx)
	secrets := s.client.CoreV1().Secrets(s.ns)
	// The journal goes first and the pointer after it: a delete that
	// fails partway leaves the workspace whole (the state without the
	// journal's finished changes, whose objects it then plans as
	// deleted outside) for the next delete, never a journal without a
	// state, which a new workspace of the same name would inherit and
	// replay. Chunks the pointer no longer names are garbage, and go
	// last.
	existed := false
	for _, role := range []string{roleJournal, "", roleChunk} {
		if role == "" {
			err = secrets.Delete(ctx, s.pointerName(name), metav1.DeleteOptions{})
			if err == nil {
				existed = true
			} else if apierrors.IsNotFound(err) {
				err = nil
			}
		} else {
			if !existed {
				// Garbage only, if anything: say so only when nothing at
				// all was there.
				var list *corev1.SecretList
				if list, err = secrets.List(ctx, metav1.ListOptions{LabelSelector: s.selector(name, role), Limit: 1}); err == nil && len(list.Items) > 0 {
					existed = true
				}
			}
			if err == nil {
				err = secrets.DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: s.selector(name, role)})
			}
		}
		if err != nil {
			break
		}
	}
	if err != nil {
		b.Unlock(ctx, id)
		return fmt.Errorf("deleting workspace %q: %w", name, err)
	}
	if err := b.release(ctx, id); err != nil {
		return fmt.Errorf("deleting workspace %q: its state is deleted, but %w", name, err)
	}
	if !existed {
		return fmt.Errorf("workspace %q does not exist", name)
	}
	return nil
}

// Names of the objects of a workspace.
func (s *Store) pointerName(ws string) string { return "slipway-state." + ws + "." + s.suffix }
func (s *Store) leaseName(ws string) string   { return "slipway-lock." + ws + "." + s.suffix }
func (s *Store) chunkName(ws, gen string, i int) string {
	return fmt.Sprintf("%s.%s.%d", s.pointerName(ws), gen, i)
}
func (s *Store) journalName(ws string, seq uint64, part int) string {
	return fmt.Sprintf("slipway-journal.%s.%s.%d.%d", ws, s.suffix, seq, part)
}

// labels are the labels of a workspace's object of role.
func (s *Store) labels(ws, role string) map[string]string {
	return map[string]string{labelManagedBy: managedBy, labelSuffix: s.suffix, labelWorkspace: ws, labelRole: role}
}

// selector selects the objects of role of workspace ws, or of every
// workspace when ws is empty, and what extra requires. The keys and values
// are this package's own or checked (suffix, workspace), so the string
// needs no escaping.
func (s *Store) selector(ws, role string, extra ...string) string {
	reqs := []string{labelManagedBy + "=" + managedBy, labelSuffix + "=" + s.suffix, labelRole + "=" + role}
	if ws != "" {
		reqs = append(reqs, labelWorkspace+"="+ws)
	}
	return strings.Join(append(reqs, extra...), ",")
}
