module github.com/opcity-spec/opcity

go 1.26.0

require (
	github.com/holiman/uint256 v1.3.2
	github.com/leanovate/gopter v0.2.11
	golang.org/x/crypto v0.59.0
	pgregory.net/rapid v1.3.0
)

require golang.org/x/sys v0.50.0 // indirect
