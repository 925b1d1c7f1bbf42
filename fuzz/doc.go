// Package fuzz holds the native Go fuzz targets of OPcity. Each target is a
// thin wrapper around a check function of package properties; seeds are
// added in code, each with a comment saying why it is there. Run one with
//
//	go test ./fuzz -run '^$' -fuzz '^FuzzDecodeWitness$' -fuzztime 10m
//
// or all of them for FUZZTIME each with `make fuzz`.
package fuzz
