package main

import (
	"flag"
	"fmt"
	"math"
	"math/bits"
	"strconv"
)

// rangeFlag is an integer flag with a documented range lo..hi
// (requirement CLI-LIMITS): a value outside it, or one that is not an
// integer (decimal, or with a 0x, 0o or 0b prefix), is refused as the
// flag is parsed, before any work; --help shows the range.
type rangeFlag[T int | uint64] struct {
	p      *T
	lo, hi T
}

// intVar defines an int flag of fs with a range.
func intVar(fs *flag.FlagSet, p *int, name string, value, lo, hi int, usage string) {
	*p = value
	fs.Var(&rangeFlag[int]{p, lo, hi}, name, usage)
}

// uintVar defines a uint64 flag of fs with a range.
func uintVar(fs *flag.FlagSet, p *uint64, name string, value, lo, hi uint64, usage string) {
	*p = value
	fs.Var(&rangeFlag[uint64]{p, lo, hi}, name, usage)
}

func (f *rangeFlag[T]) String() string {
	if f == nil || f.p == nil {
		return "0"
	}
	return fmt.Sprint(*f.p)
}

// Set parses s; the error says what is wanted.
func (f *rangeFlag[T]) Set(s string) error {
	var v T
	var err error
	switch p := any(&v).(type) {
	case *int:
		var n int64
		n, err = strconv.ParseInt(s, 0, 0)
		*p = int(n)
	case *uint64:
		*p, err = strconv.ParseUint(s, 0, 64)
	}
	if err != nil || v < f.lo || v > f.hi {
		return fmt.Errorf("want an integer in %s", f.Range())
	}
	*f.p = v
	return nil
}

// Range is "lo..hi", a large power of two (or one less) written as such.
func (f *rangeFlag[T]) Range() string { return rangeText(f.lo) + ".." + rangeText(f.hi) }

// Kind is the name --help gives the flag's value.
func (f *rangeFlag[T]) Kind() string { return "N" }

// rangeText writes x, as 2^k or 2^k-1 when x is one of those and at
// least 2^20.
func rangeText[T int | uint64](x T) string {
	if x < 0 {
		return strconv.FormatInt(int64(x), 10)
	}
	u := uint64(x)
	switch {
	case u >= 1<<20 && u&(u-1) == 0:
		return fmt.Sprintf("2^%d", bits.TrailingZeros64(u))
	case u >= 1<<20-1 && u&(u+1) == 0:
		if u == math.MaxUint64 {
			return "2^64-1"
		}
		return fmt.Sprintf("2^%d-1", bits.TrailingZeros64(u+1))
	}
	return strconv.FormatUint(u, 10)
}

// InRange reports whether s parses to a value in the range.
func (f *rangeFlag[T]) InRange(s string) bool {
	v := *f.p
	ok := f.Set(s) == nil
	*f.p = v
	return ok
}
