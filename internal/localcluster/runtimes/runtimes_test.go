package runtimes

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"testing"
)

// treeOf turns a file map into Check's list and read arguments.
func treeOf(files map[string][]byte) ([]string, func(string) ([]byte, error)) {
	var list []string
	for p := range files {
		list = append(list, p)
	}
	sort.Strings(list)
	return list, func(p string) ([]byte, error) {
		b, ok := files[p]
		if !ok {
			return nil, fmt.Errorf("%s: %w", p, fs.ErrNotExist)
		}
		return b, nil
	}
}

func allLanguages() []string {
	langs := LegacyLanguages()
	for _, l := range Languages() {
		langs = append(langs, l.Name)
	}
	return langs
}

func TestLanguages_matchPlatformNames(t *testing.T) {
	want := []string{"anaconda3", "csharp-dotnet-core2", "java11", "python2", "python3", "r36", "scala-2"}
	var got []string
	for _, l := range Languages() {
		got = append(got, l.Name)
		var conf map[string]any
		if err := json.Unmarshal([]byte(l.Configuration), &conf); err != nil {
			t.Errorf("%s: configuration is not JSON: %v", l.Name, err)
		}
		if conf["display_name"] != l.DisplayName || l.DisplayName == "" {
			t.Errorf("%s: configuration display_name %v, DisplayName %q", l.Name, conf["display_name"], l.DisplayName)
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("languages %v, want %v", got, want)
	}
}

func TestEnvironments_catalogue(t *testing.T) {
	langs := map[string]bool{}
	for _, l := range Languages() {
		langs[l.Name] = true
	}
	byName := map[string]Environment{}
	for _, e := range Environments() {
		if !langs[e.Language] {
			t.Errorf("%q: unknown language %q", e.DisplayName, e.Language)
		}
		if e.MachineType != "CPU" && e.MachineType != "GPU" {
			t.Errorf("%q: machine type %q", e.DisplayName, e.MachineType)
		}
		if e.PackageSet == "" || e.SpecName == "" || e.Description == "" {
			t.Errorf("%q: incomplete %+v", e.DisplayName, e)
		}
		if _, dup := byName[e.DisplayName]; dup {
			t.Errorf("duplicate display name %q", e.DisplayName)
		}
		byName[e.DisplayName] = e
	}
	for name, pkg := range map[string]string{
		"Python 3.7": "python37", "Python 3.8": "python38", "Python 3.9": "python39",
		"Python 3.8 + TensorFlow GPU 2.3": "tensorflow-gpu-2.3-python38",
		"Java 11":                         "java11", "R 3.6": "r36", "Scala 2": "scala-2-sbt-1.3.3",
	} {
		if byName[name].PackageSet != pkg {
			t.Errorf("%q: package set %q, want %q", name, byName[name].PackageSet, pkg)
		}
	}
	if byName["Python 3.8 + TensorFlow GPU 2.3"].MachineType != "GPU" || byName["Python 3.8"].MachineType != "CPU" {
		t.Error("machine types of the Python 3.8 environments are wrong")
	}
	// Callers may modify the slice without changing the catalogue.
	Environments()[0].DisplayName = "changed"
	if Environments()[0].DisplayName == "changed" {
		t.Error("Environments shares its backing array")
	}
}

func TestIsLegacyLanguage(t *testing.T) {
	for _, l := range []string{"java", "javascript", "python2-langpack", "python3-1", "r", "ruby", "rust", "scala"} {
		if !IsLegacyLanguage(l) {
			t.Errorf("IsLegacyLanguage(%q) = false", l)
		}
	}
	for _, l := range []string{"python3", "python2-lackpack", "go", ""} {
		if IsLegacyLanguage(l) {
			t.Errorf("IsLegacyLanguage(%q) = true", l)
		}
	}
}

func TestTemplateFiles_python(t *testing.T) {
	files := TemplateFiles("alice", "Hello", "python3-1")
	var names []string
	for p := range files {
		names = append(names, p)
	}
	sort.Strings(names)
	want := "README.md,algorithmia.conf,requirements.txt,src/Hello.py,src/Hello_test.py,src/__init__.py"
	if strings.Join(names, ",") != want {
		t.Fatalf("files %v, want %s", names, want)
	}
	var conf map[string]string
	if err := json.Unmarshal(files["algorithmia.conf"], &conf); err != nil {
		t.Fatal(err)
	}
	if conf["username"] != "alice" || conf["algoname"] != "Hello" || conf["language"] != "python3-1" {
		t.Fatalf("conf %v", conf)
	}
	if !strings.Contains(string(files["src/Hello_test.py"]), `apply("Jane") == "hello Jane"`) {
		t.Errorf("test file: %s", files["src/Hello_test.py"])
	}
	if !strings.Contains(string(files["README.md"]), "algorithms/alice/Hello") {
		t.Errorf("README: %s", files["README.md"])
	}
}

func TestCheck_templatePassesForEveryLanguage(t *testing.T) {
	for _, lang := range allLanguages() {
		t.Run(lang, func(t *testing.T) {
			list, read := treeOf(TemplateFiles("alice", "Hello", lang))
			ok, logs := Check(lang, "Hello", list, read)
			if !ok {
				t.Fatalf("template fails its own check:\n%s", logs)
			}
			if !strings.Contains(logs, "Build succeeded") || !strings.Contains(logs, "entry source file") {
				t.Errorf("logs do not say what was checked:\n%s", logs)
			}
		})
	}
}

func TestCheck_failures(t *testing.T) {
	base := func() map[string][]byte { return TemplateFiles("alice", "Hello", "python3-1") }
	tests := []struct {
		name     string
		lang     string
		edit     func(map[string][]byte)
		ok       bool
		contains string
	}{
		{"valid template", "python3-1", func(map[string][]byte) {}, true, "requirements.txt parses"},
		{"broken conf", "python3-1", func(f map[string][]byte) { f["algorithmia.conf"] = []byte(`{"username": "alice",`) }, false, "algorithmia.conf: not valid JSON"},
		{"conf is an array", "python3-1", func(f map[string][]byte) { f["algorithmia.conf"] = []byte(`["x"]`) }, false, "must be a JSON object, found an array"},
		{"conf is null", "python3-1", func(f map[string][]byte) { f["algorithmia.conf"] = []byte(`null`) }, false, "must be a JSON object, found null"},
		{"missing conf", "python3-1", func(f map[string][]byte) { delete(f, "algorithmia.conf") }, false, "algorithmia.conf: file not found"},
		{"missing entry", "python3-1", func(f map[string][]byte) { delete(f, "src/Hello.py") }, false, "entry source file: none of src/Hello.py"},
		{"entry outside src", "python3-1", func(f map[string][]byte) { f["Hello.py"] = f["src/Hello.py"]; delete(f, "src/Hello.py") }, false, "entry source file: none of"},
		{"bad requirements", "python3-1", func(f map[string][]byte) { f["requirements.txt"] = []byte("numpy==1.2\nthis is not a requirement\n") }, false, `requirements.txt line 2: "this is not a requirement"`},
		{"bad version operator", "python3", func(f map[string][]byte) { f["requirements.txt"] = []byte("numpy=>1.2\n") }, false, "line 1"},
		{"no requirements file", "python3", func(f map[string][]byte) { delete(f, "requirements.txt") }, true, "requirements.txt absent"},
		{"foreign conf passes", "python3-1", func(f map[string][]byte) {
			f["algorithmia.conf"] = []byte(`{"username":"devteam","algoname":"Hello","language":"python3"}`)
		}, true, `username "devteam"`},
		{"conf names another algorithm whose entry exists", "python3-1", func(f map[string][]byte) {
			f["algorithmia.conf"] = []byte(`{"username":"devteam","algoname":"Greeter"}`)
			f["src/Greeter.py"] = f["src/Hello.py"]
			delete(f, "src/Hello.py")
		}, true, "this is allowed"},
		{"ADK entry", "python3", func(f map[string][]byte) {
			f["src/Algorithm.py"] = []byte("from Algorithmia import ADK\n")
			delete(f, "src/Hello.py")
		}, true, "src/Algorithm.py"},
		{"misspelt langauge key", "python3", func(f map[string][]byte) {
			f["algorithmia.conf"] = []byte(`{"username":"__USER__","algoname":"__ALGO__","langauge":"python3.x"}`)
		}, true, "Build succeeded"},
		{"java entry missing", "java", func(f map[string][]byte) {
			for k := range f {
				delete(f, k)
			}
			for k, v := range TemplateFiles("alice", "Hello", "java") {
				if !strings.HasSuffix(k, ".java") {
					f[k] = v
				}
			}
		}, false, "src/main/java/**/Hello.java"},
		{"rust without lib.rs", "rust", func(f map[string][]byte) {
			for k := range f {
				delete(f, k)
			}
			f["algorithmia.conf"] = []byte(`{}`)
			f["Cargo.toml"] = []byte("[package]\n")
		}, false, "src/lib.rs, src/main.rs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := base()
			tc.edit(files)
			list, read := treeOf(files)
			ok, logs := Check(tc.lang, "Hello", list, read)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v\n%s", ok, tc.ok, logs)
			}
			if !strings.Contains(logs, tc.contains) {
				t.Fatalf("logs lack %q:\n%s", tc.contains, logs)
			}
			if !ok && !strings.Contains(logs, "Build failed") {
				t.Fatalf("failed build logs lack a verdict:\n%s", logs)
			}
		})
	}
}

func TestCheckRequirements(t *testing.T) {
	valid := []string{
		"algorithmia>=1.0.0,<2.0",
		"six",
		"requests[security,socks] >= 2.8.1, == 2.8.*",
		"numpy (>=1.16)",
		"Django~=3.2 ; python_version >= '3.6'",
		"pkg @ https://example.com/pkg-1.0.tar.gz",
		"-r other-requirements.txt",
		"-e git+https://github.com/org/repo.git#egg=repo",
		"--index-url https://pypi.example.com/simple",
		"--extra-index-url=https://pypi.example.com/simple",
		"git+https://github.com/org/repo.git@v1.0#egg=repo",
		"https://example.com/pkg.whl",
		"./local/package",
		"torch==1.6.0+cpu",
		"tensorflow-gpu===2.3.0",
		"numpy==1.19 # pinned for the GPU image",
		"# just a comment",
		"",
		"pandas>=1.0,\\\n<2.0",
	}
	for _, line := range valid {
		if p := checkRequirements(line); len(p) > 0 {
			t.Errorf("%q rejected: %v", line, p)
		}
	}
	invalid := []string{
		"this is not a requirement",
		"numpy=>1.2",
		"numpy==",
		"[extra]",
		"-x foo",
		"pkg ==1.0 ==",
		"numpy; ",
	}
	for _, line := range invalid {
		if p := checkRequirements(line); len(p) == 0 {
			t.Errorf("%q accepted", line)
		}
	}
}
