package play

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
)

// GameSpool holds the game records of `opcity simulate --json` until the
// batch's aggregate, which comes first in the object, is known: in an
// unlinked temporary file, not in memory (requirement
// DISPUTE-SIM-STREAM). Each record is stored already indented as an
// element of game_results.
type GameSpool struct {
	f     *os.File
	w     *bufio.Writer
	games int
}

// NewGameSpool creates the spool in the temporary directory. The file is
// removed at once; it goes away when the spool is closed or the process
// ends.
func NewGameSpool() (*GameSpool, error) {
	f, err := os.CreateTemp("", "opcity-simulate-games-*.json")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name())
	return &GameSpool{f: f, w: bufio.NewWriterSize(f, 1<<16)}, nil
}

// Add appends one game's record; games must come in game order.
func (s *GameSpool) Add(g Game) error {
	b, err := json.MarshalIndent(g, "    ", "  ")
	if err != nil {
		return err
	}
	if s.games > 0 {
		s.w.WriteString(",\n")
	}
	s.games++
	s.w.WriteString("    ")
	_, err = s.w.Write(b)
	return err
}

// WriteOutput writes o as one indented JSON object whose game_results are
// the spooled records: the bytes json.Encoder with SetIndent("", "  ")
// writes for o with GameResults holding them.
func (s *GameSpool) WriteOutput(w io.Writer, o Output) error {
	o.GameResults = nil
	var head bytes.Buffer
	enc := json.NewEncoder(&head)
	enc.SetIndent("", "  ")
	if err := enc.Encode(o); err != nil {
		return err
	}
	if s.games == 0 {
		_, err := w.Write(head.Bytes())
		return err
	}
	if err := s.w.Flush(); err != nil {
		return err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	bw.Write(bytes.TrimSuffix(head.Bytes(), []byte("\n}\n")))
	bw.WriteString(",\n  \"game_results\": [\n")
	if _, err := io.Copy(bw, s.f); err != nil {
		return err
	}
	bw.WriteString("\n  ]\n}\n")
	return bw.Flush()
}

// Close closes (and so deletes) the spool.
func (s *GameSpool) Close() { s.f.Close() }
