// Package git is slipway's built-in git provider, built on go-git. It
// serves the source type "git": a repository URL and a branch, tag or
// commit (the remote's default branch when none is named), resolved at
// every plan to a full commit and checked out on local disk, with the
// commit's metadata and the subdirectories of a path (for for_each, like
// Argo CD's git directory generator).
//
// Everything lives in a cache directory (cache_dir in the provider block):
//
//	repos/<key>       one bare repository per URL; key = sha256(url)[:16] in hex
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
//     to a remote in any other way.
//   - A checkout is published whole, by renaming a finished temporary
//     directory into trees/<commit>, and never changes once published: its
//     files and directories are not writable. Only a hard refresh replaces
//     it, by renaming it away before the fresh one takes its place.
//   - The cache is keyed by URL (repositories) and by commit (checkouts),
//     so two sources of one commit share a checkout, and an unchanged
//     source costs one ls-remote.
//   - Work on one URL's repository is serialised across goroutines and
//     processes by a flock on its lock file, held from opening the
//     repository to publishing the checkout. Whatever writes to a cached
//     repository (the promotes of this provider too) takes that lock.
//
// The package imports plugin-sdk and go-git, nothing of slipway's core.
package git
