package redteam

import (
	"embed"
	"io/fs"
)

// corpus is the built-in corpus: case files by category and the manifests
// they name (docs/redteam.md).
//
//go:embed corpus
var corpus embed.FS

// Builtin loads the built-in corpus.
func Builtin() ([]*File, error) {
	sub, err := fs.Sub(corpus, "corpus")
	if err != nil {
		return nil, err
	}
	return LoadFS(sub, "builtin")
}
