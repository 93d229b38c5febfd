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

// Command slipway is the CLI: plan and apply the whole road from a commit
// to a running workload. Flags parse into typed arguments here; package
// command does the work; package views renders it.
package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"slipway.dev/slipway/cmd/slipway/internal/command"
	"slipway.dev/slipway/cmd/slipway/internal/views"
	"slipway.dev/slipway/planner/render"
	"slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/git"
	"slipway.dev/slipway/providers/helm"
	"slipway.dev/slipway/providers/kubernetes"
	"slipway.dev/slipway/providers/registry"
)

// version, commit and date are stamped at build time by the Makefile
// (-ldflags "-X main.version=... -X main.commit=... -X main.date=..."),
// from git describe, git rev-parse HEAD and the clock. A build without
// stamping is "dev".
var (
	version = "dev"
	commit  = ""
	date    = ""
)

// buildInfo is what this binary knows of its own build.
func buildInfo() command.BuildInfo {
	return command.BuildInfo{
		Version: version, Commit: commit, Date: date,
		GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH,
	}
}

// builtinProviders are the providers this binary serves itself with
// `slipway provider serve NAME`, each still in its own process.
var builtinProviders = map[string]func() sdk.Provider{
	"git":        git.New,
	"helm":       helm.New,
	"kubernetes": kubernetes.New,
	"registry":   registry.New,
}

// builtinExamples are the examples the built-in providers' reference
// pages show (slipway providers docs).
var builtinExamples = map[string]func() fs.FS{
	"git":        git.Examples,
	"helm":       helm.Examples,
	"kubernetes": kubernetes.Examples,
	"registry":   registry.Examples,
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	defer startProfile(args)()
	ctx, stopCtx, cleanup := interrupts()
	defer cleanup()
	code := 0
	args = normalizeArgs(args)
	inv := processInvocation(args)
	root := newRoot(ctx, stopCtx, &code, inv)
	root.SetArgs(args)
	err := root.Execute()
	inv.close()
	if ctx.Err() != nil {
		// The second Ctrl-C: the signal handler exits with 130 once the
		// providers have stopped or been killed.
		select {}
	}
	if err != nil {
		return 1
	}
	return code
}

// normalizeArgs lets Terraform's single-dash long flags (-out=plan,
// -auto-approve) mean the same as the double-dash ones (--out plan): a
// single dash followed by two or more letters is a long flag. Everything
// after "--" is left alone.
func normalizeArgs(args []string) []string {
	out := make([]string, len(args))
	rest := false
	for i, a := range args {
		out[i] = a
		if rest {
			continue
		}
		if a == "--" {
			rest = true
			continue
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' && isLetter(a[1]) && (isLetter(a[2]) || a[2] == '-') {
			out[i] = "-" + a
		}
	}
	return out
}

func isLetter(b byte) bool { return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') }

// halter stops the providers of the operation in flight when the user
// stops it at once. Signals are the process's, so it is too.
var halter command.Halter

// interrupts handles Ctrl-C (and SIGTERM) as Terraform does. The first
// asks to stop: stop is done, apply starts nothing new and lets the
// changes in flight finish and be recorded; operations that change
// nothing end, and their providers are sent Stop. The second stops now:
// ctx is cancelled, every running provider is sent Stop (which cancels
// its calls in flight) and killed if it has not stopped within its grace
// period, and the process exits; state and journal are left as they were
// last written, which the next plan reads.
func interrupts() (ctx, stop context.Context, cleanup func()) {
	ctx, cancel := context.WithCancel(context.Background())
	stop, stopNow := context.WithCancel(ctx)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	report := func(err error) { fmt.Fprintf(os.Stderr, "Error: %v\n", err) }
	go func() {
		n := 0
		for range sigs {
			n++
			if n == 1 {
				fmt.Fprintln(os.Stderr, "\nInterrupt received, finishing operations in flight (press Ctrl-C again to stop now)")
				stopNow()
				// The providers of operations that end at the first
				// Ctrl-C are sent Stop; apply's keep running.
				halter.Stop()
				continue
			}
			fmt.Fprintln(os.Stderr, "\nStopping now.")
			cancel()
			halter.Halt(report)
			os.Exit(130)
		}
	}()
	return ctx, stop, func() { signal.Stop(sigs); stopNow(); cancel() }
}

// invocation is where one command reads and writes: the process's own
// streams and environment, or those of a plan that an agent makes for a
// client (agent.go).
type invocation struct {
	stdout, stderr io.Writer
	stdin          io.Reader
	env            []string
	// color says whether standard output wants colour, given -no-color.
	color  func(noColor bool) bool
	halter *command.Halter
	// args is the command line, which plan sends to an agent.
	args []string
	// resident is set when an agent makes the plan: what it keeps
	// between plans. -chdir is refused then.
	resident *command.Resident
	// metas are the commands' Metas, closed by close once the command
	// has run.
	metas []*command.Meta
}

// close releases what the invocation's commands opened.
func (inv *invocation) close() {
	for _, m := range inv.metas {
		m.Close()
	}
	inv.metas = nil
}

// processInvocation is the invocation of the process itself.
func processInvocation(args []string) *invocation {
	return &invocation{
		stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin, env: os.Environ(),
		color:  func(noColor bool) bool { return views.WantColor(os.Stdout, noColor) },
		halter: &halter, args: args,
	}
}

func newRoot(ctx, stopCtx context.Context, code *int, inv *invocation) *cobra.Command {
	// Commands that change things finish what is in flight on the first
	// Ctrl-C (applyCtx lives until the second); every other command
	// stops at the first.
	applyCtx := ctx
	ctx = stopCtx
	var chdir string
	var noColor bool
	meta := func() *command.Meta {
		// Like terraform -chdir: everything, relative paths included,
		// happens in that directory.
		if chdir != "" && inv.resident == nil {
			if err := os.Chdir(chdir); err != nil {
				fmt.Fprintf(inv.stderr, "Error: -chdir: %v\n", err)
				os.Exit(1)
			}
			chdir = ""
		}
		dir := "."
		b := map[string]bool{}
		for n := range builtinProviders {
			b[n] = true
		}
		m := &command.Meta{
			Dir:      dir,
			View:     &views.View{Stdout: inv.stdout, Stderr: inv.stderr, Color: inv.color(noColor)},
			Stdin:    inv.stdin,
			Env:      inv.env,
			Version:  version,
			Builtins: b,
			Stop:     stopCtx,
			Halter:   inv.halter,
			Resident: inv.resident,
		}
		inv.metas = append(inv.metas, m)
		return m
	}
	root := &cobra.Command{
		Use:           "slipway",
		Short:         "Plan and apply the road from a commit to a running workload",
		SilenceUsage:  true,
		SilenceErrors: false,
		Version:       version,
	}
	// -version prints what `slipway version` prints.
	root.SetVersionTemplate(buildInfo().String())
	root.PersistentFlags().StringVar(&chdir, "chdir", "", "switch to this directory before doing anything else (relative paths are then relative to it)")
	root.PersistentFlags().BoolVar(&noColor, "no-color", false, "disable colour in output (NO_COLOR does the same)")
	set := func(c int) { *code = c }

	// init
	var initArgs command.InitArgs
	initCmd := &cobra.Command{
		Use:   "init",
		Short: "Find the providers the configuration needs and pin them in the lock file",
		Args:  cobra.NoArgs,
		Run:   func(*cobra.Command, []string) { set(meta().Init(ctx, initArgs)) },
	}
	initCmd.Flags().BoolVar(&initArgs.Upgrade, "upgrade", false, "re-pin providers already in the lock file")
	initCmd.Flags().StringArrayVar(&initArgs.Platforms, "platform", nil, "also pin each provider's binary for this platform (OS_ARCH, such as darwin_arm64), found at DIR/NAME/VERSION/OS_ARCH/ on the search path; repeatable")
	initCmd.Flags().BoolVar(&initArgs.MigrateState, "migrate-state", false, "when the backend configuration changed, copy every workspace's state to the new backend")
	initCmd.Flags().BoolVar(&initArgs.ForceCopy, "force-copy", false, "copy the states without asking (implies -migrate-state)")
	initCmd.Flags().BoolVar(&initArgs.Reconfigure, "reconfigure", false, "use the configured backend without copying the previous backend's states")
	initCmd.Flags().BoolVar(&initArgs.Input, "input", true, "ask for input when needed; -input=false never asks")
	lockFlags(initCmd, &initArgs.LockArgs)

	// validate
	var valArgs command.ValidateArgs
	validateCmd := &cobra.Command{
		Use:   "validate",
		Short: "Check the configuration for mistakes",
		Args:  cobra.NoArgs,
		Run:   func(*cobra.Command, []string) { set(meta().Validate(ctx, valArgs)) },
	}
	validateCmd.Flags().BoolVar(&valArgs.JSON, "json", false, "print the diagnostics as JSON")

	// fmt
	fmtArgs := command.FmtArgs{}
	fmtCmd := &cobra.Command{
		Use:   "fmt [PATH...]",
		Short: "Rewrite configuration files in the canonical style",
		Run: func(_ *cobra.Command, args []string) {
			fmtArgs.Paths = args
			set(meta().Fmt(fmtArgs))
		},
	}
	fmtCmd.Flags().BoolVar(&fmtArgs.Check, "check", false, "change nothing; exit 3 when a file is not formatted")
	fmtCmd.Flags().BoolVar(&fmtArgs.Diff, "diff", false, "print the changes as a diff")
	fmtCmd.Flags().BoolVar(&fmtArgs.Recursive, "recursive", false, "also format files in subdirectories")
	fmtCmd.Flags().BoolVar(&fmtArgs.Write, "write", true, "write the formatted files")
	fmtCmd.Flags().BoolVar(&fmtArgs.List, "list", true, "list the files that are not formatted")

	// plan
	var planArgs command.PlanArgs
	var useAgent bool
	planCmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what apply would do",
		Args:  cobra.NoArgs,
		Run: func(*cobra.Command, []string) {
			m := meta()
			if c, ok := planByAgent(ctx, m, inv, useAgent); ok {
				set(c)
				return
			}
			set(m.Plan(ctx, planArgs))
		},
	}
	planFlags(planCmd, &planArgs)
	planCmd.Flags().BoolVar(&useAgent, "agent", true, "let the agent of this directory (slipway agent) make the plan: the one running there, or one plan starts (SLIPWAY_AGENT)")
	planCmd.Flags().StringVar(&planArgs.Out, "out", "", "save the plan to this file, for apply to carry out exactly")
	planCmd.Flags().BoolVar(&planArgs.DetailedExitcode, "detailed-exitcode", false, "exit 0 for no changes, 1 for errors, 2 when there are changes (3 when a policy denies the plan, with or without this flag)")
	planCmd.Flags().BoolVar(&planArgs.Destroy, "destroy", false, "plan to destroy everything in state")
	planCmd.Flags().BoolVar(&planArgs.Offline, "offline", false, "plan without reaching the cluster: render every app and compare it with the state of the last apply (a preview: apply refuses it)")
	planCmd.Flags().StringArrayVar(&planArgs.Sources, "source", nil, "read source NAME from the local checkout DIR instead of its remote: -source NAME=DIR (repeatable; a preview: apply refuses it)")

	// apply
	var applyArgs command.ApplyArgs
	applyCmd := &cobra.Command{
		Use:   "apply [PLANFILE]",
		Short: "Carry out a plan",
		Args:  cobra.MaximumNArgs(1),
		Run: func(_ *cobra.Command, args []string) {
			if len(args) == 1 {
				applyArgs.PlanFile = args[0]
			}
			set(meta().Apply(applyCtx, applyArgs))
		},
	}
	planFlags(applyCmd, &applyArgs.PlanArgs)
	applyCmd.Flags().BoolVar(&applyArgs.AutoApprove, "auto-approve", false, "apply without asking for confirmation")
	applyCmd.Flags().BoolVar(&applyArgs.Destroy, "destroy", false, "destroy everything in state")
	applyCmd.Flags().StringArrayVar(&applyArgs.Approve, "approve", nil, "pass a pipeline approval gate without asking, named pipeline.NAME.STAGE (repeatable)")

	// destroy
	var destroyArgs command.ApplyArgs
	destroyCmd := &cobra.Command{
		Use:   "destroy",
		Short: "Destroy everything slipway manages in this configuration",
		Args:  cobra.NoArgs,
		Run: func(*cobra.Command, []string) {
			destroyArgs.Destroy = true
			set(meta().Apply(applyCtx, destroyArgs))
		},
	}
	planFlags(destroyCmd, &destroyArgs.PlanArgs)
	destroyCmd.Flags().BoolVar(&destroyArgs.AutoApprove, "auto-approve", false, "destroy without asking for confirmation")

	// show
	var showArgs command.ShowArgs
	showCmd := &cobra.Command{
		Use:   "show [PLANFILE]",
		Short: "Show a saved plan, or the state",
		Args:  cobra.MaximumNArgs(1),
		Run: func(_ *cobra.Command, args []string) {
			if len(args) == 1 {
				showArgs.PlanFile = args[0]
			}
			set(meta().Show(ctx, showArgs))
		},
	}
	showCmd.Flags().BoolVar(&showArgs.JSON, "json", false, "print as JSON")
	showCmd.Flags().BoolVar(&showArgs.HTML, "html", false, "print the saved plan as one self-contained HTML page (without PLANFILE: the page that opens a plan JSON file)")
	showCmd.Flags().BoolVar(&showArgs.Markdown, "markdown", false, "print a saved plan as Markdown, for a pull-request comment")
	showCmd.Flags().IntVar(&showArgs.MarkdownLimit, "markdown-limit", render.DefaultMarkdownLimit, "the most characters -markdown writes, leaving out the biggest diffs first; 0 for no limit")

	// output
	var outArgs command.OutputArgs
	outputCmd := &cobra.Command{
		Use:   "output [NAME]",
		Short: "Show output values from the state",
		Args:  cobra.MaximumNArgs(1),
		Run: func(_ *cobra.Command, args []string) {
			if len(args) == 1 {
				outArgs.Name = args[0]
			}
			set(meta().Output(ctx, outArgs))
		},
	}
	outputCmd.Flags().BoolVar(&outArgs.JSON, "json", false, "print as JSON")
	outputCmd.Flags().BoolVar(&outArgs.Raw, "raw", false, "print a string, number or bool output without quotes")

	// graph
	var graphArgs command.GraphArgs
	graphCmd := &cobra.Command{
		Use:   "graph",
		Short: "Print the dependency graph (DOT or mermaid)",
		Args:  cobra.NoArgs,
		Run:   func(*cobra.Command, []string) { set(meta().Graph(ctx, graphArgs)) },
	}
	graphCmd.Flags().StringVar(&graphArgs.Format, "format", "dot", "dot or mermaid")

	// status
	var statusArgs command.StatusArgs
	statusCmd := &cobra.Command{
		Use:   "status [app.NAME...]",
		Short: "Show each app's sync status, health, objects and recent syncs",
		Run: func(_ *cobra.Command, args []string) {
			statusArgs.Apps = args
			set(meta().Status(ctx, statusArgs))
		},
	}
	varFlags(statusCmd, &statusArgs.VarArgs)
	statusCmd.Flags().BoolVar(&statusArgs.JSON, "json", false, "print as JSON")

	// rollback
	var rbArgs command.ApplyArgs
	rollbackCmd := &cobra.Command{
		Use:   "rollback app.NAME [ID]",
		Short: "Sync an app back to a recorded earlier sync (the previous one, or ID from slipway status)",
		Args:  cobra.RangeArgs(1, 2),
		Run: func(_ *cobra.Command, args []string) {
			id := ""
			if len(args) == 2 {
				id = args[1]
			}
			set(meta().Rollback(applyCtx, rbArgs, args[0], id))
		},
	}
	planFlags(rollbackCmd, &rbArgs.PlanArgs)
	rollbackCmd.Flags().BoolVar(&rbArgs.AutoApprove, "auto-approve", false, "roll back without asking for confirmation")

	// reconcile
	var recArgs command.ReconcileArgs
	reconcileCmd := &cobra.Command{
		Use:   "reconcile",
		Short: "Keep applying what git says, every interval (GitOps pull); drift is corrected where sync.self_heal is on",
		Args:  cobra.NoArgs,
		Run:   func(*cobra.Command, []string) { set(meta().Reconcile(applyCtx, recArgs)) },
	}
	reconcileCmd.Flags().DurationVar(&recArgs.Interval, "interval", 3*time.Minute, "time between reconciles")
	reconcileCmd.Flags().BoolVar(&recArgs.Once, "once", false, "reconcile once and exit")
	reconcileCmd.Flags().StringArrayVar(&recArgs.Approve, "approve", nil, "pass a pipeline approval gate without asking, named pipeline.NAME.STAGE (repeatable)")
	reconcileCmd.Flags().StringArrayVar(&recArgs.PolicyDirs, "policy", nil, "also check each round's plan against the policies in this directory's *.slip.hcl files (repeatable)")
	varFlags(reconcileCmd, &recArgs.VarArgs)
	parallelismFlag(reconcileCmd.Flags(), &recArgs.Parallelism)
	lockFlags(reconcileCmd, &recArgs.LockArgs)

	// import
	var impArgs command.ImportArgs
	importCmd := &cobra.Command{
		Use:   "import ADDR ID",
		Short: "Adopt an existing object into state as ADDR, by its provider's ID",
		Args:  cobra.ExactArgs(2),
		Run: func(_ *cobra.Command, args []string) {
			impArgs.Addr, impArgs.ID = args[0], args[1]
			set(meta().Import(ctx, impArgs))
		},
	}
	varFlags(importCmd, &impArgs.VarArgs)
	lockFlags(importCmd, &impArgs.LockArgs)

	// logs
	var logsArgs command.LogsArgs
	logsCmd := &cobra.Command{
		Use:   "logs pipeline.NAME [STAGE]",
		Short: "Print the output of a pipeline's last run, or of one of its stages",
		Args:  cobra.RangeArgs(1, 2),
		Run: func(_ *cobra.Command, args []string) {
			logsArgs.Address = args[0]
			if len(args) == 2 {
				logsArgs.Stage = args[1]
			}
			set(meta().Logs(ctx, logsArgs))
		},
	}
	logsCmd.Flags().IntVar(&logsArgs.Run, "run", 0, "the run number (default: the last run)")

	// version
	var verArgs command.VersionArgs
	versionCmd := &cobra.Command{
		Use:   "version",
		Short: "Print slipway's version, commit, build date and Go version; with -json, also the providers in use",
		Args:  cobra.NoArgs,
		Run: func(*cobra.Command, []string) {
			verArgs.BuiltinVersion = func(name string) string { return builtinProviders[name]().Metadata().Version }
			set(meta().PrintVersion(buildInfo(), verArgs))
		},
	}
	versionCmd.Flags().BoolVar(&verArgs.JSON, "json", false, "print as JSON, with the providers the configuration in this directory uses")

	// convert
	var convArgs command.ConvertArgs
	convertCmd := &cobra.Command{
		Use:   "convert argocd|flux FILE|DIR...",
		Short: "Write the slipway configuration of Argo CD Applications and ApplicationSets, or of Flux GitRepositories, Kustomizations and HelmReleases (exit 2 when something could not be converted)",
		Args:  cobra.MinimumNArgs(2),
		Run: func(_ *cobra.Command, args []string) {
			convArgs.Tool, convArgs.Paths = args[0], args[1:]
			set(meta().Convert(convArgs))
		},
	}
	convertCmd.Flags().StringVar(&convArgs.Out, "out", "", "write one file per source repository or app set into this directory instead of printing the configuration")

	// agent
	var agentOpts agentOptions
	agentCmd := &cobra.Command{
		Use:   "agent",
		Short: "Stay running in this directory and make its plans, keeping the providers running and the state read between them",
		Args:  cobra.NoArgs,
		Run: func(*cobra.Command, []string) {
			meta() // for -chdir
			set(serveAgent(ctx, inv, agentOpts))
		},
	}
	agentCmd.Flags().DurationVar(&agentOpts.idleTimeout, "idle-timeout", defaultIdleTimeout, "stop after this long without a plan; 0 never stops")
	agentCmd.Flags().BoolVar(&agentOpts.stop, "stop", false, "stop the agent running in this directory, and start none")
	agentCmd.Flags().BoolVar(&agentOpts.onDemand, "on-demand", false, "started by plan: stop once a plan comes from another build, environment or directory")
	_ = agentCmd.Flags().MarkHidden("on-demand")

	root.AddCommand(agentCmd, convertCmd, logsCmd, initCmd, validateCmd, fmtCmd, planCmd, applyCmd, destroyCmd, showCmd, outputCmd, graphCmd, statusCmd, rollbackCmd, reconcileCmd, importCmd,
		versionCmd,
		stateCommand(ctx, meta, set), workspaceCommand(ctx, meta, set), forceUnlockCommand(ctx, meta, set), providerCommand(set),
		providersCommand(ctx, meta, set), rolloutCommand(ctx, applyCtx, meta, set))
	return root
}

// planFlags adds the flags plan, apply and destroy share.
func planFlags(c *cobra.Command, a *command.PlanArgs) {
	f := c.Flags()
	varFlags(c, &a.VarArgs)
	f.StringArrayVar(&a.Targets, "target", nil, "plan only this resource and what it depends on (repeatable)")
	f.StringArrayVar(&a.Excludes, "exclude", nil, "leave out this resource and what depends on it (repeatable)")
	f.StringArrayVar(&a.Replace, "replace", nil, "replace this instance even if it has not changed (repeatable)")
	f.BoolVar(&a.Refresh, "refresh", true, "read the real objects before planning; -refresh=false trusts the state")
	f.BoolVar(&a.HardRefresh, "hard-refresh", false, "drop the sources' caches and fetch them afresh")
	f.BoolVar(&a.JSON, "json", false, "print JSON events, one per line (the machine-readable UI), instead of text")
	f.BoolVar(&a.Markdown, "markdown", false, "print the plan as Markdown, for a pull-request comment")
	f.IntVar(&a.MarkdownLimit, "markdown-limit", render.DefaultMarkdownLimit, "the most characters -markdown writes, leaving out the biggest diffs first; 0 for no limit")
	parallelismFlag(f, &a.Parallelism)
	f.BoolVar(&a.Input, "input", true, "ask for input when needed; -input=false never asks (apply then needs -auto-approve or a saved plan)")
	f.BoolVar(&a.CompactWarnings, "compact-warnings", false, "print warnings as one summary line each, unless errors come with them")
	f.StringArrayVar(&a.PolicyDirs, "policy", nil, "also check the plan against the policies in this directory's *.slip.hcl files (repeatable)")
	lockFlags(c, &a.LockArgs)
}

// varFlags adds the input variable flags.
func varFlags(c *cobra.Command, a *command.VarArgs) {
	c.Flags().StringArrayVar(&a.Vars, "var", nil, "set an input variable: -var 'NAME=VALUE' (repeatable)")
	c.Flags().StringArrayVar(&a.VarFiles, "var-file", nil, "read input variables from a file (repeatable)")
}

func lockFlags(c *cobra.Command, a *command.LockArgs) {
	c.Flags().BoolVar(&a.Lock, "lock", true, "lock the state while working; -lock=false is dangerous when others work on it")
	c.Flags().DurationVar(&a.LockTimeout, "lock-timeout", 0, "how long to wait for a held state lock, like 30s")
}

func stateCommand(ctx context.Context, meta func() *command.Meta, set func(int)) *cobra.Command {
	c := &cobra.Command{Use: "state", Short: "Inspect and change the state"}
	var sa command.StateArgs
	mk := func(use, short string, args cobra.PositionalArgs, fn func(*command.Meta, command.StateArgs) int) *cobra.Command {
		sc := &cobra.Command{Use: use, Short: short, Args: args, Run: func(_ *cobra.Command, a []string) {
			sa.Addrs = a
			set(fn(meta(), sa))
		}}
		lockFlags(sc, &sa.LockArgs)
		return sc
	}
	push := mk("push FILE", "Replace the state with a state file (- for stdin)", cobra.ExactArgs(1), func(m *command.Meta, a command.StateArgs) int { return m.StatePush(ctx, a) })
	push.Flags().BoolVar(&sa.Force, "force", false, "replace even a state of another lineage or a newer serial")
	var ca command.StateCryptArgs
	crypt := func(use, short string, fn func(*command.Meta, command.StateCryptArgs) int) *cobra.Command {
		sc := &cobra.Command{Use: use, Short: short, Args: cobra.NoArgs, Run: func(*cobra.Command, []string) { set(fn(meta(), ca)) }}
		varFlags(sc, &ca.VarArgs)
		lockFlags(sc, &ca.LockArgs)
		return sc
	}
	c.AddCommand(
		crypt("encrypt", "Store the state, its backup and its journal encrypted, as the encryption block says",
			func(m *command.Meta, a command.StateCryptArgs) int { return m.StateEncrypt(ctx, a) }),
		crypt("decrypt", "Store the state, its backup and its journal unencrypted",
			func(m *command.Meta, a command.StateCryptArgs) int { return m.StateDecrypt(ctx, a) }),
	)
	c.AddCommand(
		mk("list [ADDR...]", "List the instances in state", cobra.ArbitraryArgs, func(m *command.Meta, a command.StateArgs) int { return m.StateList(ctx, a) }),
		mk("show ADDR", "Show one instance in state", cobra.ExactArgs(1), func(m *command.Meta, a command.StateArgs) int { return m.StateShow(ctx, a) }),
		mk("rm ADDR...", "Forget instances without deleting them", cobra.MinimumNArgs(1), func(m *command.Meta, a command.StateArgs) int { return m.StateRm(ctx, a) }),
		mk("mv SRC DST", "Move an instance to another address", cobra.ExactArgs(2), func(m *command.Meta, a command.StateArgs) int { return m.StateMv(ctx, a) }),
		mk("pull", "Print the state document", cobra.NoArgs, func(m *command.Meta, _ command.StateArgs) int { return m.StatePull(ctx) }),
		push,
	)
	return c
}

func workspaceCommand(ctx context.Context, meta func() *command.Meta, set func(int)) *cobra.Command {
	c := &cobra.Command{Use: "workspace", Short: "Work with workspaces: one configuration, a state per workspace"}
	var wa command.WorkspaceArgs
	named := func(use, short string, fn func(*command.Meta, command.WorkspaceArgs) int) *cobra.Command {
		return &cobra.Command{Use: use, Short: short, Args: cobra.ExactArgs(1), Run: func(_ *cobra.Command, a []string) {
			wa.Name = a[0]
			set(fn(meta(), wa))
		}}
	}
	newCmd := named("new NAME", "Create a workspace with an empty state, and select it", func(m *command.Meta, a command.WorkspaceArgs) int { return m.WorkspaceNew(ctx, a) })
	lockFlags(newCmd, &wa.LockArgs)
	selectCmd := named("select NAME", "Select a workspace", func(m *command.Meta, a command.WorkspaceArgs) int { return m.WorkspaceSelect(ctx, a) })
	selectCmd.Flags().BoolVar(&wa.OrCreate, "or-create", false, "create the workspace if it does not exist")
	lockFlags(selectCmd, &wa.LockArgs)
	deleteCmd := named("delete NAME", "Delete a workspace and its state", func(m *command.Meta, a command.WorkspaceArgs) int { return m.WorkspaceDelete(ctx, a) })
	deleteCmd.Flags().BoolVar(&wa.Force, "force", false, "delete the workspace even though its state is not empty")
	lockFlags(deleteCmd, &wa.LockArgs)
	c.AddCommand(
		&cobra.Command{Use: "list", Short: "List the workspaces, the selected one marked with *", Args: cobra.NoArgs,
			Run: func(*cobra.Command, []string) { set(meta().WorkspaceList(ctx)) }},
		&cobra.Command{Use: "show", Short: "Print the selected workspace's name", Args: cobra.NoArgs,
			Run: func(*cobra.Command, []string) { set(meta().WorkspaceShow()) }},
		newCmd, selectCmd, deleteCmd,
	)
	return c
}

func forceUnlockCommand(ctx context.Context, meta func() *command.Meta, set func(int)) *cobra.Command {
	var force bool
	c := &cobra.Command{
		Use:   "force-unlock LOCK_ID",
		Short: "Release a state lock whose holder is gone",
		Args:  cobra.ExactArgs(1),
		Run:   func(_ *cobra.Command, a []string) { set(meta().ForceUnlock(ctx, a[0], force)) },
	}
	c.Flags().BoolVar(&force, "force", false, "do not ask for confirmation")
	return c
}

func providerCommand(set func(int)) *cobra.Command {
	c := &cobra.Command{Use: "provider", Short: "Work with providers"}
	c.AddCommand(&cobra.Command{
		Use:    "serve NAME",
		Short:  "Serve a built-in provider as a plugin (slipway starts this itself)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		Run: func(_ *cobra.Command, a []string) {
			p, ok := builtinProviders[a[0]]
			if !ok {
				names := make([]string, 0, len(builtinProviders))
				for n := range builtinProviders {
					names = append(names, n)
				}
				sort.Strings(names)
				fmt.Fprintf(os.Stderr, "slipway has no built-in provider %q (built in: %s)\n", a[0], strings.Join(names, ", "))
				set(1)
				return
			}
			sdk.Serve(p())
		},
	})
	return c
}

// providersCommand is `slipway providers`: the providers slipway has and
// the configuration needs, and with `schema -json` their schemas, as
// `terraform providers` does.
func providersCommand(ctx context.Context, meta func() *command.Meta, set func(int)) *cobra.Command {
	var a command.ProvidersArgs
	a.BuiltinVersion = func(name string) string { return builtinProviders[name]().Metadata().Version }
	c := &cobra.Command{
		Use:   "providers",
		Short: "List the providers built into slipway and those the configuration needs, with their versions and where each was found",
		Args:  cobra.NoArgs,
		Run:   func(*cobra.Command, []string) { set(meta().Providers(a)) },
	}
	c.Flags().BoolVar(&a.JSON, "json", false, "print as JSON")
	var sa command.ProvidersArgs
	schema := &cobra.Command{
		Use:   "schema -json",
		Short: "Print the schemas of every provider (resources and sources, with their attributes) as JSON",
		Args:  cobra.NoArgs,
		Run:   func(*cobra.Command, []string) { set(meta().ProvidersSchema(ctx, sa)) },
	}
	schema.Flags().BoolVar(&sa.JSON, "json", false, "print as JSON (required)")
	c.AddCommand(schema)
	c.AddCommand(&cobra.Command{
		Use:   "push DIR REF",
		Short: "Publish a provider's builds in DIR (slipway-provider-NAME_OS_ARCH) to an OCI registry as one index, tagged with the version (REF is REPOSITORY:VERSION)",
		Args:  cobra.ExactArgs(2),
		Run: func(_ *cobra.Command, a []string) {
			set(meta().ProvidersPush(ctx, command.ProvidersPushArgs{Dir: a[0], Ref: a[1]}))
		},
	})
	da := command.ProvidersDocsArgs{BuiltinExamples: func(name string) fs.FS {
		if f := builtinExamples[name]; f != nil {
			return f()
		}
		return nil
	}}
	docs := &cobra.Command{
		Use:   "docs NAME -out DIR",
		Short: "Write a provider's reference pages in Markdown: one per resource and source type, with the examples of its examples directory",
		Args:  cobra.ExactArgs(1),
		Run: func(_ *cobra.Command, args []string) {
			da.Name = args[0]
			set(meta().ProvidersDocs(ctx, da))
		},
	}
	docs.Flags().StringVar(&da.Out, "out", "", "the directory to write the pages into (required)")
	docs.Flags().StringVar(&da.Examples, "examples", "", "the provider's examples directory (provider/, resources/TYPE/, sources/TYPE/); a built-in provider's own when unset")
	c.AddCommand(docs)
	return c
}
