package runner

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// JSONWriter writes the `opcity run --json` object, a Result indented by
// two spaces, with its checkpoints as the run makes them (requirement
// RUN-STREAM): Checkpoint is an Options.OnCheckpoint that writes the
// object's head (program and vm) with the first one, then each in turn;
// Finish writes the rest. Without checkpoints the object is written whole
// by Finish. Either way the bytes are those json.Encoder with
// SetIndent("", "  ") writes for the Result holding the checkpoints.
type JSONWriter struct {
	w    *bufio.Writer
	head []byte // the object up to its checkpoints
	n    int
	err  error
}

// NewJSONWriter returns a writer of the run of program in vm to w.
func NewJSONWriter(w io.Writer, program, vm string) *JSONWriter {
	p, _ := json.Marshal(program)
	v, _ := json.Marshal(vm)
	head := fmt.Sprintf("{\n  \"program\": %s,\n  \"vm\": %s,\n", p, v)
	return &JSONWriter{w: bufio.NewWriterSize(w, 1<<16), head: []byte(head)}
}

// Checkpoint writes one checkpoint.
func (j *JSONWriter) Checkpoint(c Checkpoint) {
	if j.err != nil {
		return
	}
	if j.n == 0 {
		j.w.Write(j.head)
		j.w.WriteString("  \"checkpoints\": [\n    ")
	} else {
		j.w.WriteString(",\n    ")
	}
	j.n++
	b, _ := json.MarshalIndent(c, "    ", "  ")
	_, j.err = j.w.Write(b)
}

// Checkpoints returns the number of checkpoints written.
func (j *JSONWriter) Checkpoints() int { return j.n }

// Finish writes the rest of the object for res, whose Program and VM must
// be the writer's (res.Checkpoints is ignored), and flushes. Errors: a
// write error, or a res of another program or VM.
func (j *JSONWriter) Finish(res Result) error {
	res.Checkpoints = nil
	var all bytes.Buffer
	enc := json.NewEncoder(&all)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		return err
	}
	if j.n == 0 {
		j.w.Write(all.Bytes())
		return j.w.Flush()
	}
	rest, ok := bytes.CutPrefix(all.Bytes(), j.head)
	if !ok {
		return fmt.Errorf("runner: the result of %q in %s is not the run the JSON writer began", res.Program, res.VM)
	}
	j.w.WriteString("\n  ],\n")
	j.w.Write(rest)
	if err := j.w.Flush(); err != nil {
		return err
	}
	return j.err
}
