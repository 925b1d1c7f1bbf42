package main

import (
	"fmt"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/format/limits"
	"github.com/opcity-spec/opcity/spec"
)

// loadPreimages reads the --preimages file (format.ParseOracle: a JSON
// object mapping "0x"+64 hex digits to "0x"+hex data); an empty path is an
// empty oracle. Every problem is reported with the file and the offending key.
func loadPreimages(path string) (spec.PreimageMap, error) {
	if path == "" {
		return spec.PreimageMap{}, nil
	}
	raw, err := limits.ReadFile(path, limits.Preimages)
	if err != nil {
		return nil, err
	}
	o, err := format.ParseOracle(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return o, nil
}
