package runtimes

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// Check validates a tree the way a real build would fail early: algorithmia.conf
// must be a JSON object, the entry source file for the language must exist,
// and for Python requirements.txt must parse. list gives every file path in
// the tree; read returns a file's bytes or an error wrapping fs.ErrNotExist.
//
// A conf naming another owner or algorithm is not an error, because promoted
// code carries its source's conf and the migration docs say it does not
// matter. The entry file may be named after the algorithm itself, after the
// algoname in algorithmia.conf, or be the ADK entry (Algorithm.<ext>).
// logs is multi-line text naming each check and what failed.
func Check(language, algoName string, list []string, read func(path string) ([]byte, error)) (ok bool, logs string) {
	var b strings.Builder
	failed := 0
	pass := func(format string, args ...any) { fmt.Fprintf(&b, "[ok]   "+format+"\n", args...) }
	fail := func(format string, args ...any) {
		failed++
		fmt.Fprintf(&b, "[FAIL] "+format+"\n", args...)
	}
	family := Family(language)
	fmt.Fprintf(&b, "Building algorithm %s (language %s, %d files)\n", algoName, language, len(list))

	present := make(map[string]bool, len(list))
	for _, p := range list {
		present[strings.TrimPrefix(p, "/")] = true
	}

	// algorithmia.conf
	names := []string{algoName}
	data, err := read("algorithmia.conf")
	switch {
	case errors.Is(err, fs.ErrNotExist):
		fail("algorithmia.conf: file not found at the repository root")
	case err != nil:
		fail("algorithmia.conf: cannot read: %v", err)
	default:
		var doc any
		if err := json.Unmarshal(data, &doc); err != nil {
			fail("algorithmia.conf: not valid JSON: %v", err)
		} else if conf, isObject := doc.(map[string]any); !isObject {
			fail("algorithmia.conf: must be a JSON object, found %s", jsonKind(doc))
		} else {
			algo, _ := conf["algoname"].(string)
			user, _ := conf["username"].(string)
			pass("algorithmia.conf is a JSON object (username %q, algoname %q)", user, algo)
			if algo != "" && algo != algoName {
				// Promoted code: the conf names its source algorithm. Say so,
				// but do not fail, because the platform did not.
				fmt.Fprintf(&b, "       note: algorithmia.conf names algorithm %q, building %q; this is allowed\n", algo, algoName)
				names = append(names, algo)
			}
		}
	}

	// entry source file
	candidates := entryCandidates(family, names)
	if found := findEntry(family, names, present); found != "" {
		pass("entry source file %s", found)
	} else {
		fail("entry source file: none of %s exists", strings.Join(candidates, ", "))
	}

	// dependency file
	if family == "python3" || family == "python2" {
		data, err := read("requirements.txt")
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// pip simply has nothing to install; the platform built such trees.
			pass("requirements.txt absent; no dependencies to install")
		case err != nil:
			fail("requirements.txt: cannot read: %v", err)
		default:
			if problems := checkRequirements(string(data)); len(problems) > 0 {
				for _, p := range problems {
					fail("requirements.txt %s", p)
				}
			} else {
				pass("requirements.txt parses")
			}
		}
	}

	if failed > 0 {
		fmt.Fprintf(&b, "Build failed: %d check(s) failed\n", failed)
		return false, b.String()
	}
	b.WriteString("Build succeeded\n")
	return true, b.String()
}

// entryExt gives each family's source extensions; the first one is used in
// messages.
var entryExt = map[string][]string{
	"python3":    {".py"},
	"python2":    {".py"},
	"javascript": {".js"},
	"r":          {".r", ".R"},
	"ruby":       {".rb"},
	"java":       {".java"},
	"scala":      {".scala"},
	"csharp":     {".cs"},
}

// entryCandidates names the accepted entry files for the log message.
func entryCandidates(family string, names []string) []string {
	if family == "rust" {
		return []string{"src/lib.rs", "src/main.rs"}
	}
	ext := entryExt[family][0]
	var out []string
	for _, n := range append(append([]string(nil), names...), "Algorithm") {
		switch family {
		case "java":
			out = append(out, "src/main/java/**/"+n+ext)
		case "scala":
			out = append(out, "src/main/scala/**/"+n+ext)
		case "csharp":
			out = append(out, "**/"+n+ext)
		default:
			out = append(out, "src/"+n+ext)
		}
	}
	return out
}

// findEntry returns the first present path that is an accepted entry file.
// Java, Scala and C# put sources in package directories, so for them only
// the file's base name and source root matter.
func findEntry(family string, names []string, present map[string]bool) string {
	if family == "rust" {
		for _, p := range []string{"src/lib.rs", "src/main.rs"} {
			if present[p] {
				return p
			}
		}
		return ""
	}
	base := map[string]bool{}
	for _, n := range append(append([]string(nil), names...), "Algorithm") {
		for _, ext := range entryExt[family] {
			base[n+ext] = true
		}
	}
	var prefix string
	nested := true
	switch family {
	case "java":
		prefix = "src/main/java/"
	case "scala":
		prefix = "src/main/scala/"
	case "csharp":
		prefix = ""
	default:
		prefix, nested = "src/", false
	}
	paths := make([]string, 0, len(present))
	for p := range present {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if !strings.HasPrefix(p, prefix) || !base[path.Base(p)] {
			continue
		}
		if nested || path.Dir(p) == "src" {
			return p
		}
	}
	return ""
}

var (
	reqName       = `[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?`
	reqExtras     = `(?:\s*\[\s*(?:` + reqName + `(?:\s*,\s*` + reqName + `)*)?\s*\])?`
	reqVersion    = `(?:~=|===|==|!=|<=|>=|<|>)\s*[A-Za-z0-9.*+!_-]+`
	reqSpecs      = `(?:` + reqVersion + `(?:\s*,\s*` + reqVersion + `)*)`
	requirement   = regexp.MustCompile(`^` + reqName + reqExtras + `\s*(?:` + reqSpecs + `|\(\s*` + reqSpecs + `\s*\)|@\s*\S+)?\s*(?:;\s*\S.*)?$`)
	optionLine    = regexp.MustCompile(`^(?:-[rceif]\s*\S|--[a-z][a-z-]*(?:[ =]\S.*)?$)`)
	urlLine       = regexp.MustCompile(`^(?:[a-z][a-z0-9+.-]*://|git\+|\./|\.\./|/)\S*$`)
	inlineComment = regexp.MustCompile(`\s+#.*$`)
)

// checkRequirements returns one message per line of requirements.txt that
// pip would refuse. It accepts what pip accepts in practice: PEP 508 names
// with extras, version specifiers and markers, "name @ URL", option lines
// (-r, -e, --index-url ...) and bare URLs or paths.
func checkRequirements(text string) []string {
	var problems []string
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		lineNo := i + 1
		line := lines[i]
		// pip joins lines ending in a backslash before parsing.
		for strings.HasSuffix(line, `\`) && i+1 < len(lines) {
			i++
			line = strings.TrimSuffix(line, `\`) + lines[i]
		}
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		line = strings.TrimSpace(inlineComment.ReplaceAllString(line, ""))
		if line == "" {
			continue
		}
		if optionLine.MatchString(line) || urlLine.MatchString(line) || requirement.MatchString(line) {
			continue
		}
		problems = append(problems, fmt.Sprintf("line %d: %q is not a valid requirement", lineNo, line))
	}
	return problems
}

// jsonKind names a decoded JSON value's type for log messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "an array"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}
