package server

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestEventNamesComplete: EventNames lists every Event* constant of the
// vocabulary (event.go), so a subscription may name each.
func TestEventNamesComplete(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../event.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	ast.Inspect(f, func(x ast.Node) bool {
		v, ok := x.(*ast.ValueSpec)
		if !ok || len(v.Names) != 1 || len(v.Values) != 1 || !strings.HasPrefix(v.Names[0].Name, "Event") {
			return true
		}
		lit, ok := v.Values[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		name, _ := strconv.Unquote(lit.Value)
		n++
		if !slices.Contains(EventNames, name) {
			t.Errorf("%s (%q) is not in EventNames", v.Names[0].Name, name)
		}
		return true
	})
	if n != len(EventNames)-1 { // "*"
		t.Errorf("event.go has %d event names, EventNames %d", n, len(EventNames)-1)
	}
}
