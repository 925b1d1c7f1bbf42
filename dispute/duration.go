package dispute

// MaxDuration returns the analytic bound on a game's duration (requirement
// DISPUTE-DURATION): every claim's subgame, and so the game, can be
// resolved at most
//
//	2·MaxClock + Σ_{d=1..MaxDepth} ext(d)
//
// seconds after the root claim, ext(d) the clock extension of a move to
// depth d (docs/dispute.md §6). Along a branch c_0 … c_D, a move to depth k
// made t_k − t_{k−1} after its parent stores its team's duration
// u_k = min(u_{k−2} + t_k − t_{k−1}, MaxClock − ext(k)); the clamp gives
// back g_k < ext(k) seconds (a move needs u_{k−2} + t_k − t_{k−1} < MaxClock).
// Summing per team, t_D ≤ u_D + u_{D−1} + Σ g_k, and c_D's challenger clock
// expires at t_D + MaxClock − u_{D−1} ≤ 2·MaxClock + Σ_{k≤D} g_k. A claim
// resolves once its own clock and its children's subgames have expired, so
// the root resolves by the largest leaf expiry. Precondition: Validate
// succeeded.
func (c *Config) MaxDuration() uint64 {
	d := 2 * c.MaxClock
	for k := 1; k <= c.MaxDepth; k++ {
		d += c.Extension(k)
	}
	return d
}
