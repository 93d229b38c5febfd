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
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/buger/jsonparser"
	"github.com/zclconf/go-cty/cty"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/client-go/rest"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/confine"
	"slipway.dev/slipway/internal/par"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/internal/kube"
)

// A no-op plan of many apps used to carry every app's recorded objects
// from slipway to this provider (the host decoded them from state and
// encoded them, the provider decoded and compared them), only to find
// them as recorded. An app's private state now says enough to tell that
// without them (sdk.ResourceWithElidedState): where each recorded object
// was read, and digests of what the app was applied from. The refresh
// and the plan then need no state at all for an app that changed in
// nothing, and ask for it for any other.

// elideScheme is the version of what an elision records. Raise it when
// the same record would stand for something else: records made before
// then no longer match, and their apps are read and planned in full.
const elideScheme = 1

// elision is what an app's private state says so that a refresh and a
// plan can tell the app unchanged without its state. Apply records it
// only when it left the app exactly as its manifests say (as Inputs),
// without a rollout, and knows where it read every recorded object.
type elision struct {
	// Name is the app's name (its objects' slipway.dev/app label).
	Name string `json:"name"`
	// Objects are the marks of the recorded objects, by ID: every
	// object of the inventory.
	Objects map[string]objectMark `json:"objects"`
	// Config is the digest of the configuration apply applied (see
	// configDigest).
	Config string `json:"config"`
	// Cluster says which cluster the marks were read in (clusterOf); ""
	// in records made before it was recorded. The marks of another
	// cluster say nothing of this one's objects, however alike: a
	// resourceVersion is a number, and two clusters applied to in the
	// same second give slipway's entries the same time.
	Cluster string `json:"cluster,omitempty"`
	// Scheme is the elideScheme and app schema version the record was
	// made with (currentScheme; see scheme). Config, digested with both,
	// matches no configuration once either changes: ReadElided reads a
	// record of another scheme in full, so that the refresh renews it
	// (renewedElision) rather than every plan read the app in full until
	// its next change.
	Scheme string `json:"scheme,omitempty"`
}

// currentScheme is what elision.Scheme records.
var currentScheme = fmt.Sprintf("%d/%d", elideScheme, appSchema.Version)

// scheme is the scheme e was made with. Records made before the scheme
// was recorded were all made with elideScheme 1 and the app schema's
// version 0.
func (e *elision) scheme() string {
	if e.Scheme == "" {
		return "1/0"
	}
	return e.Scheme
}

// clusterOf names the cluster a REST config reaches, for elisions: its
// server's URL, the name its certificate is checked against and the
// certificate authority that signs it (two local clusters made one after
// the other at the same address have different ones), not the
// credentials, which rotate.
func clusterOf(c *rest.Config) string {
	h := sha256.New()
	t := c.TLSClientConfig
	fmt.Fprintf(h, "%q %q %q %x", c.Host, t.ServerName, t.CAFile, sha256.Sum256(t.CAData))
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// objectMark says which version of an object its recorded value was read
// from, in two ways. A live object with the same resourceVersion has not
// been written since. One whose slipway entries of managedFields are the
// same has had no field slipway applied changed since: the API server
// gives a field to whoever changes its value (server-side apply), so
// another writer's change of such a field, by apply or by update, takes
// it out of slipway's entries. That holds through writes of fields slipway
// does not own (status, a controller's labels), which change the
// resourceVersion all the time.
type objectMark struct {
	ResourceVersion string `json:"rv"`
	// Owner is the digest of slipway's entries of managedFields (see
	// entriesDigest); "" when there is none. A Secret matches by its
	// resourceVersion alone: its manifest may write stringData, which
	// the server turns into data, and what the entry then says is the
	// server's choice; a Secret's resourceVersion moves only when
	// something writes to it. So does an object slipway last wrote by
	// update (Replace=true): an update's entry owns only the fields it
	// changed, so another writer may change a field slipway's manifest
	// sets, and which held the same value before, without touching
	// slipway's entries.
	Owner string `json:"owner,omitempty"`
}

// markOf is the mark of an object as the API server returned it.
func markOf(u *unstructured.Unstructured) (objectMark, bool) {
	m := objectMark{ResourceVersion: u.GetResourceVersion()}
	if m.ResourceVersion == "" {
		return m, false
	}
	if !isSecret(u.GroupVersionKind().Group, u.GetKind()) {
		entries, _, _ := unstructured.NestedSlice(u.Object, "metadata", "managedFields")
		if !updatedBySlipway(entries) {
			m.Owner = entriesDigest(entries)
		}
	}
	return m, true
}

// updatedBySlipway reports whether slipway has an entry of managedFields
// written by update, not by server-side apply.
func updatedBySlipway(entries []any) bool {
	for _, e := range entries {
		if m, ok := e.(map[string]any); ok && m["manager"] == kube.FieldManager && m["operation"] != "Apply" {
			return true
		}
	}
	return false
}

func isSecret(group, kind string) bool { return group == "" && kind == "Secret" }

// matchesObjectMeta reports whether the live object of the kind whose
// metadata is md (as a LIST of metadata alone returns it) is at the
// version, or has the slipway entries, the mark recorded. Slipway's
// entries of managedFields are written to JSON and read back, to digest
// them as markOf digests the same entries read from the server's JSON;
// owners, when set, remembers the digests by the entries' contents.
func (m objectMark) matchesObjectMeta(md *metav1.ObjectMeta, group, kind string, owners *memo[string]) bool {
	if md.DeletionTimestamp != nil {
		// Being deleted: as applied, but going (see warnDeleting).
		return false
	}
	if md.ResourceVersion == m.ResourceVersion && m.ResourceVersion != "" {
		return true
	}
	if m.Owner == "" || isSecret(group, kind) {
		return false
	}
	digest := func() string { return objectMetaOwner(md.ManagedFields) }
	if owners == nil {
		return digest() == m.Owner
	}
	// The key holds every field of slipway's entries, each after its
	// length, the time to the nanosecond: entries with the same key
	// digest alike.
	var key []byte
	field := func(b []byte) {
		key = strconv.AppendInt(key, int64(len(b)), 10)
		key = append(append(key, ':'), b...)
	}
	for _, e := range md.ManagedFields {
		if e.Manager != kube.FieldManager {
			continue
		}
		key = append(key, 'e')
		field([]byte(e.Manager))
		field([]byte(e.Operation))
		field([]byte(e.APIVersion))
		if e.Time != nil {
			key = append(strconv.AppendInt(append(key, 't'), e.Time.UnixNano(), 10), ';')
		}
		field([]byte(e.FieldsType))
		field([]byte(e.Subresource))
		if e.FieldsV1 != nil {
			key = append(key, 'f')
			field(e.FieldsV1.Raw)
		}
	}
	return owners.get(key, digest) == m.Owner
}

// objectMetaOwner is entriesDigest of typed managedFields entries, each
// written to JSON and read back as the server's JSON would be read.
func objectMetaOwner(fields []metav1.ManagedFieldsEntry) string {
	var entries []any
	for _, e := range fields {
		if e.Manager != kube.FieldManager {
			continue
		}
		b, err := json.Marshal(e)
		if err != nil {
			return "!"
		}
		var entry any
		if err := utiljson.Unmarshal(b, &entry); err != nil {
			return "!"
		}
		entries = append(entries, entry)
	}
	return entriesDigest(entries)
}

// entriesDigest is the SHA-256 of slipway's entries among managedFields
// entries (as decoded JSON), each written as encoding/json writes it
// (keys sorted), so that the same entries digest alike whether they came
// decoded or as the server's bytes; "" when there is none. Every entry of
// slipway's counts, whatever its operation (markOf takes no digest of an
// object with an entry of slipway's written by update).
func entriesDigest(entries []any) string {
	h := sha256.New()
	n := 0
	for _, e := range entries {
		m, ok := e.(map[string]any)
		if !ok || m["manager"] != kube.FieldManager {
			continue
		}
		b, err := json.Marshal(m)
		if err != nil {
			return ""
		}
		fmt.Fprintf(h, "%d:%s\n", len(b), b)
		n++
	}
	if n == 0 {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// configDigest is the digest of every attribute of an app's configuration
// that state takes from it (all but those planUnchanged takes from
// state) but those of where the manifests were read (see sourceOnly),
// "" when one is not known. With the same digest, and the same inputs
// (inputsDigest: the files' paths and contents), a plan would propose
// what apply applied: a new commit that left the app's files alone is
// no change, whatever directory it was checked out to.
func configDigest(conf cty.Value) string {
	return configDigestOf(conf, false)
}

// legacyConfigDigest is the digest that versions before Provenance
// recorded, the revision and the directory included: an app they
// applied is planned from state until its commit moves, and from its
// full state after that until its next sync.
func legacyConfigDigest(conf cty.Value) string {
	return configDigestOf(conf, true)
}

// sourceOnly reports whether attribute name of an app's configuration
// says only where its manifests were read: the commit (Provenance) and
// the checkout's directory, whose files the inputs digest covers. Alone,
// neither changes what the app syncs.
func sourceOnly(name string) bool {
	return appSchema.Attributes[name].Provenance || name == builtin.AppManifestsDir
}

func configDigestOf(conf cty.Value, legacy bool) string {
	if conf == cty.NilVal || conf.IsNull() || !conf.IsKnown() || !conf.Type().IsObjectType() {
		return ""
	}
	names := make([]string, 0, len(conf.Type().AttributeTypes()))
	for name := range conf.Type().AttributeTypes() {
		if !unchangedComputed[name] && (legacy || !sourceOnly(name)) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	h := sha256.New()
	fmt.Fprintf(h, "slipway kubernetes app configuration %d %d\n", elideScheme, appSchema.Version)
	for _, name := range names {
		if !hashAttr(h, conf, name) {
			return ""
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// elisionOf is what apply records for the app it leaves as state says:
// nil unless every recorded object has a mark and a manifest hash, and
// there are no others. digest is the configuration's (configDigest).
func elisionOf(name, cluster, digest string, objects map[string]cty.Value, hashes map[string]string, marks map[string]objectMark) *elision {
	if len(objects) == 0 || len(marks) != len(objects) || len(hashes) != len(objects) {
		return nil
	}
	for key := range objects {
		if _, ok := marks[key]; !ok {
			return nil
		}
		if _, ok := hashes[key]; !ok {
			return nil
		}
	}
	if digest == "" {
		return nil
	}
	return &elision{Name: name, Objects: marks, Config: digest, Cluster: cluster, Scheme: currentScheme}
}

// renewedElision is the app's private record with its elision made anew
// from the objects a refresh in full found live as state records them
// (live, by key), or nil when it would say nothing more (see renews) or
// cannot be told: the last apply recorded its inputs (it left the app exactly as
// its manifests say), no rollout is configured or under way, and every
// recorded object is live and not being deleted. Apply records an
// elision only as it writes; without this, an app whose marks stopped
// matching while its objects kept their values (a value changed by hand
// and given back; a record of an older scheme) would be read in full by
// every plan until its next change. The host records it when it applies
// a plan, as it records a refreshed value.
//
// A mark matches by slipway's entries of managedFields only while
// slipway owns every field of the recorded value: a value given back by
// hand leaves its field to the hand's field manager, which may then
// change it again without touching slipway's entries. Such an object's
// new mark is its resourceVersion alone (as a Secret's), which any
// write moves; an object whose mark was already so is renewed no more.
func renewedElision(state cty.Value, prior priorApp, cluster string, live map[string]*kube.Live) []byte {
	p := prior.private
	if p.Inputs == "" || len(prior.objects) == 0 || len(prior.inventory) != len(prior.objects) ||
		!attrOr(state, builtin.AppRolloutStatus).IsNull() {
		return nil
	}
	for _, key := range prior.inventory {
		if _, ok := prior.objects[key]; !ok {
			return nil
		}
	}
	cfg, diags := parseAppConfig(state)
	if diags.HasErrors() || cfg.Rollout != nil || cfg.RolloutRequest != "" {
		return nil
	}
	config := configDigest(state)
	// A mark of a record of this cluster, scheme and configuration
	// still stands for an object at its resourceVersion (the object is
	// as it was when marked), or, for a mark by slipway's entries, with
	// the same entries. Only the objects written since are decoded.
	var kept map[string]objectMark
	if e := p.Elide; e != nil && e.Cluster == cluster && e.scheme() == currentScheme && e.Config == config {
		kept = e.Objects
	}
	// renews says the new record is worth recording: a mark of it says
	// more than the one it replaces. A mark by resourceVersion alone
	// that replaces another is not: an object marked so whose status a
	// controller keeps writing (a HorizontalPodAutoscaler) would be
	// renewed, and state written, at every apply, and read in full by
	// every plan all the same.
	renews := len(kept) != len(prior.objects)
	marks := make(map[string]objectMark, len(prior.objects))
	for key, recorded := range prior.objects {
		lv := live[key]
		if lv == nil || lv.Meta().Deleting != "" {
			return nil
		}
		old, ok := kept[key]
		if ok && old.ResourceVersion != "" {
			if rv, err := jsonparser.GetString(lv.Meta().JSON, "resourceVersion"); err == nil && rv == old.ResourceVersion {
				marks[key] = old
				continue
			}
		}
		u, err := lv.Object()
		if err != nil {
			return nil
		}
		m, found := markOf(u)
		if !found {
			return nil
		}
		switch {
		case ok && old.Owner != "" && old.Owner == m.Owner:
			m = old
		case m.Owner != "":
			if shape := recordedShape(recorded); shape == nil || !(*fieldSets)(nil).stillApplied(u, shape) {
				m.Owner = ""
			}
		}
		if !ok || m != old && (m.Owner != "" || old.Owner != "") {
			renews = true
		}
		marks[key] = m
	}
	if !renews {
		return nil
	}
	e := elisionOf(cfg.Name, cluster, config, prior.objects, p.Hashes, marks)
	if e == nil {
		return nil
	}
	p.Elide = e
	return p.encode()
}

// elidedPrivate is what an elided refresh and plan read of privateData;
// the rest is left undecoded.
type elidedPrivate struct {
	Version int      `json:"v"`
	Inputs  string   `json:"inputs"`
	Elide   *elision `json:"elide"`
}

// elidedRecord is an app's private state as ReadElided read it.
type elidedRecord struct {
	raw []byte
	p   elidedPrivate
}

// keepElided keeps the records of the apps ReadElided found unchanged,
// for PlanElided.
func (p *provider) keepElided(recs map[string]elidedRecord) {
	p.elidedMu.Lock()
	defer p.elidedMu.Unlock()
	if p.elided == nil {
		p.elided = map[string]elidedRecord{}
	}
	for k, r := range recs {
		p.elided[k] = r
	}
}

// takeElided returns (and forgets) the record ReadElided kept for key,
// if it read these very bytes.
func (p *provider) takeElided(key string, raw []byte) (elidedPrivate, bool) {
	p.elidedMu.Lock()
	defer p.elidedMu.Unlock()
	r, ok := p.elided[key]
	delete(p.elided, key)
	if !ok || !bytes.Equal(r.raw, raw) {
		return elidedPrivate{}, false
	}
	return r.p, true
}

// decodeElided reads an app's elision, and reports whether it has one
// this provider can read.
func decodeElided(b []byte) (elidedPrivate, bool) {
	var p elidedPrivate
	if len(b) == 0 || json.Unmarshal(b, &p) != nil || p.Version > privateVersion || p.Elide == nil || len(p.Elide.Objects) == 0 {
		return p, false
	}
	return p, true
}

// elidedRead is an app's elision as ReadElided uses it: its objects' IDs
// parsed, by their keys (nil when one is not an ID). Neither it nor its
// maps are written once made: a memo hands them to every plan.
type elidedRead struct {
	priv elidedPrivate
	ok   bool
	ids  map[string]kube.ObjectID
}

// readElision decodes an app's private record for ReadElided, once for
// the same bytes while the provider runs (see memo).
func (p *provider) readElision(b []byte) elidedRead {
	return p.records.get(b, func() elidedRead {
		priv, ok := decodeElided(b)
		if !ok {
			return elidedRead{}
		}
		ids := make(map[string]kube.ObjectID, len(priv.Elide.Objects))
		for key := range priv.Elide.Objects {
			id, err := kube.ParseObjectID(key)
			if err != nil {
				return elidedRead{}
			}
			ids[key] = id
		}
		return elidedRead{priv: priv, ok: true, ids: ids}
	})
}

// ReadElided finds, from the apps' private state alone, those whose every
// recorded object is live where its mark says: the objects are as state
// records them, which is what ReadBatch would find comparing them. A mark
// is read from an object's metadata, so its LISTs ask for the objects'
// metadata alone (kube.FetchMeta): the same LISTs of whole objects in
// JSON took about three times the wall clock at 1,000 apps, and this
// provider twice the CPU. The apps it cannot answer are read in full,
// with LISTs of their own (ReadBatch), as are those a plan then plans in
// full.
func (a *app) ReadElided(ctx context.Context, reqs []sdk.ReadRequest) []bool {
	out := make([]bool, len(reqs))
	if a.p.offline {
		return out
	}
	ctx, done := a.p.WithStop(ctx)
	defer done()
	type item struct {
		i    int
		key  string
		priv elidedPrivate
		ids  map[string]kube.ObjectID
	}
	cl, err := a.p.Cluster()
	if err != nil {
		return out
	}
	// Marks read in another cluster say nothing of this one's objects.
	cluster := clusterOf(cl.Config)
	var items []item
	var all []kube.ObjectID
	a.p.records.Next()
	a.p.owners.Next()
	for i, r := range reqs {
		rec := a.p.readElision(r.Private)
		if !rec.ok || rec.priv.Elide.Cluster != "" && rec.priv.Elide.Cluster != cluster || rec.priv.Elide.scheme() != currentScheme {
			continue
		}
		priv, ids := rec.priv, rec.ids
		for _, id := range ids {
			all = append(all, id)
		}
		items = append(items, item{i: i, key: refreshKey(r.Address, priv.Elide.Name), priv: priv, ids: ids})
	}
	if len(items) == 0 {
		return out
	}
	live, err := kube.FetchMeta(ctx, cl.Mappings(), managedSelector, all, a.p.watch.Load())
	if err != nil {
		return out
	}
	par.Each(len(items), func(n int) {
		it := items[n]
		for key, m := range it.priv.Elide.Objects {
			md, id := live[key], it.ids[key]
			if md == nil || !m.matchesObjectMeta(md, id.Group, id.Kind, &a.p.owners) {
				return
			}
		}
		out[it.i] = true
	})
	same := map[string]bool{}
	recs := map[string]elidedRecord{}
	for _, it := range items {
		if out[it.i] {
			same[it.key] = true
			recs[it.key] = elidedRecord{raw: reqs[it.i].Private, p: it.priv}
		}
	}
	if len(same) > 0 {
		// For a plan in full of an app found as recorded (its
		// configuration changed): it LISTs what it compares.
		a.p.keepRefreshed(newSharedLive(), same, same)
	}
	a.p.keepElided(recs)
	return out
}

// PlanElided finds, from their configuration and private state alone,
// the apps ReadElided found as recorded whose plan changes nothing: the
// configuration apply applied, manifests made from the same inputs, and
// no rollout. Those are the apps planUnchanged plans unchanged with its
// every check passed; any other is planned in full.
func (a *app) PlanElided(_ context.Context, reqs []sdk.PlanRequest) []bool {
	// The refresh's watches start once the plan is done with them.
	defer a.p.startWatches()
	out := make([]bool, len(reqs))
	if a.p.offline {
		return out
	}
	cl, err := a.p.Cluster()
	if err != nil {
		return out
	}
	defaultNS := cl.DefaultNamespace
	keys := make([]string, len(reqs))
	a.p.configs.Next()
	a.p.known.Next()
	var roots confine.Roots
	par.Each(len(reqs), func(i int) {
		r := reqs[i]
		if !kube.AllKnown(r.Config, renderInputs...) {
			return
		}
		priv, ok := a.p.takeElided(refreshKey(r.Address, sdk.GetString(r.Config, builtin.AppName)), r.PriorPrivate)
		if !ok {
			rec := a.p.readElision(r.PriorPrivate)
			priv, ok = rec.priv, rec.ok
		}
		if !ok || priv.Inputs == "" {
			return
		}
		m, ok := a.p.configMatches(r.Address, r.Config, r.ConfigDigest, priv.Elide)
		if !ok {
			return
		}
		src, err := a.p.elidedSources(m.dir, &roots)
		if err != nil || a.p.inputsOf(r.Address, priv.Elide, m, src, defaultNS) != priv.Inputs {
			return
		}
		keys[i] = refreshKey(r.Address, priv.Elide.Name)
		out[i] = true
	})
	// Planned: the refresh's LISTs are no longer kept for them.
	var planned []string
	for _, k := range keys {
		if k != "" {
			planned = append(planned, k)
		}
	}
	if len(planned) > 0 {
		a.p.takeRefreshed(planned)
	}
	return out
}

// configMatch is what configMatches found of one configuration, and the
// inputs digest (inputsDigest) last made of it with the files whose
// digest is files.
type configMatch struct {
	config        cty.Value
	digest        string // the SDK's (sdk.PlanRequest.ConfigDigest), or ""
	dir           string
	ok            bool
	files, inputs string
	defaultNS     string // what inputs was made with
}

// configMatches reports whether conf is the configuration that e records
// (configDigest, the name) of an app without a rollout, and returns its
// manifests directory. The answer depends on conf and e alone: a process
// that plans again (slipway agent keeps it) answers from its last answer
// for the same record when conf is the same value, without digesting
// conf's twenty-odd attributes again: the same SDK digest (digest, set
// in such a process), or else the same value (RawEquals).
func (p *provider) configMatches(addr string, conf cty.Value, digest string, e *elision) (configMatch, bool) {
	check := func() configMatch {
		m := configMatch{config: conf, digest: digest}
		cfg, diags := parseAppConfig(conf)
		if diags.HasErrors() || cfg.Name != e.Name || cfg.Rollout != nil || cfg.RolloutRequest != "" {
			return m
		}
		if d := configDigest(conf); d == "" || (d != e.Config && legacyConfigDigest(conf) != e.Config) {
			return m
		}
		m.dir, m.ok = cfg.Dir, true
		return m
	}
	m := p.configs.get(configKey(addr, e), check)
	if same := digest != "" && m.digest == digest; !same && !m.config.RawEquals(conf) {
		m = check()
		p.configs.set(configKey(addr, e), m)
	}
	return m, m.ok
}

func configKey(addr string, e *elision) []byte {
	return []byte(addr + "\x00" + e.Name + "\x00" + e.Config)
}

// inputsOf is inputsDigest of the configuration m was found for (the
// request's, which configMatches compared), src and defaultNS; made once
// for the same files and default namespace and kept with m.
func (p *provider) inputsOf(addr string, e *elision, m configMatch, src *sources, defaultNS string) string {
	if src == nil || src.digest == "" || m.files != src.digest || m.defaultNS != defaultNS {
		m.inputs = inputsDigest(m.config, src, defaultNS)
		m.defaultNS = defaultNS
		if src != nil {
			m.files = src.digest
		}
		p.configs.set(configKey(addr, e), m)
	}
	return m.inputs
}
