package http

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/server"
	"github.com/switchboard/switchboard/simulate"
)

// flatJSONNames is jsonNames with the fields of embedded structs promoted,
// as encoding/json writes them.
func flatJSONNames(typ reflect.Type) []string {
	var names []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			names = append(names, flatJSONNames(f.Type)...)
		case f.IsExported() && name != "-":
			names = append(names, cmpOrName(name, f.Name))
		}
	}
	slices.Sort(names)
	return names
}

func cmpOrName(tag, field string) string {
	if tag == "" {
		return field
	}
	return tag
}

// schemaNames returns the property names of a schema and of the schemas
// its allOf lists, sorted.
func schemaNames(t *testing.T, doc map[string]any, s map[string]any) []string {
	t.Helper()
	var names []string
	props, _ := s["properties"].(map[string]any)
	for k := range props {
		names = append(names, k)
	}
	if all, ok := s["allOf"].([]any); ok {
		for _, part := range all {
			names = append(names, schemaNames(t, doc, resolve(t, doc, part))...)
		}
	}
	slices.Sort(names)
	return names
}

// TestOpenAPISimulation checks the what-if question and its answer against
// the types the handler decodes and encodes.
func TestOpenAPISimulation(t *testing.T) {
	doc := loadDoc(t)
	op := "POST /api/v1/simulations"
	got := propertyNames(t, doc, op, requestSchema(t, doc, op))
	if want := jsonNames(reflect.TypeFor[server.WhatIf]()); !slices.Equal(got, want) {
		t.Errorf("%s: documented %v, decoded %v", op, got, want)
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	for name, typ := range map[string]reflect.Type{
		"Simulation":             reflect.TypeFor[server.Simulation](),
		"SimulationBucket":       reflect.TypeFor[simulate.Bucket](),
		"SimulationStaffHour":    reflect.TypeFor[simulate.StaffHour](),
		"SimulationTeam":         reflect.TypeFor[simulate.Team](),
		"SimulationShift":        reflect.TypeFor[simulate.Shift](),
		"SimulationHistory":      reflect.TypeFor[server.SimulationHistory](),
		"SimulationTeamSchedule": reflect.TypeFor[server.TeamSchedule](),
	} {
		got := schemaNames(t, doc, resolve(t, doc, schemas[name]))
		if want := flatJSONNames(typ); !slices.Equal(got, want) {
			t.Errorf("schema %s: documented %v, the code has %v", name, got, want)
		}
	}
}
