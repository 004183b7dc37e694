package fields

// FieldError is a selection of a field the schema does not have. Its message
// is the one Drive answers with (HTTP 400, reason invalidParameter,
// location "fields").
type FieldError struct {
	Path []string // the field's path from the top, possibly through "*"
}

func (e *FieldError) Error() string {
	return "Invalid field selection " + e.Path[len(e.Path)-1]
}

// Validate checks every field m names, depth first in name order, with
// known, and returns a *FieldError for the first one known rejects. known
// gets the full path of the field ("files", "id"); a path element "*" stands
// for every field at its level (Schema.Known handles that). Fields under a
// field selected whole are not checked. The zero Mask is valid.
func Validate(m Mask, known func(path []string) bool) error {
	return validate(m.n, nil, known)
}

func validate(n *node, path []string, known func([]string) bool) error {
	if n == nil || n.all {
		return nil
	}
	for _, c := range n.kids {
		p := append(path[:len(path):len(path)], c.name)
		if !known(p) {
			return &FieldError{Path: p}
		}
		if err := validate(c.n, p, known); err != nil {
			return err
		}
	}
	if n.wild != nil {
		return validate(n.wild, append(path[:len(path):len(path)], "*"), known)
	}
	return nil
}

// Schema describes a resource for Validate: each field name maps to the
// Schema of its sub-fields, nil for a scalar. A "*" entry admits any name at
// its level with that sub-schema (for free-form maps such as properties).
type Schema map[string]Schema

// Known reports whether path names a field of s. A "*" element matches any
// field at its level; the path is known if the rest is known under one of
// them.
func (s Schema) Known(path []string) bool {
	if len(path) == 0 {
		return true
	}
	if s == nil {
		return false // scalars have no sub-fields
	}
	if path[0] == "*" {
		if len(path) == 1 {
			return true
		}
		for _, sub := range s {
			if sub.Known(path[1:]) {
				return true
			}
		}
		return false
	}
	sub, ok := s[path[0]]
	if !ok {
		sub, ok = s["*"]
	}
	return ok && sub.Known(path[1:])
}
