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

package pipeline

import (
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/planner/kind"
)

var _ kind.Documented = Kind{}

var retryDoc = lang.BlockDoc{
	Type:        "retry",
	Description: "Run a failed stage again, with a backoff between attempts.",
	Attributes: []lang.AttrDoc{
		{Name: "limit", Type: "number", Description: "How many times to retry after the first failure."},
		{Name: "backoff", Type: "duration", Description: "The wait before the first retry, like \"5s\"."},
		{Name: "factor", Type: "number", Description: "What each wait is multiplied by for the next."},
		{Name: "max_backoff", Type: "duration", Description: "The longest wait between attempts."},
	},
}

var whenDoc = lang.BlockDoc{
	Type:        "when",
	Description: "Conditions that must all hold for the pipeline (or stage) to run; `when = EXPR` (a bool) works too.",
	Attributes: []lang.AttrDoc{
		{Name: "branch", Type: "string (glob)", Description: "The source's branch must match this glob."},
		{Name: "tag", Type: "string (glob)", Description: "The source's tag must match this glob."},
		{Name: "expression", Type: "bool", Description: "Any condition, as an expression."},
	},
}

// Doc describes the pipeline block for its reference page.
func (Kind) Doc() lang.BlockDoc {
	return lang.BlockDoc{
		Type: "pipeline", Labels: []string{"name"},
		Description: "CI: stages of commands run in a checkout of a source, images built and pushed without a Docker daemon, and promotes that commit to a GitOps repository. A pipeline runs when its inputs (the source's commit, its stages) changed since its last successful run.",
		Attributes: append([]lang.AttrDoc{
			{Name: "source", Type: "reference", Description: "The git source whose checkout the stages run in, as source.git.NAME."},
			{Name: "env", Type: "map(string)", Description: "Environment variables of every stage."},
		}, lang.MetaArguments...),
		Blocks: []lang.BlockDoc{
			whenDoc,
			{
				Type: "concurrency", Description: "Limit how many runs of a group happen at once.",
				Attributes: []lang.AttrDoc{
					{Name: "group", Type: "string", Required: true, Description: "The group's name; pipelines of one group share the limit."},
					{Name: "limit", Type: "number", Description: "How many runs of the group at once (1 unless set)."},
				},
			},
			{
				Type: "stage", Labels: []string{"name"}, Repeated: true,
				Description: "A step of commands, run in order with the others.",
				Attributes: []lang.AttrDoc{
					{Name: "run", Type: "list(string)", Description: "Shell commands, each run with sh -c; the stage fails at the first that fails."},
					{Name: "env", Type: "map(string)", Description: "Environment variables of this stage, over the pipeline's."},
					{Name: "dir", Type: "string", Description: "The directory to run in, relative to the checkout."},
					{Name: "timeout", Type: "duration", Description: "Stop the stage after this long and fail it."},
				},
				Blocks: []lang.BlockDoc{
					whenDoc,
					retryDoc,
					{
						Type: "approval", Description: "Wait for a person (or -approve pipeline.NAME.STAGE) before the stage runs.",
						Attributes: []lang.AttrDoc{{Name: "message", Type: "string", Description: "What to ask."}},
					},
				},
			},
			{
				Type: "image", Labels: []string{"name"}, Repeated: true,
				Description: "An image built from files of the checkout on a base image, and pushed, through the registry provider.",
				Attributes: []lang.AttrDoc{
					{Name: "repository", Type: "string", Required: true, Description: "Where to push, like registry.example.com/team/app."},
					{Name: "tag", Type: "string", Description: "The tag to push."},
					{Name: "tags", Type: "list(string)", Description: "More tags to push."},
					{Name: "base", Type: "string", Description: "The base image; empty for none (scratch)."},
					{Name: "platform", Type: "string", Description: "The platform of the base to use, like linux/amd64."},
					{Name: "files", Type: "map(string)", Description: "Paths in the image to files of the checkout."},
					{Name: "entrypoint", Type: "list(string)", Description: "The image's entrypoint."},
					{Name: "cmd", Type: "list(string)", Description: "The image's default arguments."},
					{Name: "env", Type: "map(string)", Description: "Environment variables of the image."},
					{Name: "labels", Type: "map(string)", Description: "Labels of the image's configuration."},
					{Name: "user", Type: "string", Description: "The user the image runs as."},
					{Name: "workdir", Type: "string", Description: "The image's working directory."},
				},
			},
			{
				Type: "promote", Repeated: true,
				Description: "A commit to a GitOps repository, through the git provider: an image reference rewritten, a YAML value set, or a file written.",
				Attributes: []lang.AttrDoc{
					{Name: "repo", Type: "reference", Required: true, Description: "The git source to commit to, as source.git.NAME."},
					{Name: "path", Type: "string", Required: true, Description: "The file or directory in it to change."},
					{Name: "branch", Type: "string", Description: "The branch to push to (the source's unless set)."},
					{Name: "image", Type: "reference", Description: "An image of this pipeline (image.NAME) whose new reference replaces the old one under path."},
					{Name: "pin", Type: "string", Description: "How the image is pinned: by tag or by digest."},
					{Name: "yaml_path", Type: "string", Description: "A path in a YAML file to set to value."},
					{Name: "value", Type: "any", Description: "The value to set at yaml_path."},
					{Name: "content", Type: "string", Description: "The whole content to write to path."},
					{Name: "message", Type: "string", Description: "The commit message."},
				},
			},
			{
				Type: "post", Description: "Commands run after the stages, by outcome.",
				Attributes: []lang.AttrDoc{
					{Name: "success", Type: "list(string)", Description: "Run when every stage passed."},
					{Name: "failure", Type: "list(string)", Description: "Run when a stage failed."},
					{Name: "always", Type: "list(string)", Description: "Run in either case."},
				},
			},
		},
	}
}
