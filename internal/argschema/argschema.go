// Package argschema compiles the argument JSON Schemas of a manifest and
// validates tool arguments against them. Schemas are self-contained:
// $ref may point inside the schema or at the embedded meta-schemas, never
// at a file or a URL, so compiling one never touches the disk or the
// network.
package argschema

import (
	"errors"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

var printer = message.NewPrinter(language.English)

// ErrExternalRef is wrapped by Compile when a schema refers outside itself.
var ErrExternalRef = errors.New("external $ref is not allowed")

// base is the location schemas are compiled at; relative references
// resolve under it and reach the refusing loader.
const base = "https://argschema.mcpwarden.invalid/root.json"

// Schema is one compiled schema, safe for concurrent use.
type Schema struct {
	s *jsonschema.Schema
}

type refuse struct{}

func (refuse) Load(url string) (any, error) {
	return nil, fmt.Errorf("%w: %s", ErrExternalRef, url)
}

// Compile compiles doc, a JSON value as canon.Parse or encoding/json
// (with UseNumber) produce it. Schemas without $schema are draft 2020-12;
// format keywords are assertions.
func Compile(doc any) (*Schema, error) {
	c := jsonschema.NewCompiler()
	c.UseLoader(refuse{})
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(base, doc); err != nil {
		return nil, fmt.Errorf("argschema: %w", err)
	}
	s, err := c.Compile(base)
	if err != nil {
		if errors.Is(err, ErrExternalRef) {
			return nil, fmt.Errorf("argschema: %w", ErrExternalRef)
		}
		return nil, fmt.Errorf("argschema: %w", err)
	}
	return &Schema{s: s}, nil
}

// Validate checks v, a tree as canon.Parse returns it. The error text is
// short enough to show to the client: it names the failing locations,
// not the schema.
func (s *Schema) Validate(v any) error {
	err := s.s.Validate(v)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	return &Error{Msg: summarize(ve)}
}

// Error is a validation failure.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// summarize lists the leaf failures, one per instance location, capped.
func summarize(ve *jsonschema.ValidationError) string {
	var parts []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			loc := "/" + strings.Join(e.InstanceLocation, "/")
			parts = append(parts, fmt.Sprintf("at %s: %s", loc, e.ErrorKind.LocalizedString(printer)))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	if len(parts) > 5 {
		parts = append(parts[:5], fmt.Sprintf("and %d more", len(parts)-5))
	}
	return strings.Join(parts, "; ")
}
