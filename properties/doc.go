// Package properties holds the plain check functions behind the OPcity
// property tests and fuzz targets. A check takes its input, runs the spec and
// returns nil when the law it names holds, or an error that says which law
// failed and on what. Rapid properties (in this package's tests) and native
// fuzz targets (package fuzz) are thin wrappers around the same checks.
package properties
