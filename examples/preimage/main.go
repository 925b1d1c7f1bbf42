// Command preimage asks the preimage oracle for the value of a keccak256
// key (type 2): it writes the 32-byte key to fd 6, reads the 8-byte length
// and the value from fd 5, and prints them. Run it with
// --preimages examples/preimage/preimages.json.
//
//go:debug decoratemappings=0
package main

import (
	"encoding/binary"
	"fmt"
	"os"
)

// key is 0x02 ‖ keccak256("hello opcity")[1:].
var key = [32]byte{
	0x02, 0xf2, 0x14, 0xab, 0xa9, 0x8a, 0xfc, 0x0b, 0x9e, 0x0b, 0x57, 0x30, 0x2b, 0xac, 0x14, 0xa5,
	0xb1, 0x0c, 0xd6, 0xe9, 0x54, 0x69, 0xf5, 0x98, 0x17, 0x19, 0xd3, 0x52, 0x42, 0x48, 0xe8, 0x2e,
}

func main() {
	oracleIn := os.NewFile(5, "preimage-read")
	oracleOut := os.NewFile(6, "preimage-write")
	for off := 0; off < 32; {
		n, err := oracleOut.Write(key[off:])
		if err != nil {
			fmt.Println("preimage: key write failed:", err)
			os.Exit(1)
		}
		off += n
	}
	var prefix [8]byte
	readFull(oracleIn, prefix[:])
	value := make([]byte, binary.BigEndian.Uint64(prefix[:]))
	readFull(oracleIn, value)
	fmt.Printf("preimage: %d bytes: %q\n", len(value), value)
}

func readFull(f *os.File, b []byte) {
	for off := 0; off < len(b); {
		n, err := f.Read(b[off:])
		if err != nil || n == 0 {
			fmt.Println("preimage: read failed:", err)
			os.Exit(1)
		}
		off += n
	}
}
