package http

import (
	"encoding/csv"
	"fmt"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones where the system has no zoneinfo

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/server"
	"github.com/switchboard/switchboard/stats"
)

func timeParam(r *http.Request, name string, def time.Time) (time.Time, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, sb.Errorf(sb.EINVALID, name, "%s must be an RFC 3339 time", name)
	}
	return t, nil
}

// stats answers GET /stats: JSON, or CSV with format=csv or an Accept
// header that prefers text/csv (docs/STATS.md).
func (h *Handler) stats(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	to, err := timeParam(r, "to", time.Time{})
	if err != nil {
		return err
	}
	from, err := timeParam(r, "from", time.Time{})
	if err != nil {
		return err
	}
	loc, err := zoneParam(q.Get("time_zone"))
	if err != nil {
		return err
	}
	asCSV, err := wantsCSV(r)
	if err != nil {
		return err
	}
	rep, err := h.App.Stats(r.Context(), server.StatsQuery{From: from, To: to, GroupBy: q.Get("group_by"), Location: loc})
	if err != nil {
		return err
	}
	if asCSV {
		return writeStatsCSV(w, rep)
	}
	writeJSON(w, 200, rep)
	return nil
}

// zoneParam is the time_zone parameter: an IANA name (UTC when empty).
func zoneParam(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, sb.Errorf(sb.EINVALID, "time_zone", "time_zone must be an IANA time zone such as Europe/Kyiv")
	}
	return loc, nil
}

// wantsCSV reads format (json or csv), else the Accept header: CSV when it
// names text/csv before application/json.
func wantsCSV(r *http.Request) (bool, error) {
	switch r.URL.Query().Get("format") {
	case "csv":
		return true, nil
	case "json":
		return false, nil
	case "":
	default:
		return false, sb.Errorf(sb.EINVALID, "format", "format must be json or csv")
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		switch t, _, _ := mime.ParseMediaType(strings.TrimSpace(part)); t {
		case "text/csv":
			return true, nil
		case "application/json":
			return false, nil
		}
	}
	return false, nil
}

// statsColumns are the CSV columns of a row: its JSON names, in order, but
// status_s, which becomes one status_<id>_s column per status.
var statsColumns = func() []string {
	var out []string
	t := reflect.TypeFor[stats.Row]()
	for i := range t.NumField() {
		if name := jsonName(t.Field(i)); name != "status_s" {
			out = append(out, name)
		}
	}
	return out
}()

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}

// writeStatsCSV writes the total, then the rows: one line each, a header
// first.
func writeStatsCSV(w http.ResponseWriter, rep stats.Report) error {
	name := fmt.Sprintf("switchboard-stats-%s-%s", rep.From.Format("20060102T15"), rep.To.Format("20060102T15"))
	if rep.GroupBy != "" {
		name += "-" + rep.GroupBy
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	cw := csv.NewWriter(w)
	head := append([]string{"group_by"}, statsColumns...)
	for _, s := range rep.Statuses {
		head = append(head, "status_"+s+"_s")
	}
	_ = cw.Write(head)
	line := func(group string, row stats.Row) {
		rec := []string{group}
		v := reflect.ValueOf(row)
		for i := range v.NumField() {
			if jsonName(v.Type().Field(i)) != "status_s" {
				rec = append(rec, csvCell(v.Field(i)))
			}
		}
		for _, s := range rep.Statuses {
			rec = append(rec, strconv.FormatFloat(row.StatusS[s], 'f', -1, 64))
		}
		_ = cw.Write(rec)
	}
	line("total", rep.Total)
	for _, row := range rep.Rows {
		line(rep.GroupBy, row)
	}
	cw.Flush()
	return cw.Error()
}

// csvCell formats a row's field: numbers as JSON has them, null as empty,
// and text that a spreadsheet would take for a formula behind a quote.
func csvCell(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return ""
		}
		return csvCell(v.Elem())
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'f', -1, 64)
	case reflect.String:
		if s := v.String(); s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			return "'" + s
		}
		return v.String()
	}
	return fmt.Sprint(v.Interface())
}
