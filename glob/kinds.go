package glob

import "strings"

// Kind selects entries by what they are (the --images and --checkpoints flags). Kinds combine
// as a union: Images|Checkpoints keeps both. The zero Kind keeps everything.
type Kind uint8

const (
	// Images: files whose extension is jpg, jpeg, png, bmp, gif, webp, tif or tiff, in any case.
	Images Kind = 1 << iota
	// Checkpoints: files with extension h5, keras, ckpt, pt, pth or safetensors (any case);
	// TensorFlow checkpoint files, whose name has a dot-separated part "ckpt" or "ckpt-*"
	// ("model.ckpt-1000.index", "ckpt-7.data-00000-of-00001", "model.ckpt.meta"); and
	// SavedModel folders, i.e. folders holding a saved_model.pb or saved_model.pbtxt.
	Checkpoints
)

// baseName returns the last component of a path.
func baseName(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }

// extension returns what follows the last "." of name, the way Python's os.path.splitext
// sees it: leading dots do not start an extension (".jpg" has none).
func extension(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i < 0 || strings.TrimLeft(name[:i], ".") == "" {
		return ""
	}
	return name[i+1:]
}

func hasExt(name string, exts ...string) bool {
	ext := extension(name)
	if ext == "" {
		return false
	}
	for _, e := range exts {
		if strings.EqualFold(ext, e) {
			return true
		}
	}
	return false
}

func isImageFile(name string) bool {
	return hasExt(name, "jpg", "jpeg", "png", "bmp", "gif", "webp", "tif", "tiff")
}

func isCheckpointFile(name string) bool {
	if hasExt(name, "h5", "keras", "ckpt", "pt", "pth", "safetensors") {
		return true
	}
	for rest := name; rest != ""; {
		part := rest
		if i := strings.IndexByte(rest, '.'); i >= 0 {
			part, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		if strings.EqualFold(part, "ckpt") || (len(part) > 5 && strings.EqualFold(part[:5], "ckpt-")) {
			return true
		}
	}
	return false
}

// isSavedModelFile reports whether name marks its folder as a TensorFlow SavedModel.
func isSavedModelFile(name string) bool {
	return name == "saved_model.pb" || name == "saved_model.pbtxt"
}
