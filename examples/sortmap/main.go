// Command sortmap fills a map, sorts its keys and prints a digest: hashing,
// map growth and sort.Slice on the Cannon runtime.
//
//go:debug decoratemappings=0
package main

import (
	"fmt"
	"sort"
)

func main() {
	m := map[string]int{}
	for i := 0; i < 1000; i++ {
		m[fmt.Sprintf("key-%05d", (i*7919)%1000)] = i
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := uint64(14695981039346656037)
	for _, k := range keys {
		h = (h ^ uint64(m[k])) * 1099511628211
	}
	fmt.Printf("sortmap: %d keys, first %s, last %s, digest %x\n", len(keys), keys[0], keys[len(keys)-1], h)
}
