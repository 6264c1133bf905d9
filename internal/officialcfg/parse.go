package officialcfg

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// yamlLineErr matches the "yaml: line N: message" errors of gopkg.in/yaml.v3.
var yamlLineErr = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseFile reads a YAML file and returns its top-level mapping node together with the
// whole document decoded into generic Go values.
func parseFile(path string) (*yaml.Node, map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read config: %w", err)
	}
	return parseBytes(path, data)
}

// parseBytes parses the YAML document data, named path in messages.
func parseBytes(path string, data []byte) (*yaml.Node, map[string]any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, syntaxError(path, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil, fmt.Errorf("%s: empty configuration", path)
	}
	top := resolveAlias(doc.Content[0])
	if top.Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("%s:%d: the document must be a mapping of keys to values, found %s",
			path, top.Line, describe(top))
	}
	var raw map[string]any
	if err := top.Decode(&raw); err != nil {
		return nil, nil, syntaxError(path, err)
	}
	return top, raw, nil
}

// syntaxError rewrites a yaml.v3 error as "path:line: message" where it can.
func syntaxError(path string, err error) error {
	msg := err.Error()
	if m := yamlLineErr.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s:%s: invalid YAML: %s", path, m[1], m[2])
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return fmt.Errorf("%s: invalid YAML: %s", path, strings.Join(te.Errors, "; "))
	}
	return fmt.Errorf("%s: invalid YAML: %w", path, err)
}

// resolveAlias follows YAML aliases (*name) to the node they refer to.
func resolveAlias(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// describe says what a node holds, for error messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!str":
			return fmt.Sprintf("string %q", n.Value)
		case "!!int":
			return "integer " + n.Value
		case "!!float":
			return "number " + n.Value
		case "!!bool":
			return "boolean " + n.Value
		default:
			return fmt.Sprintf("%s %q", strings.TrimPrefix(n.ShortTag(), "!!"), n.Value)
		}
	}
	return "an unsupported YAML node"
}
