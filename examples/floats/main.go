// Command floats runs soft-float math (GOMIPS64=softfloat: no FPU
// instructions, all float64 work done in integer code) and prints results.
//
//go:debug decoratemappings=0
package main

import (
	"fmt"
	"math"
)

func main() {
	sum := 0.0
	for i := 1; i <= 400; i++ {
		x := float64(i) / 7
		sum += math.Sqrt(x) * math.Sin(x) / (1 + math.Exp(-x/100))
	}
	fmt.Printf("floats: %.9f %.6e %v\n", sum, math.Pow(2.5, 10.25), math.Float64bits(sum))
}
