package fakedrive

import (
	"encoding/json"
	"time"
)

// fileMeta is a File resource as a client sends it in files.create,
// files.update and files.copy bodies. Pointers tell "absent" from "empty".
type fileMeta struct {
	ID               *string            `json:"id"`
	Name             *string            `json:"name"`
	MimeType         *string            `json:"mimeType"`
	Description      *string            `json:"description"`
	Parents          []string           `json:"parents"`
	Starred          *bool              `json:"starred"`
	Trashed          *bool              `json:"trashed"`
	Properties       map[string]*string `json:"properties"`
	AppProperties    map[string]*string `json:"appProperties"`
	ModifiedTime     *string            `json:"modifiedTime"`
	CreatedTime      *string            `json:"createdTime"`
	ViewedByMeTime   *string            `json:"viewedByMeTime"`
	OriginalFilename *string            `json:"originalFilename"`
	ShortcutDetails  *struct {
		TargetID string `json:"targetId"`
	} `json:"shortcutDetails"`
	hasParents bool
}

// writable lists the File fields a client may set; sending any other
// File field is refused like Drive (403 fieldNotWritable). Fields that are
// not part of the File resource at all are ignored, as Drive ignores them.
var writable = map[string]bool{
	"id": true, "name": true, "mimeType": true, "description": true, "parents": true, "starred": true,
	"trashed": true, "properties": true, "appProperties": true, "modifiedTime": true, "createdTime": true,
	"viewedByMeTime": true, "originalFilename": true, "shortcutDetails": true, "folderColorRgb": true,
	"contentHints": true, "writersCanShare": true, "copyRequiresWriterPermission": true,
	"contentRestrictions": true, "kind": true, "inheritedPermissionsDisabled": true, "downloadRestrictions": true,
}

func parseMeta(data []byte) (*fileMeta, *apiError) {
	m := &fileMeta{}
	if len(data) == 0 {
		return m, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, errParse(err.Error())
	}
	for k := range raw {
		if fileFieldNames[k] && !writable[k] {
			return nil, &apiError{Code: 403, Reason: "fieldNotWritable", Message: "The resource body includes fields which are not directly writable.", Location: k, LocationType: "other"}
		}
	}
	if err := json.Unmarshal(data, m); err != nil {
		return nil, errParse(err.Error())
	}
	_, m.hasParents = raw["parents"]
	return m, nil
}

// parseTime reads an RFC 3339 time as Drive accepts it.
func parseTime(field, v string) (time.Time, *apiError) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, errInvalid(field, "Invalid value for "+field+": "+v)
	}
	return t.UTC().Truncate(time.Millisecond), nil
}

// applyProps merges a properties patch: a null value removes the key.
func applyProps(cur map[string]string, patch map[string]*string) (map[string]string, *apiError) {
	if patch == nil {
		return cur, nil
	}
	out := cloneMap(cur)
	if out == nil {
		out = map[string]string{}
	}
	for k, v := range patch {
		if len(k)+lenPtr(v) > 124 {
			return nil, errBadRequest("The size of the property " + k + " exceeds the 124 bytes limit on key and value size.")
		}
		if v == nil {
			delete(out, k)
		} else {
			out[k] = *v
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func lenPtr(p *string) int {
	if p == nil {
		return 0
	}
	return len(*p)
}

// applyCommon sets the fields create and update share.
func applyCommon(f *file, m *fileMeta) *apiError {
	if m.Name != nil {
		f.Name = *m.Name
	}
	if m.Description != nil {
		f.Description = *m.Description
	}
	if m.Starred != nil {
		f.Starred = *m.Starred
	}
	if m.OriginalFilename != nil {
		f.OriginalFilename = *m.OriginalFilename
	}
	var e *apiError
	if f.Properties, e = applyProps(f.Properties, m.Properties); e != nil {
		return e
	}
	if f.AppProperties, e = applyProps(f.AppProperties, m.AppProperties); e != nil {
		return e
	}
	if m.ModifiedTime != nil {
		if f.ModifiedTime, e = parseTime("modifiedTime", *m.ModifiedTime); e != nil {
			return e
		}
	}
	if m.ViewedByMeTime != nil {
		if f.ViewedByMeTime, e = parseTime("viewedByMeTime", *m.ViewedByMeTime); e != nil {
			return e
		}
	}
	return nil
}
