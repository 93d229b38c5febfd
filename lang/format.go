package lang

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// Format returns src in canonical layout. A file with syntax errors is
// refused with their diagnostics, because formatting guesses at broken
// syntax could rearrange what the user meant. The diagnostics' ranges
// have no file name; callers set Subject.Filename to the file's path.
func Format(src []byte) ([]byte, hcl.Diagnostics) {
	if _, diags := hclsyntax.ParseConfig(src, "", hcl.InitialPos); diags.HasErrors() {
		return nil, diags
	}
	return hclwrite.Format(src), nil
}
