package main

import "fmt"

// The seeded algorithms' source trees, in the platform's layouts.

// pythonSource is a small Python algorithm in the platform's layout.
func pythonSource(name string) func(greeting string) map[string][]byte {
	return func(greeting string) map[string][]byte {
		return map[string][]byte{
			"algorithmia.conf": []byte(fmt.Sprintf(`{"username": %q, "algoname": %q, "language": "python3"}`+"\n", organization, name)),
			"requirements.txt": []byte("algorithmia>=1.0.0,<2.0\nsix\n"),
			"src/__init__.py":  {},
			"src/" + name + ".py": []byte(fmt.Sprintf(
				"import Algorithmia\n\n\ndef apply(input):\n    return \"%s {}\".format(input)\n", greeting)),
			"src/" + name + "_test.py": []byte(fmt.Sprintf(
				"from . import %[1]s\n\n\ndef test_apply():\n    assert %[1]s.apply(\"Jane\") == \"%[2]s Jane\"\n", name, greeting)),
			"README.md": []byte(fmt.Sprintf("# %s\n\nSays %q to its input.\n", name, greeting)),
		}
	}
}

// javaSource is a small Java algorithm in the platform's Maven layout.
func javaSource(name string) func(greeting string) map[string][]byte {
	return func(greeting string) map[string][]byte {
		return map[string][]byte{
			"algorithmia.conf": []byte(fmt.Sprintf(`{"username": %q, "algoname": %q, "language": "java"}`+"\n", organization, name)),
			"pom.xml": []byte("<project>\n  <modelVersion>4.0.0</modelVersion>\n  <groupId>algorithmia</groupId>\n" +
				"  <artifactId>" + name + "</artifactId>\n  <version>1.0.0</version>\n</project>\n"),
			"src/main/java/algorithmia/" + name + "/" + name + ".java": []byte(fmt.Sprintf(
				"package algorithmia.%[1]s;\n\npublic class %[1]s {\n    // %[2]s\n    public int apply(String input) {\n"+
					"        return input.trim().isEmpty() ? 0 : input.trim().split(\"\\\\s+\").length;\n    }\n}\n", name, greeting)),
		}
	}
}
