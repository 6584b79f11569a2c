package http

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

//go:embed openapi.json
var openAPIDoc []byte

// openAPIYAML is the same document in YAML, converted once at start.
var openAPIYAML = mustYAML(openAPIDoc)

func (h *Handler) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIDoc)
}

func (h *Handler) openAPIYAML(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(openAPIYAML)
}

// mustYAML converts a JSON document to block-style YAML, keeping the order
// of its keys. Every string and key is written as a JSON string, which is
// a YAML double-quoted scalar; numbers, true, false and null are the same
// in both.
func mustYAML(doc []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var out bytes.Buffer
	if err := yamlValue(&out, dec, 0, ""); err != nil {
		panic(fmt.Sprintf("openapi.json to YAML: %v", err))
	}
	return out.Bytes()
}

// yamlValue writes the next JSON value; lead is what goes before a scalar
// or an empty collection on the current line ("key:" or "-").
func yamlValue(out *bytes.Buffer, dec *json.Decoder, indent int, lead string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	pad := strings.Repeat("  ", indent)
	switch t := tok.(type) {
	case json.Delim:
		return yamlCollection(out, dec, indent, lead, t)
	case string:
		q, _ := json.Marshal(t)
		fmt.Fprintf(out, "%s%s %s\n", pad, lead, q)
	case json.Number:
		fmt.Fprintf(out, "%s%s %s\n", pad, lead, t)
	case bool:
		fmt.Fprintf(out, "%s%s %s\n", pad, lead, strconv.FormatBool(t))
	case nil:
		fmt.Fprintf(out, "%s%s null\n", pad, lead)
	}
	return nil
}

// yamlCollection writes an object or array whose opening delimiter was
// read.
func yamlCollection(out *bytes.Buffer, dec *json.Decoder, indent int, lead string, open json.Delim) error {
	pad := strings.Repeat("  ", indent)
	if !dec.More() {
		_, _ = dec.Token() // the closing delimiter
		empty := "{}"
		if open == '[' {
			empty = "[]"
		}
		fmt.Fprintf(out, "%s%s %s\n", pad, lead, empty)
		return nil
	}
	inner := indent
	if lead != "" {
		fmt.Fprintf(out, "%s%s\n", pad, lead)
		inner++
	}
	for dec.More() {
		itemLead := "-"
		if open == '{' {
			key, err := dec.Token()
			if err != nil {
				return err
			}
			q, _ := json.Marshal(key)
			itemLead = string(q) + ":"
		}
		if err := yamlValue(out, dec, inner, itemLead); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return err
}
