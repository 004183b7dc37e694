package fields

import "testing"

// benchSpec is a typical listing selection (rclone asks for about this).
const benchSpec = "files(id,name,size,mimeType,modifiedTime,md5Checksum,parents,shortcutDetails(targetId,targetMimeType)),nextPageToken"

// driveFileFields are the File resource's top-level fields the server walks
// for every file it renders.
var driveFileFields = []string{
	"kind", "driveId", "fileExtension", "copyRequiresWriterPermission", "md5Checksum", "contentHints",
	"writersCanShare", "viewedByMe", "mimeType", "exportLinks", "parents", "thumbnailLink", "iconLink",
	"shared", "lastModifyingUser", "owners", "headRevisionId", "sharingUser", "webViewLink",
	"webContentLink", "size", "viewersCanCopyContent", "permissions", "hasThumbnail", "spaces",
	"folderColorRgb", "id", "name", "description", "starred", "trashed", "explicitlyTrashed",
	"createdTime", "modifiedTime", "modifiedByMeTime", "viewedByMeTime", "sharedWithMeTime",
	"quotaBytesUsed", "version", "originalFilename", "ownedByMe", "fullFileExtension", "properties",
	"appProperties", "isAppAuthorized", "capabilities", "hasAugmentedPermissions", "trashingUser",
	"thumbnailVersion", "trashedTime", "modifiedByMe", "permissionIds", "imageMediaMetadata",
	"videoMediaMetadata", "shortcutDetails", "resourceKey", "linkShareMetadata", "labelInfo",
	"sha1Checksum", "sha256Checksum",
}

// BenchmarkPage is one 1000-file page: per file, Has for every File field
// and Sub for the selected ones.
func BenchmarkPage(b *testing.B) {
	m, err := Parse(benchSpec)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		fm := m.Sub("files")
		for range 1000 {
			for _, name := range driveFileFields {
				if fm.Has(name) && !fm.Sub(name).All() {
					n++
				}
			}
		}
	}
	if n == 0 {
		b.Fatal("shortcutDetails not partially selected")
	}
}

// BenchmarkPageFields is the same page rendered by walking Fields, the
// cheaper way when the selection is partial.
func BenchmarkPageFields(b *testing.B) {
	m, err := Parse(benchSpec)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		fm := m.Sub("files")
		for range 1000 {
			for _, sub := range fm.Fields() {
				if !sub.All() {
					n++
				}
			}
		}
	}
	if n == 0 {
		b.Fatal("shortcutDetails not partially selected")
	}
}

// BenchmarkHas is the cost of one lookup.
func BenchmarkHas(b *testing.B) {
	fm := MustParse(benchSpec).Sub("files")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		fm.Has(driveFileFields[i%len(driveFileFields)])
		i++
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchSpec); err != nil {
			b.Fatal(err)
		}
	}
}
