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

package main

import (
	"context"

	"github.com/spf13/cobra"

	"slipway.dev/slipway/cmd/slipway/internal/command"
	"slipway.dev/slipway/internal/builtin"
)

// rolloutCommand is `slipway rollout`: where apps' rollouts stand, and
// the requests that move one on. The requests change things, so they
// run under applyCtx, as apply does; status stops at the first Ctrl-C.
func rolloutCommand(ctx, applyCtx context.Context, meta func() *command.Meta, set func(int)) *cobra.Command {
	c := &cobra.Command{Use: "rollout", Short: "Show where apps' rollouts stand, and promote, abort or retry one"}

	var sa command.RolloutStatusArgs
	status := &cobra.Command{
		Use:   "status [app.NAME...]",
		Short: "Show where each app's rollout stands, from the state: its road, step, weight, analyses and what moves it on",
		Long: `Show where each app's rollout stands, as the state records it: the strategy and
workload, the phase, the road of steps with the one under way in brackets,
the weight, the analyses run so far, the message, and the command that moves
it on. It reads the state without locking it and asks nothing of a cluster.

With -watch it prints again each time the rollout changes, until none of the
rollouts shown is progressing or paused, or Ctrl-C. A local state file is
watched through its size and time every 500ms, which reads nothing until it
changes; a remote state backend (kubernetes, pg) is read every 2s.`,
		Run: func(_ *cobra.Command, args []string) {
			sa.Apps = args
			set(meta().RolloutStatus(ctx, sa))
		},
	}
	status.Flags().BoolVar(&sa.JSON, "json", false, "print as JSON (with -watch, one document a line at each change)")
	status.Flags().BoolVar(&sa.Watch, "watch", false, "print again at each change until no rollout shown is under way")

	request := func(use, short, long, req string, full *bool) *cobra.Command {
		var a command.RolloutArgs
		rc := &cobra.Command{
			Use:   use,
			Short: short,
			Long: long + `

It is an apply of that one app, as slipway apply -target=app.NAME makes it,
under the state lock, with the same exit codes. It shows the app's plan and
applies it without asking, as -auto-approve does; only when the plan also
changes something else (what the app depends on) does it ask first, and with
-input=false or -json it then refuses unless -auto-approve is given. When the
state records no rollout the request fits, it changes nothing and exits 1.`,
			Args: cobra.ExactArgs(1),
			Run: func(_ *cobra.Command, args []string) {
				a.App, a.Request = args[0], req
				if full != nil && *full {
					a.Request = builtin.RolloutPromoteFull
				}
				set(meta().Rollout(applyCtx, a))
			},
		}
		f := rc.Flags()
		varFlags(rc, &a.VarArgs)
		lockFlags(rc, &a.LockArgs)
		f.BoolVar(&a.AutoApprove, "auto-approve", false, "apply without asking even when the plan changes more than the app")
		f.BoolVar(&a.Input, "input", true, "ask for input when needed; -input=false never asks")
		f.BoolVar(&a.JSON, "json", false, "print JSON events, one per line (the machine-readable UI), instead of text")
		f.BoolVar(&a.Refresh, "refresh", true, "read the real objects before planning; -refresh=false trusts the state")
		f.BoolVar(&a.CompactWarnings, "compact-warnings", false, "print warnings as one summary line each, unless errors come with them")
		parallelismFlag(f, &a.Parallelism)
		f.StringArrayVar(&a.PolicyDirs, "policy", nil, "also check the plan against the policies in this directory's *.slip.hcl files (repeatable)")
		if full != nil {
			f.BoolVar(full, "full", false, "skip the remaining steps and go to 100% at once")
		}
		return rc
	}
	var full bool
	c.AddCommand(status,
		request("promote [-full] app.NAME", "Move an app's rollout on past the pause it waits at (-full: to 100% at once)",
			"Move the app's rollout on past the step it waits at: a pause without a\nduration, a timed pause, or blue-green's switch awaiting promotion. With\n-full, skip every remaining step and make the new revision stable at once.",
			builtin.RolloutPromote, &full),
		request("abort app.NAME", "Abort an app's rollout: traffic and replicas go back to the stable revision",
			"Abort the app's rollout under way: traffic and replicas go back to the\nstable revision, the canary or preview pods are removed, and the state\nrecords the aborted revision, which is not retried by itself.",
			builtin.RolloutAbort, nil),
		request("retry app.NAME", "Start an aborted rollout again from its first step",
			"Start the rollout of the revision that was aborted again, from its first\nstep.",
			builtin.RolloutRetry, nil),
	)
	return c
}
