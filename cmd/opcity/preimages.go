package main

import (
	"flag"
	"fmt"

	"github.com/opcity-spec/opcity/dispute/play"
	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/format/limits"
	"github.com/opcity-spec/opcity/spec"
)

// Usage texts of the flags that say what a step runs on.
const (
	preimagesUsage = "JSON object mapping 0x-hex keys to 0x-hex preimages"
	profileUsage   = "VM profile every step runs under: base (Cannon's syscalls) or opcity (base plus tensor_map 7000 and tensor_root 7001)"
	tensorsUsage   = "JSON object mapping 0x-hex tensor roots to 0x-hex tensors, D's tensors (with --profile opcity)"
)

// dataFlags are the flags of run and witness that say what the steps run
// on: the profile and D (requirement CLI-TENSORS).
type dataFlags struct {
	preimages, profile, tensors string
}

// defineDataFlags defines --preimages, --profile and --tensors on fs.
func defineDataFlags(fs *flag.FlagSet) *dataFlags {
	f := &dataFlags{}
	fs.StringVar(&f.preimages, "preimages", "", preimagesUsage)
	fs.StringVar(&f.profile, "profile", "base", profileUsage)
	fs.StringVar(&f.tensors, "tensors", "", tensorsUsage)
	return f
}

// check validates the flags as given (a usage error, exit 2): a known
// profile, and --tensors only with --profile opcity, the one profile whose
// steps read tensors (under the base profile a tensor file could change
// nothing, so giving one is a mistake worth reporting).
func (f dataFlags) check() error {
	p, err := play.ParseProfile(f.profile)
	if err != nil {
		return err
	}
	if f.tensors != "" && p != spec.ProfileOPcity {
		return fmt.Errorf("--tensors needs --profile opcity: under the %s profile no step reads a tensor", p)
	}
	return nil
}

// load returns the profile and D the flags name (check has passed): the
// --preimages oracle and, under the OPcity profile, the --tensors store
// (empty without the flag). Every problem is reported with the file and
// the offending key.
func (f dataFlags) load() (spec.Profile, spec.Data, error) {
	p, _ := play.ParseProfile(f.profile)
	po, err := loadPreimages(f.preimages)
	if err != nil {
		return p, spec.Data{}, err
	}
	d := spec.Data{Preimages: po}
	if p == spec.ProfileOPcity {
		tm, err := loadTensors(f.tensors)
		if err != nil {
			return p, spec.Data{}, err
		}
		d.Tensors = tm.Store()
	}
	return p, d, nil
}

// reproducer returns the flags that give a replay the same profile and D.
func (f dataFlags) reproducer() []string {
	var out []string
	if f.preimages != "" {
		out = append(out, "--preimages", f.preimages)
	}
	if f.profile != "base" {
		out = append(out, "--profile", f.profile)
	}
	if f.tensors != "" {
		out = append(out, "--tensors", f.tensors)
	}
	return out
}

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

// loadTensors reads the --tensors file (format.ParseTensors: a JSON object
// mapping each tensor's root, "0x"+64 hex digits, to its bytes, "0x"+hex),
// at most limits.Tensors bytes; an empty path is no tensor. Every problem
// is reported with the file and the offending key.
func loadTensors(path string) (format.TensorMap, error) {
	if path == "" {
		return format.TensorMap{}, nil
	}
	raw, err := limits.ReadFile(path, limits.Tensors)
	if err != nil {
		return nil, err
	}
	tm, err := format.ParseTensors(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return tm, nil
}
