package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// Principal is who makes a request: the role of its credential, the
// operator it acts for (empty for a token bound to nobody) and the token.
type Principal struct {
	Role       string
	OperatorID string
	TokenID    string
}

// Session is a panel sign-in: its token and the secrets the browser keeps
// (the session cookie and the CSRF value).
type Session struct {
	Token  sb.Token
	Name   string
	Secret string
	CSRF   string
}

// DefaultSessionTTL is how long a panel sign-in lasts unless configured.
const DefaultSessionTTL = 12 * time.Hour

// sessionPrefix starts the id of every panel session's token.
const sessionPrefix = "ses_"

// IsSession reports whether a token is a panel session's.
func IsSession(t sb.Token) bool { return strings.HasPrefix(t.ID, sessionPrefix) }

// HashToken returns the stored form of a token secret.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewSecret returns a random secret with a prefix.
func NewSecret(prefix string) string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// access keeps tokens by hash, so that authentication costs no database
// read.
type access struct {
	mu     sync.Mutex
	tokens map[string]sb.Token
}

func (a *access) get(hash string) (sb.Token, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	t, ok := a.tokens[hash]
	return t, ok
}

func (a *access) put(t sb.Token) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tokens == nil {
		a.tokens = map[string]sb.Token{}
	}
	a.tokens[t.Hash] = t
}

// forget drops the tokens keep says no to.
func (a *access) forget(keep func(sb.Token) bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, t := range a.tokens {
		if !keep(t) {
			delete(a.tokens, k)
		}
	}
}

// ForgetTokens empties the token cache, so that each token is looked up
// again: another instance sharing the database deleted a token.
func (s *Server) ForgetTokens() { s.access.forget(func(sb.Token) bool { return false }) }

// Authenticate returns who a token or session secret belongs to
// (EUNAUTHORIZED for an unknown secret, an expired session, or a token
// whose operator is gone). A session always has its operator's current
// role.
func (s *Server) Authenticate(ctx context.Context, secret string) (Principal, error) {
	hash := HashToken(secret)
	t, ok := s.access.get(hash)
	if !ok {
		var err error
		if t, err = s.Store.TokenByHash(ctx, hash); err != nil {
			if sb.ErrorCode(err) == sb.ENOTFOUND {
				return Principal{}, sb.Errorf(sb.EUNAUTHORIZED, "", "unknown token")
			}
			return Principal{}, err
		}
		s.access.put(t)
	}
	p := Principal{Role: t.Role, OperatorID: t.OperatorID, TokenID: t.ID}
	if t.OperatorID == "" {
		return p, nil
	}
	var (
		o    sb.Operator
		live bool
	)
	s.View(func(e *routing.Engine) { o, live = e.Operator(t.OperatorID) })
	if !live {
		return Principal{}, sb.Errorf(sb.EUNAUTHORIZED, "", "the token's operator no longer exists")
	}
	if IsSession(t) {
		if time.Since(t.CreatedAt) > s.sessionTTL() {
			return Principal{}, sb.Errorf(sb.EUNAUTHORIZED, "", "the session expired; sign in again")
		}
		p.Role = o.Role
	}
	return p, nil
}

func (s *Server) sessionTTL() time.Duration {
	if s.SessionTTL > 0 {
		return s.SessionTTL
	}
	return DefaultSessionTTL
}

// PasswordCost is the bcrypt cost of the operators' password hashes. Tests
// lower it (bcrypt.MinCost) before they start a server: at the default a
// hash took 3.5-4 s under the race detector on a loaded 2-core machine
// (0.2-0.4 s without).
var PasswordCost = bcrypt.DefaultCost

// unknownHash is what SignIn compares a password with when the email is
// unknown: a hash of PasswordCost, so that it costs what a known one does.
var unknownHash = sync.OnceValue(func() string {
	h, err := bcrypt.GenerateFromPassword([]byte("no operator has this password"), PasswordCost)
	if err != nil {
		panic(err) // only for a cost out of range
	}
	return string(h)
})

// SignIn checks an email and a password and starts a panel session
// (EUNAUTHORIZED, field password, for a wrong pair). Failures are
// throttled per address (addr, the client's) and per account: past a few,
// ETOOMANY with a RetryAfter.
func (s *Server) SignIn(ctx context.Context, email, password, addr string) (Session, error) {
	keys, now := signInKeys(email, addr), time.Now()
	if wait := s.signIn.locked(keys, now); wait > 0 {
		return Session{}, tooMany(wait)
	}
	var (
		o     sb.Operator
		found bool
	)
	s.View(func(e *routing.Engine) {
		for _, x := range e.Operators() {
			if x.Email != "" && strings.EqualFold(x.Email, email) {
				o, found = x, true
			}
		}
	})
	hash := unknownHash()
	if found {
		if stored, err := s.Store.PasswordHash(ctx, o.ID); err == nil {
			hash = stored
		}
	}
	var wrong bool
	if err := s.signIn.bcrypt(ctx, func() { wrong = bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil }); err != nil {
		return Session{}, err
	}
	if wrong || !found {
		s.signIn.failed(keys, now)
		s.Log.Warn("sign-in failed", "email", email, "address", addr)
		if s.metrics != nil {
			s.metrics.signInFailures.Inc()
		}
		return Session{}, sb.Errorf(sb.EUNAUTHORIZED, "password", "wrong email or password")
	}
	s.signIn.succeeded(keys)
	ses := Session{Name: o.Name, Secret: NewSecret("sbs_")}
	ses.CSRF = CSRFToken(ses.Secret)
	ses.Token = sb.Token{ID: NewSecret(sessionPrefix)[:16], Hash: HashToken(ses.Secret), Role: o.Role, OperatorID: o.ID, CreatedAt: time.Now().UTC()}
	if err := s.addToken(ctx, ses.Token); err != nil {
		return Session{}, err
	}
	return ses, nil
}

// CreateToken makes an API token of a role, bound to an operator when
// operatorID is set (which an operator token needs), and returns it with
// its secret, shown only now.
func (s *Server) CreateToken(ctx context.Context, role, operatorID string) (sb.Token, string, error) {
	switch role {
	case sb.RoleAdmin, sb.RoleSupervisor, sb.RoleOperator, sb.RoleIntegrator:
	default:
		return sb.Token{}, "", sb.Errorf(sb.EINVALID, "role", "role must be admin, supervisor, operator or integrator")
	}
	if role == sb.RoleOperator && operatorID == "" {
		return sb.Token{}, "", sb.Errorf(sb.EINVALID, "operator_id", "operator_id must name an operator")
	}
	secret := NewSecret("sbt_")
	t := sb.Token{ID: NewSecret("tok_")[:16], Hash: HashToken(secret), Role: role, OperatorID: operatorID, CreatedAt: time.Now().UTC()}
	return t, secret, s.addToken(ctx, t)
}

// addToken stores a token through the writer; its operator must exist.
func (s *Server) addToken(ctx context.Context, t sb.Token) error {
	return s.write(ctx, &request{
		side: func(e *routing.Engine, b *sb.Batch) error {
			if _, ok := e.Operator(t.OperatorID); t.OperatorID != "" && !ok {
				return sb.Errorf(sb.EINVALID, "operator_id", "operator_id must name an operator")
			}
			b.Tokens = append(b.Tokens, t)
			return nil
		},
		after: func() { s.access.put(t) },
	})
}

// Tokens lists the API tokens (sessions: true, the panel sessions that
// have not expired) by creation.
func (s *Server) Tokens(ctx context.Context, sessions bool) ([]sb.Token, error) {
	ts, err := s.Store.Tokens(ctx)
	out := []sb.Token{}
	for _, t := range ts {
		if IsSession(t) == sessions && (!sessions || time.Since(t.CreatedAt) <= s.sessionTTL()) {
			out = append(out, t)
		}
	}
	return out, err
}

// purgeSessions deletes the panel sessions that expired; the writer runs
// it at start and every purgeEvery.
func (s *Server) purgeSessions(ctx context.Context) {
	ts, err := s.Store.Tokens(ctx)
	if err != nil {
		s.Log.Warn("purge expired sessions", "err", err)
		return
	}
	var gone []string
	for _, t := range ts {
		if IsSession(t) && time.Since(t.CreatedAt) > s.sessionTTL() {
			gone = append(gone, t.ID)
		}
	}
	if len(gone) == 0 {
		return
	}
	r := &request{done: make(chan struct{}), side: func(_ *routing.Engine, b *sb.Batch) error {
		b.DeletedTokens = append(b.DeletedTokens, gone...)
		return nil
	}, after: func() { s.access.forget(func(t sb.Token) bool { return !slices.Contains(gone, t.ID) }) }}
	s.apply(ctx, []*request{r})
}

// purgeEvery is how often expired panel sessions are deleted.
const purgeEvery = 10 * time.Minute

// DeleteToken deletes a token (ENOTFOUND for an unknown id); it stops
// working at once.
func (s *Server) DeleteToken(ctx context.Context, id string) error {
	ts, err := s.Store.Tokens(ctx) // sessions too: an admin may end one
	if err != nil {
		return err
	}
	known := false
	for _, t := range ts {
		known = known || t.ID == id
	}
	if !known {
		return sb.Errorf(sb.ENOTFOUND, "id", "token %q not found", id)
	}
	return s.dropToken(ctx, id)
}

// SignOut ends the session of a principal.
func (s *Server) SignOut(ctx context.Context, p Principal) error { return s.dropToken(ctx, p.TokenID) }

func (s *Server) dropToken(ctx context.Context, id string) error {
	return s.write(ctx, &request{
		side: func(_ *routing.Engine, b *sb.Batch) error {
			b.DeletedTokens = append(b.DeletedTokens, id)
			return nil
		},
		after: func() { s.access.forget(func(t sb.Token) bool { return t.ID != id }) },
	})
}

// CSRFToken is the CSRF value of a panel session: derived from its secret,
// so that it is bound to the session (a value a cross-site page planted in
// the CSRF cookie matches no session).
func CSRFToken(sessionSecret string) string {
	m := hmac.New(sha256.New, []byte(sessionSecret))
	m.Write([]byte("switchboard csrf"))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// HashPassword checks a new password and returns its bcrypt hash. It runs
// before the write: bcrypt takes tens of milliseconds.
func HashPassword(password string) (string, error) {
	if len(password) < 8 || len(password) > 72 {
		return "", sb.Errorf(sb.EINVALID, "password", "password must have 8 to 72 characters")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), PasswordCost)
	return string(hash), err
}

// withPassword is a side write of an operator's password hash (none when
// hash is "").
func withPassword(opID, hash string) func(*routing.Engine, *sb.Batch) error {
	if hash == "" {
		return nil
	}
	return func(_ *routing.Engine, b *sb.Batch) error {
		b.Passwords = append(b.Passwords, sb.Password{OperatorID: opID, Hash: hash})
		return nil
	}
}

// CreateOperator creates an operator, with its password when one is given,
// in one commit.
func (s *Server) CreateOperator(ctx context.Context, o sb.Operator, password *string) (routing.Result, error) {
	hash, err := optionalHash(password)
	if err != nil {
		return routing.Result{}, err
	}
	return s.DoWith(ctx, routing.CreateOperator{Operator: o}, withPassword(o.ID, hash))
}

// PatchOperator changes an operator, and its password when one is given,
// in one commit.
func (s *Server) PatchOperator(ctx context.Context, p routing.PatchOperator, password *string) (routing.Result, error) {
	hash, err := optionalHash(password)
	if err != nil {
		return routing.Result{}, err
	}
	return s.DoWith(ctx, p, withPassword(p.ID, hash))
}

func optionalHash(password *string) (string, error) {
	if password == nil {
		return "", nil
	}
	return HashPassword(*password)
}
