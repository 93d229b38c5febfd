package main

import (
	"archive/tar"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// imageFiles lists the regular files of every layer of an image, as
// "PATH MODE SIZE".
func imageFiles(img v1.Image) ([]string, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			return nil, err
		}
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				rc.Close()
				return nil, err
			}
			if h.Typeflag == tar.TypeReg {
				out = append(out, fmt.Sprintf("%s %04o %d", h.Name, h.Mode&0o7777, h.Size))
			}
		}
		rc.Close()
	}
	return out, nil
}
