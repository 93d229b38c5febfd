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

package kube

import (
	"fmt"

	"github.com/fluxcd/cli-utils/pkg/kstatus/status"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	sdk "slipway.dev/slipway/plugin-sdk"
)

// HealthOf maps an object's kstatus to Argo CD's health names; nil is a
// missing object. A paused Deployment and a suspended CronJob are
// Suspended, as in Argo CD; kstatus has no such status.
func HealthOf(u *unstructured.Unstructured) (health, message string) {
	if u == nil {
		return sdk.Missing, "the object does not exist"
	}
	switch u.GroupVersionKind().GroupKind().String() {
	case "Deployment.apps":
		if p, _, _ := unstructured.NestedBool(u.Object, "spec", "paused"); p {
			return sdk.Suspended, "the Deployment is paused"
		}
	case "CronJob.batch":
		if s, _, _ := unstructured.NestedBool(u.Object, "spec", "suspend"); s {
			return sdk.Suspended, "the CronJob is suspended"
		}
	}
	res, err := status.Compute(u)
	if err != nil {
		return sdk.Unknown, err.Error()
	}
	switch res.Status {
	case status.CurrentStatus:
		return sdk.Healthy, res.Message
	case status.InProgressStatus, status.TerminatingStatus:
		return sdk.Progressing, res.Message
	case status.FailedStatus:
		return sdk.Degraded, res.Message
	case status.NotFoundStatus:
		return sdk.Missing, res.Message
	}
	return sdk.Unknown, res.Message
}

// healthRank orders health from best to worst, for a resource's overall
// health: the worst of its objects'.
func healthRank(h string) int {
	switch h {
	case sdk.Healthy:
		return 0
	case sdk.Suspended:
		return 1
	case sdk.Unknown:
		return 2
	case sdk.Progressing:
		return 3
	case sdk.Missing:
		return 4
	case sdk.Degraded:
		return 5
	}
	return 2
}

// Summarise fills resp from the statuses of a resource's objects: its
// Objects, Synced unless one of them is out of sync, the worst of their
// healths (Degraded > Missing > Progressing > Unknown > Suspended >
// Healthy), and a message that counts them and names the first object of
// the worst health. prefix, when set, starts the message.
func Summarise(resp *sdk.StatusResponse, objects []sdk.ObjectStatus, prefix string) {
	resp.Health, resp.Sync = sdk.Healthy, sdk.Synced
	outOfSync, worst := 0, ""
	for _, os := range objects {
		if os.Sync == sdk.OutOfSync {
			outOfSync++
			resp.Sync = sdk.OutOfSync
		}
		if healthRank(os.Health) > healthRank(resp.Health) {
			resp.Health = os.Health
			worst = fmt.Sprintf("%s: %s", os.ID, os.Message)
		}
	}
	resp.Objects = append(resp.Objects, objects...)
	resp.Message = prefix + fmt.Sprintf("%d objects, %d out of sync", len(objects), outOfSync)
	if worst != "" {
		resp.Message += "; " + worst
	}
}
