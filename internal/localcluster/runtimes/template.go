package runtimes

import (
	"encoding/json"
	"fmt"
	"strings"
)

// TemplateFiles returns the files of the template commit (CONTRACT.md §8.3) for a new
// algorithm owned by owner. language is a legacy settings.language value or
// an environment-model language name (e.g. "python3"). Python follows the
// layout the platform was seen to create; other languages get a minimal
// layout that their build check accepts, so a fresh algorithm always builds.
func TemplateFiles(owner, name, language string) map[string][]byte {
	files := map[string]string{
		"algorithmia.conf": confFile(owner, name, language),
		"README.md":        fmt.Sprintf("# %s\n\nSource for https://algorithmia.com/algorithms/%s/%s\n", name, owner, name),
	}
	switch Family(language) {
	case "python3", "python2":
		files["requirements.txt"] = "algorithmia>=1.0.0,<2.0\nsix\n"
		files["src/__init__.py"] = ""
		files["src/"+name+".py"] = "import Algorithmia\n\n" +
			"# API calls will begin at the apply() method, with the request body passed as 'input'\n" +
			"# For more details, see algorithmia.com/developers/algorithm-development/languages\n" +
			"def apply(input):\n    return \"hello {}\".format(input)\n"
		files["src/"+name+"_test.py"] = "from . import " + name + "\n\n" +
			"def test_" + name + "():\n    assert " + name + ".apply(\"Jane\") == \"hello Jane\"\n"
	case "java":
		pkg := "algorithmia." + name
		files["pom.xml"] = "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n" +
			"  <modelVersion>4.0.0</modelVersion>\n" +
			"  <groupId>algorithmia</groupId>\n  <artifactId>" + name + "</artifactId>\n  <version>1.0.0</version>\n" +
			"  <properties><maven.compiler.release>11</maven.compiler.release></properties>\n" +
			"  <dependencies>\n    <dependency><groupId>com.algorithmia</groupId><artifactId>algorithmia-client</artifactId><version>1.0.16</version></dependency>\n  </dependencies>\n" +
			"</project>\n"
		files["src/main/java/algorithmia/"+name+"/"+name+".java"] = "package " + pkg + ";\n\n" +
			"// API calls begin at apply(), with the request body passed as input.\n" +
			"public class " + name + " {\n    public String apply(String input) {\n        return \"hello \" + input;\n    }\n}\n"
	case "javascript":
		files["package.json"] = fmt.Sprintf("{\n  \"name\": %q,\n  \"version\": \"1.0.0\",\n  \"main\": \"src/%s.js\",\n  \"dependencies\": {\"algorithmia\": \"^0.3.10\"}\n}\n", strings.ToLower(name), name)
		files["src/"+name+".js"] = "// API calls begin at apply(), with the request body passed as input.\n" +
			"exports.apply = function(input, cb) {\n    cb(null, \"hello \" + input);\n};\n"
	case "r":
		files["packages.txt"] = "algorithmia\n"
		files["src/"+name+".r"] = "library(algorithmia)\n\n# API calls begin at algorithm(), with the request body passed as input.\n" +
			"algorithm <- function(input) {\n  paste(\"hello\", input)\n}\n"
	case "ruby":
		files["Gemfile"] = "source 'https://rubygems.org'\n\ngem 'algorithmia'\n"
		files["src/"+name+".rb"] = "# API calls begin at apply(), with the request body passed as input.\n" +
			"def apply(input)\n  \"hello #{input}\"\nend\n"
	case "rust":
		files["Cargo.toml"] = fmt.Sprintf("[package]\nname = %q\nversion = \"0.1.0\"\nedition = \"2018\"\n\n[dependencies]\nalgorithmia = \"2\"\n", strings.ToLower(name))
		files["src/lib.rs"] = "// API calls begin at apply(), with the request body passed as input.\n" +
			"pub fn apply(input: String) -> Result<String, String> {\n    Ok(format!(\"hello {}\", input))\n}\n"
	case "scala":
		files["build.sbt"] = fmt.Sprintf("name := %q\n\nversion := \"1.0.0\"\n\nscalaVersion := \"2.13.1\"\n\nlibraryDependencies += \"com.algorithmia\" %% \"algorithmia-client\" %% \"1.0.16\"\n", name)
		files["src/main/scala/algorithmia/"+name+"/"+name+".scala"] = "package algorithmia." + name + "\n\n" +
			"// API calls begin at apply(), with the request body passed as input.\n" +
			"class " + name + " {\n  def apply(input: String): String = s\"hello $input\"\n}\n"
	case "csharp":
		files["Algorithm.csproj"] = "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup><TargetFramework>netcoreapp2.2</TargetFramework></PropertyGroup>\n" +
			"  <ItemGroup><PackageReference Include=\"Algorithmia.Client\" Version=\"1.0.0\" /></ItemGroup>\n</Project>\n"
		files["src/"+name+".cs"] = "namespace Algorithmia\n{\n    // API calls begin at Apply(), with the request body passed as input.\n" +
			"    public class " + name + "\n    {\n        public string Apply(string input) { return \"hello \" + input; }\n    }\n}\n"
	}
	out := make(map[string][]byte, len(files))
	for k, v := range files {
		out[k] = []byte(v)
	}
	return out
}

// confFile writes algorithmia.conf with the correctly spelt "language" key;
// Check also accepts the "langauge" misspelling that newer platform
// templates carried (CONTRACT.md §8.3).
func confFile(owner, name, language string) string {
	b, err := json.MarshalIndent(struct {
		Username string `json:"username"`
		Algoname string `json:"algoname"`
		Language string `json:"language"`
	}{owner, name, language}, "", "  ")
	if err != nil {
		panic(err) // strings only; cannot fail
	}
	return string(b) + "\n"
}
