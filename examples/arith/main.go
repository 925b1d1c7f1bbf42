// Command arith exercises 64-bit multiply and divide (dmult, dmultu, ddiv,
// ddivu), 32-bit ones, shifts and bits operations, and prints a digest.
//
//go:debug decoratemappings=0
package main

import (
	"fmt"
	"math/bits"
)

func main() {
	var acc uint64 = 0x9E3779B97F4A7C15
	var sacc int64 = -123456789
	for i := uint64(1); i < 4000; i++ {
		hi, lo := bits.Mul64(acc, i*0xBF58476D1CE4E5B9)
		acc ^= hi + lo
		acc += acc / (i | 1)
		acc ^= acc % (i + 7)
		sacc = sacc*int64(i|1) + int64(i)
		sacc /= int64(i%13) - 6 | 1
		x := int32(acc) / (int32(i) | 1)
		acc += uint64(x) + uint64(uint32(acc)%uint32(i|3))
		acc = bits.RotateLeft64(acc, int(i%63)) + uint64(bits.LeadingZeros64(acc))
	}
	fmt.Printf("arith: %x %d\n", acc, sacc)
}
