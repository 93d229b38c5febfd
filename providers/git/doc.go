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

// Package git is slipway's built-in git provider, built on go-git. It
// serves the source type "git": a repository URL and a branch, tag or
// commit (the remote's default branch when none is named), resolved at
// every plan to a full commit and checked out on local disk, with the
// commit's metadata and the subdirectories of a path (for for_each, like
// Argo CD's git directory generator).
//
// Its write side is the resource type "git_promote", the "update the
// GitOps repository" step of a delivery pipeline: one commit that sets an
// image's tag or digest (in a kustomization's images, or in the containers
// of plain manifests), one value of a YAML file (yaml_path) or a file's
// content, pushed to a branch. The edit is kept as what it means ("set the
// tag of image X to Y"), not as a patch:
//
//   - Plan reads the files at base_commit (the commit the pipeline's git
//     source read; the branch's head when unset), makes the edit in memory
//     and shows the values it changes (changes) and a unified diff (diff).
//     Nothing is written to the remote. An edit that changes nothing plans
//     commit = the commit read, and apply then does nothing at all.
//   - Apply fetches the branch, makes the same edit on the files at its
//     head (which may have moved past base_commit), writes the blobs, trees
//     and commit with go-git's plumbing into the cached bare repository,
//     and pushes commit:refs/heads/BRANCH. A push refused because the
//     branch moved meanwhile is retried on the new head, up to 5 times
//     with a short backoff. When the edit changes nothing at the head
//     (someone set it already), nothing is pushed and commit is the head.
//     The edit's changes are the same on any head that holds the values
//     it sets; when the branch moved and the applied changes or diff still
//     differ from the plan's (someone changed the same value, or lines
//     near it), apply says so in a warning.
//   - YAML is edited with kyaml's parser. Changing existing values splices
//     the new values' text into the original bytes, so comments, blank
//     lines, quoting and key order stay as they were; adding a key or a
//     list entry writes that one document again with kyaml's encoder,
//     which keeps comments and key order.
//   - Delete only forgets the resource: pushed history is never rewritten.
//
// Everything lives in a cache directory (cache_dir in the provider block):
//
//	repos/<key>       one bare repository per URL; key = sha256(url)[:16] in hex
//	                  of the URL without credentials (see urls.go)
//	repos/<key>.lock  the lock file of that repository
//	trees/<commit>    a read-only checkout of one commit
//
// A read lists the remote's refs (ls-remote), and fetches only when the
// commit they name is not cached yet; a pinned commit that is cached needs
// no network at all. A hard refresh (SourceReadRequest.Hard) drops the
// URL's repository and the commit's checkout and reads them afresh. Local
// paths and file:// URLs are served in process by go-git, so the provider
// needs no git installation.
//
// What must stay true:
//   - Sources are read-only: the read side never pushes, and never writes
//     to a remote in any other way. Only git_promote's apply pushes.
//   - A promote never force-pushes: its refspec has no "+", Force is false,
//     and the push requires the remote branch to still be at the commit the
//     new one sits on, so it is always a fast-forward of what others
//     pushed. Nothing a promote does rewrites or drops a commit.
//   - A promote's commit changes only the files its edit changes: its tree
//     is its parent's with those blobs replaced, every other entry (and
//     file mode) kept as it was.
//   - A promote's pushed commit is written into the cached repository of
//     its URL and the cache's branch is moved to it, so the next read of
//     the branch finds it there after one ls-remote, without a fetch.
//   - A checkout is published whole, by renaming a finished temporary
//     directory into trees/<commit>, and never changes once published: its
//     files and directories are not writable. Only a hard refresh replaces
//     it, by renaming it away before the fresh one takes its place.
//   - The cache is keyed by URL (repositories) and by commit (checkouts),
//     so two sources of one commit share a checkout, and an unchanged
//     source costs one ls-remote.
//   - A URL's credentials (https://user:TOKEN@host/...) are never shown
//     and never written to disk: every message shows displayURL, the
//     cache stores the URL without them, and they reach go-git only as
//     BasicAuth. The cache is its owner's only: repos/, trees/ and each
//     repository 0700, a repository's config and lock file 0600.
//   - Work on one URL's repository is serialised across goroutines and
//     processes by a flock on its lock file, held from opening the
//     repository to publishing the checkout. Whatever writes to a cached
//     repository takes that lock: a promote's plan holds it while it
//     fetches and reads, and its apply from the first fetch to the end of
//     the last push.
//
// The package imports plugin-sdk, go-git, kyaml (YAML edits) and
// go-difflib (the diff), nothing of slipway's core.
package git
