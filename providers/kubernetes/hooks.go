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
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"slipway.dev/slipway/internal/builtin"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/internal/kube"
)

// hookLogLines is how many lines of a failed hook's log are kept.
const hookLogLines = 20

// hookRun is one run of a hook, as the apply that made it recorded it.
type hookRun struct {
	Phase string `json:"phase"`
	// ID is the object the run created (its name generated, for a hook
	// with generateName).
	ID           string `json:"id"`
	GenerateName string `json:"generate_name,omitempty"`
	// Result is "Succeeded", "Failed" or "Running" (the sync stopped
	// before the run ended).
	Result  string `json:"result"`
	Message string `json:"message,omitempty"`
	// Logs are the last lines of the failed pod's log.
	Logs string `json:"logs,omitempty"`
	// Deleted: the delete policy removed the object after the run.
	Deleted bool `json:"deleted,omitempty"`
}

// Results of a hook run.
const (
	hookSucceeded = "Succeeded"
	hookFailed    = "Failed"
	hookRunning   = "Running"
)

// hookKey is what makes two runs runs of the same hook: its phase and
// object, by name or generateName.
func hookKey(phase string, id kube.ObjectID, generateName string) string {
	if generateName != "" {
		id.Name = generateName + "*"
	}
	return phase + " " + id.String()
}

// hooksOf returns the hooks of one phase, in the order they run: by
// wave, then kind (as objects are applied), then name.
func hooksOf(d *desiredSet, phase string) []*desiredObject {
	var out []*desiredObject
	for _, h := range d.hooks {
		if h.hook == phase {
			out = append(out, h)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.wave != b.wave {
			return a.wave < b.wave
		}
		if ra, rb := kindRank(a.id.Kind), kindRank(b.id.Kind); ra != rb {
			return ra < rb
		}
		return a.displayName() < b.displayName()
	})
	return out
}

// displayName is a hook's name in messages: its name, or its
// generateName followed by what the run adds.
func (o *desiredObject) displayName() string {
	if o.generateName != "" {
		return o.generateName + "…"
	}
	return o.id.Name
}

// hookLabel names a hook in the plan and in messages:
// "PreSync batch/v1 Job web/db-migrate-… (generateName db-migrate-)".
func hookLabel(h *desiredObject) string {
	id := h.id
	id.Name = h.displayName()
	s := h.hook + " " + id.String()
	if h.generateName != "" {
		s += fmt.Sprintf(" (generateName %s)", h.generateName)
	}
	return s
}

// hooksVal is the hooks attribute: the hooks a sync of the desired set
// runs, in order of phase and wave; null when there are none, so that
// an app without hooks has the state it had before hooks were recorded.
func hooksVal(d *desiredSet) cty.Value {
	var vals []cty.Value
	for _, phase := range []string{builtin.HookPreSync, builtin.HookSync, builtin.HookPostSync, builtin.HookSyncFail, builtin.HookPostDelete} {
		for _, h := range hooksOf(d, phase) {
			id := h.id
			id.Name = h.displayName()
			pols := make([]cty.Value, len(h.policies))
			for i, p := range h.policies {
				pols[i] = cty.StringVal(p)
			}
			pol := cty.ListValEmpty(cty.String)
			if len(pols) > 0 {
				pol = cty.ListVal(pols)
			}
			gen := cty.NullVal(cty.String)
			if h.generateName != "" {
				gen = cty.StringVal(h.generateName)
			}
			manifest := cty.NullVal(cty.String)
			if b, err := json.Marshal(h.obj.Object); err == nil {
				manifest = cty.StringVal(string(b))
			}
			vals = append(vals, cty.ObjectVal(map[string]cty.Value{
				builtin.HookPhase:        cty.StringVal(phase),
				builtin.HookID:           cty.StringVal(id.String()),
				builtin.HookGenerateName: gen,
				builtin.HookWave:         cty.NumberIntVal(int64(h.wave)),
				builtin.HookDeletePolicy: pol,
				builtin.HookManifest:     manifest,
			}))
		}
	}
	if len(vals) == 0 {
		return cty.NullVal(cty.List(builtin.HookType))
	}
	return cty.ListVal(vals)
}

// runName is the name of a run of a hook with generateName, chosen by
// slipway before it creates the object (as Argo CD does), so the run can
// be recorded before it exists: the prefix, the revision (or the
// manifest's hash) shortened, the phase and the time.
func (r *syncRun) runName(h *desiredObject) string {
	rev := r.cfg.Revision
	if rev == "" {
		rev = h.hash
	}
	if len(rev) > 7 {
		rev = rev[:7]
	}
	return strings.ToLower(fmt.Sprintf("%s%s-%s-%d", h.generateName, rev, h.hook, r.started.Unix()))
}

// runHooks runs hooks one after the other; the first failure stops them.
func (r *syncRun) runHooks(ctx context.Context, hooks []*desiredObject) error {
	for _, h := range hooks {
		if err := r.runHook(ctx, h); err != nil {
			return err
		}
	}
	return nil
}

// runHook runs one hook: the previous run is deleted when the hook's
// delete policy says BeforeHookCreation, the hook is created, waited for
// until it has succeeded or failed (a Job complete, a Pod succeeded;
// other kinds healthy), and deleted when its delete policy says so. A
// failed hook fails the sync with its message and the last lines of the
// failed pod's log.
func (r *syncRun) runHook(ctx context.Context, h *desiredObject) error {
	if r.quiet {
		return nil
	}
	timeout := r.cfg.WaitTimeout
	if timeout == 0 {
		timeout = defaultHookTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	run := *h
	if h.generateName != "" {
		u := h.obj.DeepCopy()
		u.SetName(r.runName(h))
		unstructured.RemoveNestedField(u.Object, "metadata", "generateName")
		run.obj = u
		run.id.Name = u.GetName()
	}
	label := fmt.Sprintf("%s hook %s", h.hook, run.id)
	fail := func(err error) error { return fmt.Errorf("%s: %w", label, err) }
	ri, _, err := r.ms.Resource(run.id)
	if err != nil {
		return fail(err)
	}
	before := slices.Contains(h.policies, policyBeforeCreation)
	var previous []string
	if h.generateName == "" {
		previous = []string{run.id.Name}
	} else if before {
		key := hookKey(h.hook, h.id, h.generateName)
		for _, pr := range r.priorRuns {
			if id, err := kube.ParseObjectID(pr.ID); err == nil && !pr.Deleted && hookKey(pr.Phase, h.id, pr.GenerateName) == key {
				previous = append(previous, id.Name)
			}
		}
	}
	for _, name := range previous {
		if err := r.deleteRun(ctx, ri, name, before, label); err != nil {
			return fail(err)
		}
	}

	r.progress(label + ": starting")
	rec := hookRun{Phase: h.hook, ID: run.id.String(), GenerateName: h.generateName, Result: hookRunning}
	r.mu.Lock()
	r.hooks = appendNew(r.hooks, run.id.String())
	r.runs = append(r.runs, rec)
	n := len(r.runs) - 1
	r.mu.Unlock()
	record := func(rec hookRun) {
		r.mu.Lock()
		r.runs[n] = rec
		if rec.Deleted {
			r.hooks = slices.DeleteFunc(r.hooks, func(s string) bool { return s == rec.ID })
		}
		r.mu.Unlock()
	}

	var out *unstructured.Unstructured
	err = r.cfg.Retry.do(ctx, func() error {
		var err error
		out, err = r.ms.Apply(ctx, run.id, run.obj.Object, false)
		return err
	})
	if err != nil {
		rec.Result, rec.Message = hookFailed, err.Error()
		record(rec)
		return fail(err)
	}
	last := ""
	for {
		done, failed, msg := hookState(out)
		if done || failed {
			rec.Message = msg
			if failed {
				rec.Result = hookFailed
				rec.Logs = r.hookLogs(ctx, out)
			} else {
				rec.Result = hookSucceeded
			}
			if (done && slices.Contains(h.policies, policySucceeded)) || (failed && slices.Contains(h.policies, policyFailed)) {
				bg := metav1.DeletePropagationBackground
				derr := r.cfg.Retry.do(ctx, func() error {
					err := ri.Delete(ctx, run.id.Name, metav1.DeleteOptions{PropagationPolicy: &bg})
					if apierrors.IsNotFound(err) {
						return nil
					}
					return err
				})
				rec.Deleted = derr == nil
				if derr != nil {
					r.progress(fmt.Sprintf("%s: cannot delete it after the run: %v", label, derr))
				}
			}
			record(rec)
			if failed {
				err := fmt.Errorf("%s failed: %s", label, msg)
				if rec.Logs != "" {
					err = fmt.Errorf("%w\nlast lines of its log:\n%s", err, indent(rec.Logs))
				}
				return err
			}
			verb := "succeeded"
			if rec.Deleted {
				verb += ", deleted (HookSucceeded)"
			}
			r.progress(label + ": " + verb)
			return nil
		}
		if line := label + ": " + msg; line != last {
			r.progress(line)
			last = line
		}
		if err := sleepCtx(ctx, pollInterval/2); err != nil {
			rec.Message = fmt.Sprintf("did not finish within %s", timeout)
			record(rec)
			return fmt.Errorf("%s did not finish within %s", label, timeout)
		}
		u, err := ri.Get(ctx, run.id.Name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			rec.Result, rec.Message = hookFailed, "deleted while it ran"
			record(rec)
			return fmt.Errorf("%s was deleted while it ran", label)
		case err == nil:
			out = u
		}
	}
}

// deleteRun deletes the previous run of a hook and waits until it is
// gone. Without BeforeHookCreation, a named hook whose previous run still
// exists cannot run again: slipway says so rather than delete it. The
// previous run is the app's, or, when the app adopts an Argo CD
// Application, the one Argo CD left with that Application's tracking.
func (r *syncRun) deleteRun(ctx context.Context, ri interface {
	Get(context.Context, string, metav1.GetOptions, ...string) (*unstructured.Unstructured, error)
	Delete(context.Context, string, metav1.DeleteOptions, ...string) error
}, name string, allowed bool, label string) error {
	u, err := ri.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if !allowed {
		return fmt.Errorf("%s from an earlier sync still exists and the hook's delete policy (%s) does not delete it before a new run; add BeforeHookCreation to argocd.argoproj.io/hook-delete-policy, or give the hook a generateName", u.GetName(), argoDeletePolicy)
	}
	switch {
	case ownedBy(u, r.cfg.Name):
		r.progress(fmt.Sprintf("%s: deleting the previous run %s (BeforeHookCreation)", label, name))
	case leftByAdopted(r.cfg.Adopt, u):
		r.progress(fmt.Sprintf("%s: deleting the previous run %s, left by Argo CD Application %q (BeforeHookCreation)", label, name, r.cfg.Adopt.Name))
	default:
		lacks := fmt.Sprintf("the labels %s=%s, %s=%s", labelManagedBy, managedBy, labelApp, r.cfg.Name)
		if r.cfg.Adopt.Tool == "argocd" {
			lacks += " and the tracking of the adopted " + r.cfg.Adopt.Describe()
		}
		return fmt.Errorf("%s exists and is not app %q's (it lacks %s); slipway does not delete it: rename the hook or delete the object", u.GetName(), r.cfg.Name, lacks)
	}
	bg := metav1.DeletePropagationBackground
	err = r.cfg.Retry.do(ctx, func() error {
		err := ri.Delete(ctx, name, metav1.DeleteOptions{PropagationPolicy: &bg})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("delete the previous run %s: %w", name, err)
	}
	for {
		_, err := ri.Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			r.mu.Lock()
			for i := range r.priorRuns {
				if strings.HasSuffix(r.priorRuns[i].ID, "/"+name) {
					r.priorRuns[i].Deleted = true
				}
			}
			r.mu.Unlock()
			return nil
		}
		if err := sleepCtx(ctx, pollInterval/2); err != nil {
			return fmt.Errorf("the previous run %s is still being deleted: %w", name, err)
		}
	}
}

// hookLogs returns the last lines of the log of the failed pod of a hook
// (the Pod itself, or the newest failed pod of a Job), or why there are
// none. Logs come through the API server from the node's kubelet.
func (r *syncRun) hookLogs(ctx context.Context, u *unstructured.Unstructured) string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	ns, pod := u.GetNamespace(), ""
	switch u.GroupVersionKind().GroupKind().String() {
	case "Pod":
		pod = u.GetName()
	case "Job.batch":
		ri, _, err := r.ms.Resource(kube.ObjectID{Version: "v1", Kind: "Pod", Namespace: ns})
		if err != nil {
			return ""
		}
		list, err := ri.List(ctx, metav1.ListOptions{LabelSelector: "batch.kubernetes.io/controller-uid=" + string(u.GetUID())})
		if err != nil {
			return "(no logs: " + err.Error() + ")"
		}
		var newest time.Time
		for _, p := range list.Items {
			phase, _, _ := unstructured.NestedString(p.Object, "status", "phase")
			if phase == "Failed" && !p.GetCreationTimestamp().Time.Before(newest) {
				pod, newest = p.GetName(), p.GetCreationTimestamp().Time
			}
		}
	default:
		return ""
	}
	if pod == "" {
		return ""
	}
	b, err := r.ms.Cluster().REST.Get().AbsPath("/api/v1/namespaces", ns, "pods", pod, "log").
		Param("tailLines", fmt.Sprint(hookLogLines)).Do(ctx).Raw()
	if err != nil {
		return fmt.Sprintf("(no logs of pod %s: %v)", pod, err)
	}
	return strings.TrimRight(string(b), "\n")
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// hookStatuses are the runs of the last sync as `slipway status` lists
// them: the phase and result in the sync and health columns, and the log
// of a failure in the message.
func hookStatuses(runs []hookRun) []sdk.ObjectStatus {
	out := make([]sdk.ObjectStatus, 0, len(runs))
	for _, run := range runs {
		msg := run.Message
		if run.Deleted {
			msg = strings.TrimSpace(msg + " (deleted by its delete policy)")
		}
		if run.Logs != "" {
			msg += "; log: " + strings.ReplaceAll(run.Logs, "\n", " | ")
		}
		out = append(out, sdk.ObjectStatus{ID: run.ID, Sync: run.Phase + " hook", Health: run.Result, Message: msg})
	}
	return out
}
