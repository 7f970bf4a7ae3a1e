// Package runtimes is the local cluster's knowledge of languages: the
// catalogue served by the environments endpoints (CONTRACT.md §9), the template
// files committed into a new algorithm's repository (CONTRACT.md §8.3), and the checks a
// build performs on a tree (issue 2 §6).
//
// It is pure data and pure functions: it never touches HTTP, the store or
// Git, so the cluster can call it under its own locks and tests can call it
// without a server. It never runs or compiles user code; a "build" here only
// looks for the mistakes that would make a real build fail early.
//
// Choices the public record left open:
//   - Only the Python template is documented (CONTRACT.md §8.3). The other languages get
//     a minimal layout of the same spirit (algorithmia.conf, README.md, an
//     entry file with apply() and the language's usual dependency file);
//     Check accepts each of them, so a new algorithm always builds.
//   - algorithmia.conf is written with "language"; the "langauge" spelling of
//     newer platform templates is accepted, as is any other key, because only
//     the JSON-object shape was ever enforced.
//   - A missing requirements.txt passes: pip has nothing to install.
//   - Environment descriptions and the package sets of the less common
//     environments are plausible inventions; display names and the package
//     sets named in CONTRACT.md are the platform's.
//   - An unknown language name is treated as Python 3, because the cluster
//     validates language names before calling here.
package runtimes

import (
	"encoding/json"
	"sort"
)

// Language is one entry of GET /v1/algorithm-environments/edge/languages (CONTRACT.md §9).
type Language struct {
	Name          string // e.g. "python3"
	DisplayName   string // e.g. "Python 3.x (Environments)"
	Configuration string // a JSON document serialised as a string, as the platform sends it
}

// Environment is one entry of .../languages/{language}/environments (CONTRACT.md §9)
// without the per-cluster ids, which the cluster generates and persists.
type Environment struct {
	Language    string // Language.Name this environment belongs to
	DisplayName string // e.g. "Python 3.8"; clients such as mlflow-algorithmia match on it
	Description string
	PackageSet  string // reported back in settings.package_set, e.g. "python38"
	MachineType string // "CPU" or "GPU"
	SpecName    string // stable name of the environment specification, e.g. "python38"
}

// languageConfig is the shape of Language.Configuration. The platform's
// documents carry more keys; these are the ones clients were seen reading.
type languageConfig struct {
	DisplayName string     `json:"display_name"`
	ReqFiles    []string   `json:"req_files"`
	Artifacts   []artifact `json:"artifacts"`
}

type artifact struct {
	Source      string `json:"source"`
	Destination string `json:"destination"`
}

type languageDef struct {
	name, display string
	reqFiles      []string
	artifacts     []artifact
}

// languageDefs is ordered like the platform's answer (alphabetical), so the
// endpoint is stable across restarts without sorting at every call.
var languageDefs = []languageDef{
	{"anaconda3", "Python 3.x - Anaconda (Environments)", []string{"environment.yml"},
		[]artifact{{"/opt/conda", "/opt/conda/"}, {"/home/algo/.local", "/home/algo/.local/"}}},
	{"csharp-dotnet-core2", "C# .NET Core 2.x+ (Environments)", []string{"*.csproj"},
		[]artifact{{"/opt/algorithm/bin/Release/*/*", "/opt/algorithm/"}}},
	{"java11", "Java OpenJDK 11.0 (Environments)", []string{"pom.xml"},
		[]artifact{{"/opt/algorithm/target/*.jar", "/opt/algorithm/target/algorithm.jar"}, {"/opt/algorithm/target/lib", "/opt/algorithm/target/lib/"}}},
	{"python2", "Python 2.x (Environments)", []string{"requirements.txt"},
		[]artifact{{"/home/algo/.local", "/home/algo/.local/"}, {"/opt/algorithm", "/opt/algorithm/"}}},
	{"python3", "Python 3.x (Environments)", []string{"requirements.txt"},
		[]artifact{{"/home/algo/.local", "/home/algo/.local/"}, {"/opt/algorithm", "/opt/algorithm/"}}},
	{"r36", "R 3.6.x (Environments)", []string{"packages.txt"},
		[]artifact{{"/usr/local/lib/R/site-library", "/usr/local/lib/R/site-library/"}, {"/opt/algorithm", "/opt/algorithm/"}}},
	{"scala-2", "Scala 2.x & sbt 1.3.x (Environments)", []string{"build.sbt"},
		[]artifact{{"/opt/algorithm/target/universal/stage", "/opt/algorithm/stage/"}}},
}

// Languages returns the language catalogue of CONTRACT.md §9, a fresh slice per call so
// callers may modify it.
func Languages() []Language {
	out := make([]Language, 0, len(languageDefs))
	for _, d := range languageDefs {
		doc, err := json.MarshalIndent(languageConfig{DisplayName: d.display, ReqFiles: d.reqFiles, Artifacts: d.artifacts}, "", "  ")
		if err != nil {
			panic(err) // static data; cannot fail
		}
		// The platform's documents end with a newline; keep that so byte
		// comparisons against recorded answers behave.
		out = append(out, Language{Name: d.name, DisplayName: d.display, Configuration: string(doc) + "\n"})
	}
	return out
}

// environments is the catalogue. Display names and package sets follow the
// names the public record shows (CONTRACT.md §5.1, §9); descriptions are plausible prose.
var environments = []Environment{
	{"python3", "Python 3.7", "Python 3.7 installation", "python37", "CPU", "python37"},
	{"python3", "Python 3.8", "Python 3.8 installation", "python38", "CPU", "python38"},
	{"python3", "Python 3.9", "Python 3.9 installation", "python39", "CPU", "python39"},
	{"python3", "Python 3.7 + GPU", "Python 3.7 installation with CUDA 10.0", "python37-gpu", "GPU", "python37-gpu"},
	{"python3", "Python 3.8 + TensorFlow GPU 2.3", "Python 3.8 installation with CUDA 10.1 and TensorFlow 2.3 installed", "tensorflow-gpu-2.3-python38", "GPU", "tensorflow-gpu-2.3-python38"},
	{"python3", "Python 3.7 + TensorFlow GPU 2.1", "Python 3.7 installation with CUDA 10.1 and TensorFlow 2.1 installed", "tensorflow-gpu-2.1-python37", "GPU", "tensorflow-gpu-2.1-python37"},
	{"python3", "Python 3.7 + PyTorch 1.6", "Python 3.7 installation with CUDA 10.1 and PyTorch 1.6 installed", "pytorch-1.6.x-python37", "GPU", "pytorch-1.6.x"},
	{"python3", "Python 3.7 + spaCy 2.0", "Python 3.7 installation with spaCy 2.0.18 installed", "spacy-2.0.18-python37", "CPU", "spacy-2.0.18"},
	{"python3", "Python 3.7 + Selenium 3.141", "Python 3.7 installation with Selenium 3.141 and a headless browser", "selenium3.141.x-python37", "CPU", "selenium3.141.x-python"},
	{"python2", "Python 2.7", "Python 2.7 installation", "python27", "CPU", "python27"},
	{"python2", "Python 2.7 + GPU", "Python 2.7 installation with CUDA 9.0 and cuDNN 7", "python27-cuda90-cudnn7", "GPU", "python27-cuda90-cudnn7"},
	{"anaconda3", "Anaconda 3 (Python 3.7)", "Anaconda 3 distribution with Python 3.7", "anaconda3-python37", "CPU", "anaconda3"},
	{"java11", "Java 11", "OpenJDK 11 with Maven", "java11", "CPU", "java11"},
	{"r36", "R 3.6", "R 3.6 installation", "r36", "CPU", "r36"},
	{"scala-2", "Scala 2", "Scala 2.13 with sbt 1.3.3", "scala-2-sbt-1.3.3", "CPU", "scala-2-sbt-1.3.3"},
	{"csharp-dotnet-core2", "C# .NET Core 2.2", ".NET Core 2.2 SDK", "csharp-dotnet-core22", "CPU", "csharp-dotnet-core22"},
}

// Environments returns the environment catalogue, grouped by language and in
// a fixed order, as a fresh slice. The cluster attaches random ids per
// cluster because promotion between real clusters has to map them.
func Environments() []Environment {
	out := make([]Environment, len(environments))
	copy(out, environments)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Language < out[j].Language })
	return out
}

// legacyFamily maps the legacy settings.language values of CONTRACT.md §5.1 to the
// family that decides template files and build checks.
var legacyFamily = map[string]string{
	"java":             "java",
	"javascript":       "javascript",
	"python2-langpack": "python2",
	"python3-1":        "python3",
	"r":                "r",
	"ruby":             "ruby",
	"rust":             "rust",
	"scala":            "scala",
}

// environmentFamily maps environment-model language names (CONTRACT.md §9) to families.
var environmentFamily = map[string]string{
	"python3":             "python3",
	"python2":             "python2",
	"anaconda3":           "python3",
	"java11":              "java",
	"r36":                 "r",
	"scala-2":             "scala",
	"csharp-dotnet-core2": "csharp",
}

// IsLegacyLanguage reports whether name is one of the legacy settings.language
// values of CONTRACT.md §5.1; the cluster answers 4001 for anything else in that field.
func IsLegacyLanguage(name string) bool {
	_, ok := legacyFamily[name]
	return ok
}

// LegacyLanguages returns the legacy settings.language values of CONTRACT.md §5.1, sorted.
func LegacyLanguages() []string {
	out := make([]string, 0, len(legacyFamily))
	for k := range legacyFamily {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Family returns the template and check family ("python3", "python2", "java",
// "javascript", "r", "ruby", "rust", "scala", "csharp") for a legacy or
// environment-model language name. Unknown names fall back to "python3",
// because the cluster validates languages before it gets here and Python is
// what the platform defaulted to.
func Family(language string) string {
	if f, ok := legacyFamily[language]; ok {
		return f
	}
	if f, ok := environmentFamily[language]; ok {
		return f
	}
	return "python3"
}
