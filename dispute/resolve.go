package dispute

// ResolveClaim resolves the subgame rooted at claim i (requirement
// DISPUTE-RESOLVE): the challenger's clock of i must be exhausted and every
// child resolved. The claim is countered by a step, or else by its leftmost
// (lowest position) uncountered child; its bond goes to whoever countered
// it, or back to its claimant if nothing did.
// Errors: CodeGameOver, CodeBadIndex, CodeResolved, CodeClockNotExpired,
// CodeOutOfOrder.
func (g Game) ResolveClaim(now uint64, i int) (Game, error) {
	switch {
	case g.status != InProgress:
		return g, errorf(CodeGameOver, "the game is %s", g.status)
	case i < 0 || i >= len(g.claims):
		return g, errorf(CodeBadIndex, "no claim %d", i)
	case g.claims[i].Resolved:
		return g, errorf(CodeResolved, "claim %d is resolved", i)
	case g.ChallengerDuration(i, now) < g.cfg.MaxClock:
		return g, errorf(CodeClockNotExpired, "claim %d: challenger clock %d of %d", i, g.ChallengerDuration(i, now), g.cfg.MaxClock)
	}
	c := g.claims[i]
	counter := c.CounteredBy
	var left Position
	for _, ch := range c.Children {
		child := g.claims[ch]
		if !child.Resolved {
			return g, errorf(CodeOutOfOrder, "child %d of claim %d is unresolved", ch, i)
		}
		if c.CounteredBy == "" && child.CounteredBy == "" && (left == 0 || child.Position < left) {
			counter, left = child.Claimant, child.Position
		}
	}
	g = g.update(i, func(c *Claim) { c.Resolved, c.CounteredBy = true, counter })
	recipient := counter
	if recipient == "" {
		recipient = c.Claimant
	}
	g.credit = cloneCredit(g.credit)
	g.credit[recipient] += c.Bond
	return g, nil
}

// Resolve ends the game once the root's subgame is resolved: the
// challenger wins iff the root claim was countered.
// Errors: CodeGameOver, CodeNotResolved.
func (g Game) Resolve() (Game, error) {
	if g.status != InProgress {
		return g, errorf(CodeGameOver, "the game is %s", g.status)
	}
	if !g.claims[0].Resolved {
		return g, errorf(CodeNotResolved, "the root subgame is unresolved")
	}
	if g.claims[0].CounteredBy == "" {
		g.status = DefenderWins
	} else {
		g.status = ChallengerWins
	}
	return g, nil
}

// ClaimCredit pays out a's credit once the game is over and returns the
// new game and the amount (requirement DISPUTE-BOND).
// Errors: CodeNotResolved while the game is in progress.
func (g Game) ClaimCredit(a Address) (Game, uint64, error) {
	if g.status == InProgress {
		return g, 0, errorf(CodeNotResolved, "the game is in progress")
	}
	amount := g.credit[a]
	if amount == 0 {
		return g, 0, nil
	}
	g.credit = cloneCredit(g.credit)
	delete(g.credit, a)
	return g, amount, nil
}

// Resolvable returns the unresolved claims whose clocks have expired and
// whose children are all resolved, deepest first.
func (g Game) Resolvable(now uint64) []int {
	var out []int
	for i := len(g.claims) - 1; i >= 0; i-- {
		c := g.claims[i]
		if c.Resolved || g.ChallengerDuration(i, now) < g.cfg.MaxClock {
			continue
		}
		ok := true
		for _, ch := range c.Children {
			ok = ok && g.claims[ch].Resolved
		}
		if ok {
			out = append(out, i)
		}
	}
	return out
}

func cloneCredit(m map[Address]uint64) map[Address]uint64 {
	out := make(map[Address]uint64, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}
