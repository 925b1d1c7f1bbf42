package play

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/format"
)

// BatchFiles is the folder `opcity simulate --out DIR` writes, filled as
// the games complete (requirement DISPUTE-SIM-STREAM): games.json and
// games.csv grow, one game at a time, in temporary files beside their
// final names; Commit completes them and writes classes.csv, the plots and,
// last, aggregate.json. Until Commit the folder keeps its old files; a
// folder without aggregate.json is incomplete (Commit removes the old one
// before it renames the new game files into place).
type BatchFiles struct {
	dir       string
	json, csv *format.PendingFile
	cw        *csv.Writer
	games     int
	committed bool
}

// CreateBatchFiles creates dir if need be and starts its game files.
// Errors: dir cannot be created or written.
func CreateBatchFiles(dir string) (*BatchFiles, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	j, err := format.CreatePending(filepath.Join(dir, "games.json"))
	if err != nil {
		return nil, err
	}
	c, err := format.CreatePending(filepath.Join(dir, "games.csv"))
	if err != nil {
		j.Abort()
		return nil, err
	}
	f := &BatchFiles{dir: dir, json: j, csv: c, cw: csv.NewWriter(c)}
	f.cw.Write(gamesCSVHeader)
	_, err = j.Write([]byte("["))
	return f, err
}

// Add appends one game's record to games.json and games.csv; games must
// come in game order.
func (f *BatchFiles) Add(g Game) error {
	b, err := json.Marshal(g)
	if err != nil {
		return err
	}
	if f.games > 0 {
		f.json.Write([]byte(","))
	}
	f.games++
	if _, err := f.json.Write(b); err != nil {
		return err
	}
	f.cw.Write(gameCSVRow(g))
	return f.cw.Error()
}

// Commit completes the folder for the batch's output o: it removes the
// old aggregate.json, renames games.json and games.csv into place, writes
// classes.csv and the plots, and aggregate.json last, each completely or
// not at all. After an error the folder has no aggregate.json.
func (f *BatchFiles) Commit(o Output) error {
	f.committed = true
	aggregate := filepath.Join(f.dir, "aggregate.json")
	_, err := f.json.Write([]byte("]\n"))
	if f.cw.Flush(); err == nil {
		err = f.cw.Error()
	}
	if err == nil {
		if err = os.Remove(aggregate); os.IsNotExist(err) {
			err = nil
		}
	}
	if err != nil {
		f.json.Abort()
		f.csv.Abort()
		return err
	}
	if err := f.json.Commit(); err != nil {
		f.csv.Abort()
		return err
	}
	if err := f.csv.Commit(); err != nil {
		return err
	}
	for _, file := range summaryFiles(o) {
		if err := format.WriteFile(filepath.Join(f.dir, file.name), file.data); err != nil {
			return err
		}
	}
	aj, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		return err
	}
	return format.WriteFile(aggregate, append(aj, '\n'))
}

// Abort removes the temporary game files, unless Commit has run; the
// folder is left as it was.
func (f *BatchFiles) Abort() {
	if !f.committed {
		f.json.Abort()
		f.csv.Abort()
	}
}

// namedFile is one output file's name and content.
type namedFile struct {
	name string
	data []byte
}

// summaryFiles are the folder's per-class files: classes.csv and the
// plots, in the order Commit writes them.
func summaryFiles(o Output) []namedFile {
	return []namedFile{
		{"classes.csv", classesCSV(o.Classes)},
		{"resolution.svg", []byte(boxChart("Time to resolution per adversary class", "days", o.Classes,
			series{"resolution", "#4878a8", func(c ClassSummary) Quartiles { return c.Resolution }}))},
		{"gas.svg", []byte(boxChart("Gas per game per adversary class", "million gas", o.Classes,
			series{"honest", "#4878a8", func(c ClassSummary) Quartiles { return scaleQ(c.HonestGas, 1e-6) }},
			series{"adversary", "#c8553d", func(c ClassSummary) Quartiles { return scaleQ(c.AdvGas, 1e-6) }}))},
		{"capital.svg", []byte(boxChart("Honest capital per game per adversary class", "ETH (peak bonds) / 100 ETH·days (locked)", o.Classes,
			series{"peak ETH", "#4878a8", func(c ClassSummary) Quartiles { return c.HonestPeak }},
			series{"locked ETH·days / 100", "#e0a030", func(c ClassSummary) Quartiles { return scaleQ(c.Locked, 0.01) }}))},
	}
}

func scaleQ(q Quartiles, f float64) Quartiles {
	return Quartiles{q.Min * f, q.Q1 * f, q.Median * f, q.Q3 * f, q.Max * f, q.Mean * f, q.RelErr}
}

var gamesCSVHeader = []string{"game", "scenario", "seed", "root_correct", "winner", "correct", "resolved_s", "phase2_start_s", "phase3_start_s", "step_s",
	"claims", "max_fan_out", "honest_gas", "adversary_gas", "honest_peak_gwei", "honest_locked_eth_days",
	"honest_claims", "honest_claims_countered", "honest_countered_bonds_gwei", "honest_bonds_gwei", "honest_bonds_returned_gwei", "honest_claims_unresolved",
	"rejected_actions", "bonds_conserved", "clock_extensions", "honest_net_gwei"}

// gameCSVRow is one game's row of games.csv.
func gameCSVRow(g Game) []string {
	var hon, adv uint64
	for p, gas := range g.Gas {
		if sim.IsHonest(dispute.Address(p)) {
			hon += gas
		} else {
			adv += gas
		}
	}
	u := func(x uint64) string { return strconv.FormatUint(x, 10) }
	return []string{strconv.Itoa(g.Game), g.Scenario, u(g.Seed), strconv.FormatBool(g.RootCorrect), g.Winner, strconv.FormatBool(g.Correct),
		u(g.Resolved), u(g.Phase2), u(g.Phase3), u(g.Step), strconv.Itoa(g.Claims), strconv.Itoa(g.MaxFanOut), u(hon), u(adv),
		u(g.HonestPeak), strconv.FormatFloat(g.HonestLocked, 'f', 3, 64),
		strconv.Itoa(g.HonestClaims), strconv.Itoa(g.HonestCountered), u(g.HonestCounteredBonds), u(g.HonestBonds), u(g.HonestReturned), strconv.Itoa(g.HonestUnresolved),
		strconv.Itoa(g.Rejected), strconv.FormatBool(g.Conserved), strconv.Itoa(g.Extensions), strconv.FormatInt(g.HonestNet, 10)}
}
