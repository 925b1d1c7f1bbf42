package properties

import (
	"bytes"
	stderrors "errors"
	"fmt"

	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// CheckDecodeWitness checks ENC-STATE on arbitrary bytes: DecodeWitness
// either fails with a typed rejected-input error, or succeeds and encoding
// the result gives back exactly b (the encoding is canonical, so decoding is
// injective).
func CheckDecodeWitness(b []byte) error {
	w, err := state.DecodeWitness(b)
	if err != nil {
		return checkRejected("DecodeWitness", err)
	}
	enc := w.Encode()
	if !bytes.Equal(enc[:], b) {
		return fmt.Errorf("ENC-STATE: Encode(DecodeWitness(b)) != b for b = 0x%x", b)
	}
	return nil
}

// CheckDecodeThread checks ENC-THREAD in the same way for thread encodings.
func CheckDecodeThread(b []byte) error {
	t, err := state.DecodeThread(b)
	if err != nil {
		return checkRejected("DecodeThread", err)
	}
	enc := state.EncodeThread(t)
	if !bytes.Equal(enc[:], b) {
		return fmt.Errorf("ENC-THREAD: EncodeThread(DecodeThread(b)) != b for b = 0x%x", b)
	}
	return nil
}

// CheckDecodeInstruction checks DEC-FIELDS: the decoded fields reassemble to
// the instruction word.
func CheckDecodeInstruction(word uint32) error {
	in := transition.Decode(word)
	r := in.Opcode<<26 | in.Rs<<21 | in.Rt<<16 | in.Rd<<11 | in.Shamt<<6 | in.Funct
	i := in.Opcode<<26 | in.Rs<<21 | in.Rt<<16 | in.Imm
	j := in.Opcode<<26 | in.Target
	if r != word || i != word || j != word {
		return fmt.Errorf("DEC-FIELDS: fields of 0x%08x reassemble to R 0x%08x, I 0x%08x, J 0x%08x", word, r, i, j)
	}
	return nil
}

// checkRejected requires err to be a rejected-input *errors.Error.
func checkRejected(what string, err error) error {
	var e *errors.Error
	if !stderrors.As(err, &e) {
		return fmt.Errorf("ERR-DECODE: %s returned an untyped error %T: %v", what, err, err)
	}
	if errors.OutcomeOf(err) != errors.OutcomeRejected {
		return fmt.Errorf("ERR-DECODE: %s returned %v, whose outcome is %v, not rejected", what, err, errors.OutcomeOf(err))
	}
	return nil
}
