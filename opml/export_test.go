package opml

// ValidateWork is the work Validate counts for node k of a validated model,
// for tests that check copies of the count outside the package (the node
// programs link opml, so the count is not exported from it: any change to
// opml's source moves their prestates).
func ValidateWork(m Model, k int) int { return nodeWork(m.Tensors, m.Nodes[k]) }
