package query

// CandidateParents reports whether every file e can match must have one of
// ids among its parents, and if so which ids, so the server can walk those
// folders' children instead of scanning every file. ids are as written in
// the query ("root" is not resolved) and free of duplicates.
//
// 'a' in parents gives [a]; an and gives the smallest set among its operands
// (each operand must hold, so any one bounds the result); an or gives the
// union if every operand is bounded. not, and every other term, bounds
// nothing.
func CandidateParents(e Expr) (ids []string, ok bool) {
	switch x := e.(type) {
	case *inTerm:
		if x.f == fParents {
			return []string{x.v}, true
		}
	case *and:
		for _, y := range x.xs {
			if yi, yok := CandidateParents(y); yok && (!ok || len(yi) < len(ids)) {
				ids, ok = yi, true
			}
		}
		return ids, ok
	case *or:
		seen := make(map[string]bool)
		for _, y := range x.xs {
			yi, yok := CandidateParents(y)
			if !yok {
				return nil, false
			}
			for _, id := range yi {
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
		return ids, true
	}
	return nil, false
}
