package fakedrive

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// download serves files.get?alt=media: the head revision's bytes, with
// Range support (206 + Content-Range) through http.ServeContent.
func (sv *Server) download(c *call) *apiError {
	sv.st.mu.RLock()
	f, e := sv.visible(c, c.r.PathValue("fileId"))
	if e != nil {
		sv.st.mu.RUnlock()
		return e
	}
	if f.isFolder() || f.isShortcut() || f.isNative() {
		sv.st.mu.RUnlock()
		return &apiError{Code: 403, Reason: "fileNotDownloadable", Message: "Only files with binary content can be downloaded. Use Export with Docs Editors files.", Location: "alt", LocationType: "parameter"}
	}
	head := f.Head
	mime := f.MimeType
	sv.st.mu.RUnlock()
	var r io.ReadSeekCloser = nopSeekCloser{bytes.NewReader(nil)}
	if head != nil {
		var err error
		if r, err = head.blob.open(); err != nil {
			sv.log.Error("fakedrive: open content", "file", f.ID, "err", err)
			return errBackend(http.StatusInternalServerError)
		}
	}
	defer r.Close()
	sv.serveMedia(c, r, mime, sizeOf(head))
	return nil
}

func sizeOf(r *revision) int64 {
	if r == nil {
		return 0
	}
	return r.Size
}

// serveMedia writes content with the knobs applied: bandwidth, byte
// counts and the truncation fault.
func (sv *Server) serveMedia(c *call, r io.ReadSeeker, mime string, size int64) {
	mw := &mediaWriter{ResponseWriter: c.w, k: sv.knobs, ctx: c.r.Context(), limit: -1}
	if c.fault == faultTruncate {
		mw.limit = size / 2
	}
	h := c.w.Header()
	h.Set("Content-Type", mime)
	h.Set("Cache-Control", "private, max-age=0, must-revalidate")
	if size > 0 || c.r.Header.Get("Range") == "" {
		http.ServeContent(mw, c.r, "", time.Time{}, r)
		return
	}
	c.w.WriteHeader(http.StatusOK)
}

// exportFormats are the formats each native type exports to (a subset of
// Drive's, enough for sync clients: Office formats and plain text).
var exportFormats = map[string][]string{
	DocumentMime: {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "text/plain", "text/html", "application/rtf"},
	SheetMime:    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/csv"},
	SlidesMime:   {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "text/plain"},
}

// filesExport converts a native file. The emulator keeps a native file's
// content as the text it was created from and renders it into the asked
// format: a real (minimal) OOXML package, CSV, HTML or text.
func (sv *Server) filesExport(c *call) *apiError {
	mt := c.q("mimeType")
	if mt == "" {
		return errRequired("mimeType")
	}
	sv.st.mu.RLock()
	f, e := sv.visible(c, c.r.PathValue("fileId"))
	if e != nil {
		sv.st.mu.RUnlock()
		return e
	}
	head, native, kind := f.Head, f.isNative(), f.MimeType
	sv.st.mu.RUnlock()
	if !native {
		return &apiError{Code: 403, Reason: "fileNotExportable", Message: "Export only supports Docs Editors files.", Location: "fileId", LocationType: "parameter"}
	}
	ok := false
	for _, f := range exportFormats[kind] {
		ok = ok || f == mt
	}
	if !ok {
		return errBadRequest("The requested conversion is not supported.")
	}
	var text []byte
	if head != nil {
		var err error
		if text, err = readBlob(head.blob); err != nil {
			return errBackend(http.StatusInternalServerError)
		}
	}
	out, err := render(string(text), kind, mt)
	if err != nil {
		return errBackend(http.StatusInternalServerError)
	}
	if len(out) > 10<<20 {
		return errForbidden("exportSizeLimitExceeded", "This file is too large to be exported.")
	}
	sv.serveMedia(c, bytes.NewReader(out), mt, int64(len(out)))
	return nil
}

func render(text, kind, mt string) ([]byte, error) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	switch mt {
	case "text/plain":
		return []byte(text), nil
	case "text/html":
		var b strings.Builder
		b.WriteString("<html><body>")
		for _, l := range lines {
			b.WriteString("<p>" + html.EscapeString(l) + "</p>")
		}
		b.WriteString("</body></html>")
		return []byte(b.String()), nil
	case "application/rtf":
		return []byte("{\\rtf1\\ansi " + strings.ReplaceAll(rtfEscape(text), "\n", "\\par ") + "}"), nil
	case "text/csv":
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		for _, l := range lines {
			w.Write(strings.Split(l, ","))
		}
		w.Flush()
		return b.Bytes(), w.Error()
	}
	return ooxml(kind, lines)
}

func rtfEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "{", `\{`, "}", `\}`).Replace(s)
}

// ooxml builds a minimal but valid Office Open XML package.
func ooxml(kind string, lines []string) ([]byte, error) {
	var parts [][2]string
	esc := func(s string) string { var b bytes.Buffer; xmlEscape(&b, s); return b.String() }
	switch kind {
	case DocumentMime:
		var body strings.Builder
		for _, l := range lines {
			body.WriteString(`<w:p><w:r><w:t xml:space="preserve">` + esc(l) + `</w:t></w:r></w:p>`)
		}
		parts = [][2]string{
			{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
			{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
			{"word/document.xml", `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `</w:body></w:document>`},
		}
	case SheetMime:
		var rows strings.Builder
		for i, l := range lines {
			rows.WriteString(`<row r="` + strconv.Itoa(i+1) + `">`)
			for _, cell := range strings.Split(l, ",") {
				rows.WriteString(`<c t="inlineStr"><is><t>` + esc(cell) + `</t></is></c>`)
			}
			rows.WriteString(`</row>`)
		}
		parts = [][2]string{
			{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
			{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
			{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
			{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
			{"xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + rows.String() + `</sheetData></worksheet>`},
		}
	case SlidesMime:
		parts = [][2]string{
			{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>`},
			{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="ppt/presentation.xml"/></Relationships>`},
			{"ppt/presentation.xml", `<?xml version="1.0" encoding="UTF-8"?><p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"><!-- ` + esc(strings.Join(lines, " / ")) + ` --></p:presentation>`},
		}
	default:
		return nil, fmt.Errorf("fakedrive: no OOXML for %s", kind)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p[0])
		if err != nil {
			return nil, err
		}
		io.WriteString(w, p[1])
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func xmlEscape(b *bytes.Buffer, s string) { xml.EscapeText(b, []byte(s)) }
