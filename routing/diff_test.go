package routing

import (
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
)

var (
	diffSteps = flag.Int("routing.steps", 0, "total steps of TestDifferential (default 200000; 20000 with -short)")
	diffSeed  = flag.Uint64("routing.seed", 0, "run TestDifferential on this seed only")
)

// diffRuns is the number of independent runs TestDifferential splits its
// steps into; run i uses seed i+1.
const diffRuns = 8

// TestDifferential runs the engine and the naive model of docs/ROUTING.md
// side by side on generated command streams and compares, after every step,
// errors, connect answers, the routing decisions and the state: R1
// eligibility, R2 choice, R3 queue order, R4 drains, R5 connect, R6
// redistribution, R7 timers, R8 manual work. After every step it also
// checks the R9 invariants 1–4 on the engine's exported state, and that
// Result.Changes holds everything the step changed (the engine's part of
// R9.5).
//
// make test (and so CI) runs the full 200,000 steps once, without the race
// detector (the runs are single goroutines); -short runs 20,000.
// -routing.steps=N changes the total and -routing.seed=S replays one seed.
func TestDifferential(t *testing.T) {
	t.Parallel()
	total := *diffSteps
	if total == 0 {
		total = 200000
		if testing.Short() {
			total = 20000
		}
	}
	// The runs allocate much short-lived garbage and keep little. (A
	// cleanup, not a defer: the parallel runs start after this function
	// returns.)
	gc := debug.SetGCPercent(400)
	t.Cleanup(func() { debug.SetGCPercent(gc) })
	if *diffSeed != 0 {
		runDifferential(t, *diffSeed, total)
		return
	}
	for i := range diffRuns {
		seed := uint64(i + 1)
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			runDifferential(t, seed, total/diffRuns)
		})
	}
}

func runDifferential(t *testing.T, seed uint64, steps int) {
	r := newDiffRun(newGenSeed(seed))
	r.full = *diffSeed != 0
	for i := 0; i < steps; i++ {
		if msg := r.step(); msg != "" {
			t.Fatalf("seed=%d step=%d (replay: go test ./routing -run 'TestDifferential' -routing.seed=%d -routing.steps=%d)\n%s",
				seed, r.n-1, seed, r.n, msg)
		}
	}
}

// FuzzRouting is TestDifferential driven by fuzz bytes: a few hundred steps
// per input, the same comparisons and invariant checks.
func FuzzRouting(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("switchboard"))
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 200, 100, 50, 25, 12, 6, 3, 1})
	f.Add(slices.Repeat([]byte{255, 0, 128}, 40))
	f.Add(slices.Repeat([]byte{7, 77, 177}, 100))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := newDiffRun(newGenBytes(data))
		r.full = true
		for range 300 {
			if msg := r.step(); msg != "" {
				t.Fatalf("step=%d\n%s", r.n-1, msg)
			}
		}
	})
}

// diffRun is one engine and one model fed the same generated stream.
type diffRun struct {
	g      *gen
	e      *Engine
	m      *naive
	prev   State
	overOK map[string]bool
	full   bool // compare the full Export after every step
	recent []string
	before string // the model's digest before the step
	n      int
}

func newDiffRun(g *gen) *diffRun {
	r := &diffRun{g: g, m: newNaive(genStart), overOK: map[string]bool{}}
	r.e = New(genStart)
	r.prev = r.e.Export()
	return r
}

// step applies the next command to both and returns a description of the
// first difference or broken invariant, or "".
func (r *diffRun) step() string {
	now, cmd := r.g.next(r.m)
	r.n++
	r.recent = append(r.recent, genString(now, cmd))
	if len(r.recent) > 12 {
		r.recent = r.recent[1:]
	}
	fail := func(format string, args ...any) string {
		return fmt.Sprintf(format, args...) + "\nlast commands:\n  " + strings.Join(r.recent, "\n  ") +
			"\nmodel state before the step:\n" + r.before
	}
	resE, crash, errE := safeApply(r.e, now, cmd)
	if crash != "" {
		return fail("engine panicked: %s", crash)
	}
	resM, errM := r.m.Apply(now, cmd)
	if d := compareResults(resE, errE, resM, errM); d != "" {
		return fail("%s\nmodel decisions: %s\nengine decisions: %s", d, fmtDecisions(resM.Decisions), fmtDecisions(resE.Decisions))
	}
	var st State
	full := r.full || r.n%diffFullEvery == 0
	if crash := catch(func() { st = engineState(r.e, full) }); crash != "" {
		return fail("engine Export panicked: %s", crash)
	}
	de, dm := nvDigest(st), r.m.digest()
	if de != dm {
		return fail("state differs (- model, + engine):\n%s", lineDiff(dm, de))
	}
	r.before = dm
	if err := checkStep(r.prev, st, cmd, resE, r.overOK); err != nil {
		return fail("%v", err)
	}
	if err := checkChanges(r.prev, st, resE); err != nil {
		return fail("%v", err)
	}
	if d := compareQueueReasons(r.e, r.m); d != "" {
		return fail("%s", d)
	}
	r.prev = st
	return ""
}

// compareQueueReasons compares why each queued chat waits, as the engine's
// Queue says (its first reason), with the model.
func compareQueueReasons(e *Engine, m *naive) string {
	for _, q := range e.Queue() {
		want := WarnAutoConnectDisabled
		if m.set.AutoConnect {
			want = cmp.Or(m.waitReason(m.chats[nvChatNum(q.Chat.ID)]), "routing")
		}
		if got := q.Reasons[0].Code; got != want {
			return fmt.Sprintf("queued chat %s waits for %q in the model, %q in the engine", q.Chat.ID, want, got)
		}
	}
	return ""
}

// diffFullEvery is how often a run without -routing.seed compares the full
// Export; the steps between use the cheaper queries, because Export copies
// the audit and closed-chat history.
const diffFullEvery = 256

// engineState is e.Export() when full, else the same open chats, operators
// and configuration read through Config, Operators and Folder.
func engineState(e *Engine, full bool) State {
	if full {
		return e.Export()
	}
	st := State{Config: e.Config(), Operators: e.Operators()}
	st.Chats = e.Folder(FolderNew, "")
	st.Chats = append(st.Chats, e.Folder(FolderInQueue, "")...)
	st.Chats = append(st.Chats, e.Folder(FolderActive, "")...)
	slices.SortFunc(st.Chats, func(a, b sb.Chat) int { return cmp.Compare(nvChatNum(a.ID), nvChatNum(b.ID)) })
	return st
}

func catch(f func()) (crash string) {
	defer func() {
		if p := recover(); p != nil {
			crash = fmt.Sprintf("%v\n%s", p, debug.Stack())
		}
	}()
	f()
	return ""
}

// safeApply applies cmd, catching a panic as crash.
func safeApply(e *Engine, now time.Time, cmd Command) (res Result, crash string, err error) {
	crash = catch(func() { res, err = e.Apply(now, cmd) })
	return res, crash, err
}

// checkStep checks the R9 invariants after one step.
func checkStep(prev, cur State, cmd Command, res Result, overOK map[string]bool) error {
	v := newStView(cur)
	if err := checkInvariantsView(v, cur); err != nil {
		return err
	}
	if err := checkLimits(v, cmd, res, overOK); err != nil {
		return err
	}
	return checkOrder(prev, cur, v, cmd, res)
}

// --- comparing results ---------------------------------------------------

func fmtDecisions(ds []sb.Decision) string {
	var s []string
	for _, d := range ds {
		s = append(s, fmtDecision(d))
	}
	return "[" + strings.Join(s, "; ") + "]"
}

func fmtDecision(d sb.Decision) string {
	return fmt.Sprintf("%s chat=%s op=%s reason=%s anomalies=%v", d.Kind, d.ChatID, d.OperatorID, d.Reason, slices.Clip(d.Anomalies))
}

func reasonCode(r *sb.Reason) string {
	if r == nil {
		return ""
	}
	return r.Code
}

func warningCodes(ws []sb.Reason) string {
	var s []string
	for _, w := range ws {
		s = append(s, w.Code)
	}
	return strings.Join(s, ",")
}

// compareResults compares what the engine and the model answered. Error
// fields are compared for invalid only: for not_found and conflict
// ROUTING.md allows chat_id, operator_id or id without saying which.
func compareResults(e Result, errE error, m Result, errM error) string {
	var d []string
	if sb.ErrorCode(errE) != sb.ErrorCode(errM) {
		d = append(d, fmt.Sprintf("error: model %v, engine %v", errM, errE))
	} else if sb.ErrorCode(errM) == sb.EINVALID && sb.ErrorField(errE) != sb.ErrorField(errM) {
		d = append(d, fmt.Sprintf("error field: model %q, engine %q (%v)", sb.ErrorField(errM), sb.ErrorField(errE), errE))
	}
	if e.Outcome != m.Outcome {
		d = append(d, fmt.Sprintf("outcome: model %q, engine %q", m.Outcome, e.Outcome))
	}
	if reasonCode(e.Reason) != reasonCode(m.Reason) {
		d = append(d, fmt.Sprintf("reason: model %q, engine %q", reasonCode(m.Reason), reasonCode(e.Reason)))
	}
	if warningCodes(e.Warnings) != warningCodes(m.Warnings) {
		d = append(d, fmt.Sprintf("warnings: model [%s], engine [%s]", warningCodes(m.Warnings), warningCodes(e.Warnings)))
	}
	if len(e.Decisions) != len(m.Decisions) {
		d = append(d, fmt.Sprintf("%d decisions in the model, %d in the engine", len(m.Decisions), len(e.Decisions)))
	} else {
		for i := range m.Decisions {
			if a, b := fmtDecision(m.Decisions[i]), fmtDecision(e.Decisions[i]); a != b {
				d = append(d, fmt.Sprintf("decision %d: model %s, engine %s", i, a, b))
			}
		}
	}
	if m.Chat != nil {
		switch c := e.Chat; {
		case c == nil:
			d = append(d, "result chat: engine has none")
		case c.ID != m.Chat.ID || c.Status != m.Chat.Status:
			d = append(d, fmt.Sprintf("result chat: model %s %s, engine %s %s", m.Chat.ID, m.Chat.Status, c.ID, c.Status))
		case c.Status != sb.ChatClosed && c.OperatorID != m.Chat.OperatorID:
			d = append(d, fmt.Sprintf("result chat operator: model %q, engine %q", m.Chat.OperatorID, c.OperatorID))
		case c.QueuePosition != m.Chat.QueuePosition:
			d = append(d, fmt.Sprintf("result chat queue_position: model %d, engine %d", m.Chat.QueuePosition, c.QueuePosition))
		}
	}
	return strings.Join(d, "\n")
}

// lineDiff lists the lines only in a (-) and only in b (+).
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for _, l := range al {
		if !slices.Contains(bl, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range bl {
		if !slices.Contains(al, l) {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}

// firstDiff shows the first differing line of a and b with some context.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	i := 0
	for i < len(al) && i < len(bl) && al[i] == bl[i] {
		i++
	}
	from := max(0, i-6)
	var out []string
	for _, l := range al[from:i] {
		out = append(out, "  "+l)
	}
	for _, l := range al[i:min(len(al), i+3)] {
		out = append(out, "- "+l)
	}
	for _, l := range bl[i:min(len(bl), i+3)] {
		out = append(out, "+ "+l)
	}
	return strings.Join(out, "\n")
}

// --- R9 invariants on an exported state ---------------------------------

// stView answers R1 questions from an exported state.
type stView struct {
	set    sb.Settings
	recv   map[string]bool
	parent map[string]string // topic → parent
	groups []sb.SkillGroup
	ops    map[string]sb.Operator // loads count wrap-ups (withWrapUps)
	chats  map[string]sb.Chat
}

func newStView(st State) *stView {
	v := &stView{set: st.Config.Settings, recv: map[string]bool{}, parent: map[string]string{}, groups: st.Config.Groups,
		ops: map[string]sb.Operator{}, chats: map[string]sb.Chat{}}
	for _, t := range st.Config.Topics {
		v.parent[t.Alias] = t.Parent
	}
	for _, s := range st.Config.Statuses {
		v.recv[s.ID] = s.CanReceive
	}
	for _, o := range st.Operators {
		v.ops[o.ID] = withWrapUps(o)
	}
	for _, c := range st.Chats {
		v.chats[c.ID] = c
	}
	return v
}

// withWrapUps returns o with its chats in wrap-up counted in Active and
// ActiveByChannel: R1 counts them against its limits.
func withWrapUps(o sb.Operator) sb.Operator {
	if len(o.WrapUp) == 0 {
		return o
	}
	by := maps.Clone(o.ActiveByChannel)
	if by == nil {
		by = map[string]int{}
	}
	for _, w := range o.WrapUp {
		o.Active++
		by[w.Channel]++
	}
	o.ActiveByChannel = by
	return o
}

func (v *stView) serves(op, topic string) bool {
	if topic == "" {
		return true
	}
	for _, g := range v.groups {
		if !g.Active || !slices.Contains(g.Operators, op) {
			continue
		}
		for t := topic; t != ""; t = v.parent[t] { // R1: a group serves the subtopics of its topics
			if slices.Contains(g.Topics, t) {
				return true
			}
		}
	}
	return false
}

// strandedByExclusions reports whether some operator could take c but for
// its exclusions (a status that can receive, c's topic, limits above 0),
// and every such operator is excluded: R7 says that does not last.
func (v *stView) strandedByExclusions(c sb.Chat) bool {
	some := false
	for _, o := range v.ops {
		lim, limited := v.limitOf(o, c.Channel)
		if !v.recv[o.Status] || !v.serves(o.ID, c.Topic) || v.maxOf(o) == 0 || limited && lim == 0 {
			continue
		}
		if !slices.Contains(c.Excluded, o.ID) {
			return false
		}
		some = true
	}
	return some
}

func (v *stView) maxOf(o sb.Operator) int {
	if o.MaxChats != nil {
		return *o.MaxChats
	}
	return v.set.DefaultMaxChats
}

func (v *stView) limitOf(o sb.Operator, ch string) (int, bool) {
	limits := v.set.DefaultChannelLimits
	if o.ChannelLimits != nil {
		limits = o.ChannelLimits
	}
	n, ok := limits[ch]
	return n, ok
}

// static is R1.1, R1.2 and R1.5.
func (v *stView) static(o sb.Operator, c sb.Chat) bool {
	return v.recv[o.Status] && v.serves(o.ID, c.Topic) && !slices.Contains(c.Excluded, o.ID)
}

// room is R1.3 and R1.4 for the given load.
func (v *stView) room(o sb.Operator, ch string, total, onCh int) bool {
	if total >= v.maxOf(o) {
		return false
	}
	if lim, ok := v.limitOf(o, ch); ok && onCh >= lim {
		return false
	}
	return true
}

func (v *stView) eligible(o sb.Operator, c sb.Chat) bool {
	return v.static(o, c) && v.room(o, c.Channel, o.Active, o.ActiveByChannel[c.Channel])
}

// over reports whether o is over its general limit or a channel limit.
func (v *stView) over(o sb.Operator) bool {
	if o.Active > v.maxOf(o) {
		return true
	}
	for ch, n := range o.ActiveByChannel {
		if lim, ok := v.limitOf(o, ch); ok && n > lim {
			return true
		}
	}
	return false
}

// checkInvariantsView checks R9.1 (one status per open chat, one operator
// per active chat, loads that match the chats) and R9.3 (at rest, with
// auto_connect on, no queued chat has an eligible operator).
func checkInvariantsView(v *stView, st State) error {
	seen := map[string]bool{}
	total := map[string]int{}
	byCh := map[string]map[string]int{}
	for _, c := range st.Chats {
		if seen[c.ID] {
			return fmt.Errorf("R9.1: chat %s exported twice", c.ID)
		}
		seen[c.ID] = true
		switch c.Status {
		case sb.ChatNew, sb.ChatQueued:
			if c.OperatorID != "" {
				return fmt.Errorf("R9.1: %s chat %s has operator %q", c.Status, c.ID, c.OperatorID)
			}
		case sb.ChatActive:
			if _, ok := v.ops[c.OperatorID]; !ok {
				return fmt.Errorf("R9.1: active chat %s has unknown operator %q", c.ID, c.OperatorID)
			}
			total[c.OperatorID]++
			if byCh[c.OperatorID] == nil {
				byCh[c.OperatorID] = map[string]int{}
			}
			byCh[c.OperatorID][c.Channel]++
		default:
			return fmt.Errorf("R9.1: open chat %s has status %q", c.ID, c.Status)
		}
	}
	for _, o := range st.Operators {
		if o.Active != total[o.ID] {
			return fmt.Errorf("R9.1: operator %s: active_chats %d, but %d active chats", o.ID, o.Active, total[o.ID])
		}
		for _, ch := range slices.Sorted(maps.Keys(o.ActiveByChannel)) {
			if o.ActiveByChannel[ch] != byCh[o.ID][ch] {
				return fmt.Errorf("R9.1: operator %s: active_by_channel[%s] %d, but %d active chats", o.ID, ch, o.ActiveByChannel[ch], byCh[o.ID][ch])
			}
		}
		for ch, n := range byCh[o.ID] {
			if o.ActiveByChannel[ch] != n {
				return fmt.Errorf("R9.1: operator %s: active_by_channel[%s] %d, but %d active chats", o.ID, ch, o.ActiveByChannel[ch], n)
			}
		}
	}
	if st.Config.Settings.AutoConnect {
		for _, c := range st.Chats {
			if c.Status != sb.ChatQueued {
				continue
			}
			for _, o := range st.Operators {
				if v.eligible(v.ops[o.ID], c) {
					return fmt.Errorf("R9.3: queued chat %s has eligible operator %s at rest", c.ID, o.ID)
				}
			}
			if v.strandedByExclusions(c) {
				return fmt.Errorf("R7: queued chat %s waits at rest only because every operator who could take it is excluded %v", c.ID, c.Excluded)
			}
		}
	}
	return nil
}

// checkLimits checks R9.2: auto-distribution never puts an operator over a
// limit. overOK holds the operators allowed over a limit: put there by a
// forced assign or an assigned connect, or whose limits were changed; an
// operator leaves it once within its limits.
func checkLimits(v *stView, cmd Command, res Result, overOK map[string]bool) error {
	exempt := map[string]bool{}
	switch c := cmd.(type) {
	case UpdateSettings, PatchSettings:
		for id := range v.ops {
			exempt[id] = true
		}
	case UpdateOperator:
		exempt[c.Operator.ID] = true
	case PatchOperator:
		exempt[c.ID] = true
	case Assign:
		exempt[c.OperatorID] = c.Force
	case Connect:
		exempt[c.Operator] = !c.AutoConnect
	}
	for _, d := range res.Decisions {
		if (d.Kind == sb.DecisionAssign || d.Kind == sb.DecisionTransfer) && slices.Contains(d.Anomalies, sb.AnomalyForcedOverLimit) {
			exempt[d.OperatorID] = true
		}
	}
	for _, id := range slices.Sorted(maps.Keys(v.ops)) {
		o := v.ops[id]
		switch {
		case !v.over(o):
			delete(overOK, id)
		case exempt[id]:
			overOK[id] = true
		case !overOK[id]:
			return fmt.Errorf("R9.2: operator %s is over a limit (active %d, by channel %v) without a forced assignment", id, o.Active, o.ActiveByChannel)
		}
	}
	for _, d := range res.Decisions {
		o, ok1 := v.ops[d.OperatorID]
		c, ok2 := v.chats[d.ChatID]
		if d.Kind != sb.DecisionAuto || exempt[o.ID] || !ok1 || !ok2 {
			continue
		}
		lim, limited := v.limitOf(o, c.Channel)
		if o.Active > v.maxOf(o) || limited && o.ActiveByChannel[c.Channel] > lim {
			return fmt.Errorf("R9.2: auto_connect of chat %s left operator %s over a limit", d.ChatID, o.ID)
		}
	}
	return nil
}

// r3Before reports whether a is before b in R3 order (a chat that never
// waited counts from its creation).
func r3Before(a, b sb.Chat) bool {
	qa, qb := a.QueuedAt, b.QueuedAt
	if qa.IsZero() {
		qa = a.CreatedAt
	}
	if qb.IsZero() {
		qb = b.CreatedAt
	}
	switch {
	case a.Weight != b.Weight:
		return a.Weight > b.Weight
	case !qa.Equal(qb):
		return qa.Before(qb)
	}
	return nvChatNum(a.ID) < nvChatNum(b.ID)
}

// checkOrder checks R9.4 for the auto_connect decisions of one step: when
// chat c went to operator x, no chat that waited in the queue through the
// whole step and comes before c in R3 order had x eligible. x's load at the
// decision is bounded from above by its load before the step plus the chats
// it got before the decision, and, when x freed no chat in the step, by its
// load after the step less the chats it got from the decision on. x must be
// eligible under both the configuration before and after the step.
func checkOrder(prev, cur State, cv *stView, cmd Command, res Result) error {
	if !slices.ContainsFunc(res.Decisions, func(d sb.Decision) bool { return d.Kind == sb.DecisionAuto }) {
		return nil
	}
	pv := newStView(prev)
	touched := map[string]int{}
	for _, d := range res.Decisions {
		if d.Kind != sb.DecisionQueue {
			touched[d.ChatID]++
		}
	}
	if t, ok := cmd.(Transfer); ok {
		touched[t.ChatID] += 2
	}
	chatOf := func(id string) (sb.Chat, bool) {
		if c, ok := cv.chats[id]; ok {
			return c, true
		}
		c, ok := pv.chats[id]
		return c, ok
	}
	gets := func(d sb.Decision, x string) bool {
		return d.OperatorID == x && (d.Kind == sb.DecisionAuto || d.Kind == sb.DecisionTake || d.Kind == sb.DecisionAssign || d.Kind == sb.DecisionTransfer)
	}
	for i, d := range res.Decisions {
		if d.Kind != sb.DecisionAuto || touched[d.ChatID] != 1 {
			continue
		}
		x := d.OperatorID
		po, ok1 := pv.ops[x]
		co, ok2 := cv.ops[x]
		c, ok3 := chatOf(d.ChatID)
		if !ok1 || !ok2 || !ok3 {
			continue
		}
		before := map[string]int{"": po.Active}
		for ch, n := range po.ActiveByChannel {
			before[ch] = n
		}
		known := true
		for _, d2 := range res.Decisions[:i] {
			if gets(d2, x) {
				c2, ok := chatOf(d2.ChatID)
				known = known && ok
				before[""]++
				before[c2.Channel]++
			}
		}
		if !known {
			continue
		}
		var after map[string]int
		if !freedIn(prev, cv, res, x) {
			after = map[string]int{"": co.Active}
			for ch, n := range co.ActiveByChannel {
				after[ch] = n
			}
			for _, d2 := range res.Decisions[i:] {
				if gets(d2, x) {
					after[""]--
					after[cv.chats[d2.ChatID].Channel]--
				}
			}
		}
		bound := func(ch string) int {
			if after != nil {
				return min(before[ch], after[ch])
			}
			return before[ch]
		}
		for _, q := range cur.Chats {
			pq, ok := pv.chats[q.ID]
			if q.Status != sb.ChatQueued || !ok || pq.Status != sb.ChatQueued || touched[q.ID] != 0 || !r3Before(q, c) {
				continue
			}
			total, onCh := bound(""), bound(q.Channel)
			// Each state judges the chat as it was then: R7's lapse may have
			// cleared its exclusions during the step.
			if pv.static(po, pq) && cv.static(co, q) &&
				pv.room(po, q.Channel, total, onCh) && cv.room(co, q.Channel, total, onCh) {
				return fmt.Errorf("R9.4: chat %s went to %s while the earlier chat %s waited with %s eligible", c.ID, x, q.ID, x)
			}
		}
	}
	return nil
}

// checkChanges checks the part of R9.5 the engine owns: Result.Changes, what
// the store writes, holds every chat and operator the step changed, as they
// stand after it (queue positions aside), and flags configuration changes.
func checkChanges(prev, cur State, res Result) error {
	changed := map[string]sb.Chat{}
	for _, c := range res.Changes.Chats {
		changed[c.ID] = c
	}
	before := map[string]sb.Chat{}
	for _, c := range prev.Chats {
		before[c.ID] = c
	}
	same := sameChat
	for _, c := range cur.Chats {
		got, ok := changed[c.ID]
		p, had := before[c.ID]
		delete(before, c.ID)
		if ok && !same(got, c) {
			return fmt.Errorf("R9.5: Changes has chat %s as\n%+v\nbut it is\n%+v", c.ID, got, c)
		}
		if !ok && (!had || !same(p, c)) {
			return fmt.Errorf("R9.5: chat %s changed but is not in Changes:\nbefore %+v\nafter  %+v", c.ID, p, c)
		}
	}
	for id := range before {
		if got, ok := changed[id]; !ok || got.Status != sb.ChatClosed {
			return fmt.Errorf("R9.5: chat %s was closed, but Changes does not have it closed", id)
		}
	}
	sameOp := sameOperator
	opsChanged := map[string]sb.Operator{}
	for _, o := range res.Changes.Operators {
		opsChanged[o.ID] = o
	}
	opsBefore := map[string]sb.Operator{}
	for _, o := range prev.Operators {
		opsBefore[o.ID] = o
	}
	for _, o := range cur.Operators {
		got, ok := opsChanged[o.ID]
		p, had := opsBefore[o.ID]
		delete(opsBefore, o.ID)
		if ok && !sameOp(got, o) {
			return fmt.Errorf("R9.5: Changes has operator %s as\n%+v\nbut it is\n%+v", o.ID, got, o)
		}
		if !ok && (!had || !sameOp(p, o)) {
			return fmt.Errorf("R9.5: operator %s changed but is not in Changes:\nbefore %+v\nafter  %+v", o.ID, p, o)
		}
	}
	for id := range opsBefore {
		if !slices.Contains(res.Changes.DeletedOperators, id) {
			return fmt.Errorf("R9.5: operator %s was deleted, but Changes does not say so", id)
		}
	}
	if !res.Changes.Config && !reflect.DeepEqual(prev.Config, cur.Config) {
		return fmt.Errorf("R9.5: the configuration changed, but Changes.Config is false")
	}
	return nil
}

// sameChat compares every field of two chats but the queue position.
func sameChat(a, b sb.Chat) bool {
	return a.ID == b.ID && a.Status == b.Status && a.OperatorID == b.OperatorID && a.Channel == b.Channel &&
		a.Client == b.Client && a.Topic == b.Topic && slices.Equal(a.Tags, b.Tags) && a.Weight == b.Weight &&
		a.Text == b.Text && a.WebhookURL == b.WebhookURL && a.Overdue == b.Overdue &&
		a.CreatedAt.Equal(b.CreatedAt) && a.QueuedAt.Equal(b.QueuedAt) && a.WaitStartedAt.Equal(b.WaitStartedAt) &&
		a.AssignedAt.Equal(b.AssignedAt) && a.AcceptedAt.Equal(b.AcceptedAt) &&
		a.FirstResponseAt.Equal(b.FirstResponseAt) && a.ClosedAt.Equal(b.ClosedAt) && a.ClosedBy == b.ClosedBy &&
		a.CloseComment == b.CloseComment && a.AutoAssigned == b.AutoAssigned && slices.Equal(a.Excluded, b.Excluded) &&
		a.LastMessageAt.Equal(b.LastMessageAt) && a.AwaitingSince.Equal(b.AwaitingSince) && a.Requeues == b.Requeues &&
		sameOffer(a.Offer, b.Offer)
}

func sameOffer(a, b *sb.TransferOffer) bool {
	return a == nil && b == nil || a != nil && b != nil && a.From == b.From && a.To == b.To && a.Note == b.Note &&
		a.Force == b.Force && a.OfferedAt.Equal(b.OfferedAt) && a.ExpiresAt.Equal(b.ExpiresAt)
}

// sameOperator compares every field of two operators; zero loads count as
// absent.
func sameOperator(a, b sb.Operator) bool {
	load := func(o sb.Operator) map[string]int {
		by := map[string]int{}
		for ch, n := range o.ActiveByChannel {
			if n != 0 {
				by[ch] = n
			}
		}
		return by
	}
	return a.ID == b.ID && a.Name == b.Name && a.Email == b.Email && a.Role == b.Role &&
		(a.MaxChats == nil) == (b.MaxChats == nil) && (a.MaxChats == nil || *a.MaxChats == *b.MaxChats) &&
		(a.ChannelLimits == nil) == (b.ChannelLimits == nil) && maps.Equal(a.ChannelLimits, b.ChannelLimits) &&
		a.Status == b.Status && a.StatusSince.Equal(b.StatusSince) && a.Connected == b.Connected &&
		a.PresenceLostAt.Equal(b.PresenceLostAt) && a.MissedInRow == b.MissedInRow && a.CreatedAt.Equal(b.CreatedAt) &&
		a.Active == b.Active && maps.Equal(load(a), load(b)) && a.LastAssignedAt.Equal(b.LastAssignedAt) &&
		a.LastClosedAt.Equal(b.LastClosedAt) && a.AssignSeq == b.AssignSeq && a.CloseSeq == b.CloseSeq &&
		slices.EqualFunc(a.WrapUp, b.WrapUp, func(x, y sb.WrapUp) bool {
			return x.ChatID == y.ChatID && x.Channel == y.Channel && x.Until.Equal(y.Until)
		})
}

// freedIn reports whether operator x lost a chat or a wrap-up during the
// step.
func freedIn(prev State, cv *stView, res Result, x string) bool {
	held := map[string]bool{}
	for _, o := range prev.Operators {
		for _, w := range o.WrapUp {
			if o.ID == x && !slices.ContainsFunc(cv.ops[x].WrapUp, func(y sb.WrapUp) bool { return y.ChatID == w.ChatID }) {
				return true
			}
		}
	}
	for _, c := range prev.Chats {
		if c.Status == sb.ChatActive && c.OperatorID == x {
			held[c.ID] = true
		}
	}
	for _, d := range res.Decisions {
		if d.OperatorID == x {
			if d.Kind == sb.DecisionRequeue {
				return true
			}
			held[d.ChatID] = true
		}
	}
	for id := range held {
		if c, ok := cv.chats[id]; !ok || c.Status != sb.ChatActive || c.OperatorID != x {
			return true
		}
	}
	return false
}

// TestNaiveInvariants runs the generator against the model alone and checks
// the same R9 invariants on the model's state: it keeps the model and the
// checks honest independently of the engine.
func TestNaiveInvariants(t *testing.T) {
	t.Parallel()
	steps := 10000
	if testing.Short() {
		steps = 2000
	}
	for seed := uint64(1); seed <= 3; seed++ {
		g, m := newGenSeed(seed*1000), newNaive(genStart)
		prev, overOK := m.state(), map[string]bool{}
		var recent []string
		for i := 0; i < steps; i++ {
			now, cmd := g.next(m)
			recent = append(recent, genString(now, cmd))
			if len(recent) > 10 {
				recent = recent[1:]
			}
			res, _ := m.Apply(now, cmd)
			st := m.state()
			if err := checkStep(prev, st, cmd, res, overOK); err != nil {
				t.Fatalf("seed=%d step=%d: %v\n%s", seed*1000, i, err, strings.Join(recent, "\n"))
			}
			prev = st
		}
	}
}

// TestExportRebuild checks that Import(Export()) rebuilds an engine that
// makes the same decisions: at several points of a generated stream the
// state is exported (once through JSON), imported, and the next commands are
// applied to both engines with identical results and exports. It runs
// 9,000 steps with five rebuilds; -short, 3,600 with the first three.
func TestExportRebuild(t *testing.T) {
	t.Parallel()
	steps := 9000
	if testing.Short() {
		steps = 3600
	}
	runExportRebuild(t, 4242, steps)
}

func runExportRebuild(t *testing.T, seed uint64, steps int) {
	const window = 500
	g, m, e := newGenSeed(seed), newNaive(genStart), New(genStart)
	points := map[int]bool{200: true, 1300: true, 3100: true, 5200: true, 7700: true}
	var e2 *Engine
	var recent []string
	viaJSON := true
	for i := 0; i < steps; i++ {
		if points[i] {
			st := e.Export()
			in := st
			if viaJSON {
				b, err := json.Marshal(st)
				if err != nil {
					t.Fatal(err)
				}
				in = State{}
				if err := json.Unmarshal(b, &in); err != nil {
					t.Fatal(err)
				}
			}
			var err error
			e2, err = Import(in)
			if err != nil {
				t.Fatalf("step %d: Import: %v", i, err)
			}
			if a, b := exportJSON(t, e, true), exportJSON(t, e2, true); a != b {
				t.Fatalf("step %d (json=%v): Import(Export()).Export() differs:\n%s", i, viaJSON, firstDiff(a, b))
			}
			viaJSON = !viaJSON
		}
		now, cmd := g.next(m)
		recent = append(recent, genString(now, cmd))
		if len(recent) > 10 {
			recent = recent[1:]
		}
		_, _ = m.Apply(now, cmd) // the model only keeps the generator's view in step
		res, err := e.Apply(now, cmd)
		if e2 == nil {
			continue
		}
		res2, err2 := e2.Apply(now, cmd)
		if a, b := resultJSON(t, res, err), resultJSON(t, res2, err2); a != b {
			t.Fatalf("step %d: the imported engine answered differently:\n%s\nlast commands:\n%s", i, firstDiff(a, b), strings.Join(recent, "\n"))
		}
		full := i%250 == 0 || points[i-window]
		if a, b := exportJSON(t, e, full), exportJSON(t, e2, full); a != b {
			t.Fatalf("step %d: the imported engine's state differs:\n%s\nlast commands:\n%s", i, firstDiff(a, b), strings.Join(recent, "\n"))
		}
		if points[i-window] {
			e2 = nil
		}
	}
}

// exportJSON is the engine's export as indented JSON, decision durations
// zeroed; without full, the closed chats and the audit are left out.
func exportJSON(t *testing.T, e *Engine, full bool) string {
	st := e.Export()
	st.Audit = zeroDurations(st.Audit)
	if !full {
		st.Closed, st.Audit = nil, nil
	}
	b, err := json.MarshalIndent(st, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func resultJSON(t *testing.T, res Result, err error) string {
	res.Decisions = zeroDurations(res.Decisions)
	b, jerr := json.MarshalIndent(struct {
		Res Result
		Err string
	}{res, sb.ErrorCode(err) + " " + sb.ErrorField(err)}, "", " ")
	if jerr != nil {
		t.Fatal(jerr)
	}
	return string(b)
}

func zeroDurations(ds []sb.Decision) []sb.Decision {
	ds = slices.Clone(ds)
	for i := range ds {
		ds[i].DurationNs = 0
	}
	return ds
}
