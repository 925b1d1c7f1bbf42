package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// oracle is the preimage oracle of a run: keys exactly as the program writes
// them (a local key, type 1, is not localized).
type oracle map[[32]byte][]byte

func (o oracle) Preimage(k [32]byte) ([]byte, bool) { v, ok := o[k]; return v, ok }

// loadPreimages reads a JSON object mapping "0x"+64 hex digits to "0x"+hex
// data. Every problem is reported with the offending key.
func loadPreimages(path string) (oracle, error) {
	o := oracle{}
	if path == "" {
		return o, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%s: not a JSON object of hex strings: %v", path, err)
	}
	for k, v := range m {
		key, err := decodeHex(k)
		if err != nil || len(key) != 32 {
			return nil, fmt.Errorf("%s: key %q is not 0x followed by 64 hex digits", path, k)
		}
		val, err := decodeHex(v)
		if err != nil {
			return nil, fmt.Errorf("%s: value of key %s: %v", path, k, err)
		}
		o[[32]byte(key)] = val
	}
	return o, nil
}

func decodeHex(s string) ([]byte, error) {
	if !strings.HasPrefix(s, "0x") {
		return nil, fmt.Errorf("%q does not start with 0x", s)
	}
	return hex.DecodeString(s[2:])
}
