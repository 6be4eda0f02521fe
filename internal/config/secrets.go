package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/lazyre"
	"github.com/mcpwarden/mcpwarden/internal/secrets"
	"github.com/mcpwarden/mcpwarden/internal/secretstore"
	"go.yaml.in/yaml/v3"
)

// Secrets backends (docs/credentials.md).
const (
	SecretsFile  = "file"  // the local encrypted store (default)
	SecretsEnv   = "env"   // MCPWARDEN_SECRET_<NAME> variables, only when chosen
	SecretsVault = "vault" // Vault KV v2
)

// Secrets configures where secret://NAME values are read from. Paths are
// absolute or "" for the defaults in the state directory (filled by app).
type Secrets struct {
	Backend    string
	File       string // encrypted store file
	KeyFile    string // its key
	KeyFromEnv bool   // take the key from MCPWARDEN_SECRETS_KEY instead
	Vault      *Vault // backend: vault
}

// Vault is the Vault KV v2 backend: secret://NAME reads the field Field of
// MOUNT/PREFIX/NAME, with a token from TokenFile or an AppRole login.
type Vault struct {
	VaultLogin
	Mount  string
	Prefix string
	Field  string
}

// VaultLogin is how the gateway reaches and logs in to Vault: a token from
// TokenFile, an AppRole login with RoleID and the secret id in
// SecretIDFile, or a JWT/OIDC login as JWTRole with the JWT in JWTFile
// (at the auth mount JWTMount, default jwt). Shared by secrets.vault and
// credentials.vault.
type VaultLogin struct {
	Address      string
	TokenFile    string
	RoleID       string
	SecretIDFile string
	JWTRole      string
	JWTFile      string
	JWTMount     string
	CAFile       string
}

// Credentials are just-in-time downstream credentials minted per child,
// by exactly one broker.
type Credentials struct {
	Postgres *PostgresCredentials
	Vault    *VaultCredentials
}

// VaultCredentials read a dynamic secret (MOUNT/creds/ROLE, the database
// secrets engine) per stdio child or HTTP upstream connection, renew its
// lease while the child or connection lives and revoke it when it ends.
// Env (stdio) maps each variable of the child to "username", "password",
// or a template using {{username}} and {{password}} (substituted
// URL-escaped, for a DSN); Headers (url servers) maps each header of the
// connection's requests the same way, substituted as they are. Address
// and login are as for secrets.vault.
type VaultCredentials struct {
	VaultLogin
	Mount   string
	Role    string
	Env     map[string]string
	Headers map[string]string
	TTL     time.Duration // the increment asked for at each renewal
}

// PostgresCredentials mint one login role per stdio child, member of
// Template, valid for TTL (renewed while the child lives) and dropped when
// it ends; the child gets the role's DSN in its environment as Env.
type PostgresCredentials struct {
	AdminDSN        string // secret://NAME, or a DSN without a password
	Template        string
	Database        string // "" = the admin DSN's database
	TTL             time.Duration
	Env             string
	ConnectionLimit int
	// Effects: each call's statements and rows, read from the database's
	// pg_stat_statements, go into its audit record (docs/audit.md
	// "Downstream effects"). On by default; off when the extension is
	// unusable (logged once).
	Effects bool
}

// Postgres credential defaults and limits.
const (
	DefaultCredentialTTL   = 10 * time.Minute
	MinCredentialTTL       = time.Minute
	MaxCredentialTTL       = 15 * time.Minute
	DefaultCredentialEnv   = "DATABASE_URL"
	DefaultConnectionLimit = 5
	MaxConnectionLimit     = 100
)

var (
	secretsKeys     = []string{"backend", "file", "key_file", "key_from_env", "vault"}
	vaultKeys       = []string{"address", "mount", "prefix", "field", "token_file", "role_id", "secret_id_file", "jwt_role", "jwt_file", "jwt_mount", "ca_file"}
	credentialsKeys = []string{"postgres", "vault"}
	vaultCredKeys   = []string{"address", "token_file", "role_id", "secret_id_file", "jwt_role", "jwt_file", "jwt_mount", "ca_file", "mount", "role", "env", "headers", "ttl"}
	vaultFieldRe    = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)
	postgresKeys    = []string{"admin_dsn", "template", "database", "ttl", "env", "connection_limit", "effects"}
	pgIdentRe       = lazyre.New(`^[A-Za-z_][A-Za-z0-9_$-]{0,62}$`)
)

func (d *decoder) secretsConfig(path string, raw *yaml.Node, s *Secrets) {
	es, ok := d.mapping(path, raw)
	if !ok {
		return
	}
	for _, e := range es {
		p := joinKey(path, e.name)
		if !slices.Contains(secretsKeys, e.name) {
			d.unknown(p, e, secretsKeys)
			continue
		}
		v := d.field(p, e)
		if v == nil {
			continue
		}
		switch e.name {
		case "backend":
			s.Backend, _ = d.str(p, v)
		case "file":
			if f, ok := d.str(p, v); ok {
				s.File = d.relative(f)
			}
		case "key_file":
			if f, ok := d.str(p, v); ok {
				s.KeyFile = d.relative(f)
			}
		case "vault":
			d.vault(p, v, s)
		case "key_from_env":
			if n := resolve(v); n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
				s.KeyFromEnv = strings.EqualFold(n.Value, "true") || strings.EqualFold(n.Value, "yes") || strings.EqualFold(n.Value, "on")
			} else {
				d.errorf(v, p, "expected true or false, got %s", describe(v))
			}
		}
	}
}

func (d *decoder) vault(path string, raw *yaml.Node, s *Secrets) {
	es, ok := d.mapping(path, raw)
	if !ok {
		return
	}
	vc := &Vault{Mount: "secret", Prefix: "mcpwarden", Field: "value"}
	s.Vault = vc
	for _, e := range es {
		p := joinKey(path, e.name)
		if !slices.Contains(vaultKeys, e.name) {
			d.unknown(p, e, vaultKeys)
			continue
		}
		v := d.field(p, e)
		if v == nil {
			continue
		}
		str, ok := d.str(p, v)
		if !ok {
			continue
		}
		switch e.name {
		case "mount":
			vc.Mount = str
		case "prefix":
			vc.Prefix = str
		case "field":
			vc.Field = str
		default:
			d.vaultLogin(e.name, str, &vc.VaultLogin)
		}
	}
}

// vaultLogin sets the VaultLogin field a key names (files relative to the
// config file); other keys are left to the caller.
func (d *decoder) vaultLogin(key, str string, l *VaultLogin) {
	switch key {
	case "address":
		l.Address = str
	case "role_id":
		l.RoleID = str
	case "token_file":
		l.TokenFile = d.relative(str)
	case "secret_id_file":
		l.SecretIDFile = d.relative(str)
	case "jwt_role":
		l.JWTRole = str
	case "jwt_file":
		l.JWTFile = d.relative(str)
	case "jwt_mount":
		l.JWTMount = str
	case "ca_file":
		l.CAFile = d.relative(str)
	}
}

func (d *decoder) credentials(path string, raw *yaml.Node, c *Credentials) {
	es, ok := d.mapping(path, raw)
	if !ok {
		return
	}
	for _, e := range es {
		p := joinKey(path, e.name)
		if !slices.Contains(credentialsKeys, e.name) {
			d.unknown(p, e, credentialsKeys)
			continue
		}
		v := d.field(p, e)
		if v == nil {
			continue
		}
		if e.name == "vault" {
			d.vaultCredentials(p, v, c)
			continue
		}
		pg := &PostgresCredentials{TTL: DefaultCredentialTTL, Env: DefaultCredentialEnv, ConnectionLimit: DefaultConnectionLimit, Effects: true}
		c.Postgres = pg
		pes, ok := d.mapping(p, v)
		if !ok {
			continue
		}
		for _, pe := range pes {
			pp := joinKey(p, pe.name)
			if !slices.Contains(postgresKeys, pe.name) {
				d.unknown(pp, pe, postgresKeys)
				continue
			}
			pv := d.field(pp, pe)
			if pv == nil {
				continue
			}
			switch pe.name {
			case "admin_dsn":
				pg.AdminDSN, _ = d.str(pp, pv)
			case "template":
				pg.Template, _ = d.str(pp, pv)
			case "database":
				pg.Database, _ = d.str(pp, pv)
			case "env":
				pg.Env, _ = d.str(pp, pv)
			case "ttl":
				pg.TTL, _ = d.duration(pp, pv)
			case "connection_limit":
				pg.ConnectionLimit, _ = d.integer(pp, pv)
			case "effects":
				if b, ok := d.boolean(pp, pv); ok {
					pg.Effects = b
				}
			}
		}
	}
}

func (d *decoder) vaultCredentials(path string, raw *yaml.Node, c *Credentials) {
	es, ok := d.mapping(path, raw)
	if !ok {
		return
	}
	vc := &VaultCredentials{Mount: "database", TTL: DefaultCredentialTTL}
	c.Vault = vc
	for _, e := range es {
		p := joinKey(path, e.name)
		if !slices.Contains(vaultCredKeys, e.name) {
			d.unknown(p, e, vaultCredKeys)
			continue
		}
		v := d.field(p, e)
		if v == nil {
			continue
		}
		switch e.name {
		case "env":
			vc.Env, _ = d.strMap(p, v, false)
			continue
		case "headers":
			vc.Headers, _ = d.strMap(p, v, false)
			continue
		case "ttl":
			vc.TTL, _ = d.duration(p, v)
			continue
		}
		str, ok := d.str(p, v)
		if !ok {
			continue
		}
		switch e.name {
		case "mount":
			vc.Mount = str
		case "role":
			vc.Role = str
		default:
			d.vaultLogin(e.name, str, &vc.VaultLogin)
		}
	}
}

func (s *Secrets) validate(v *validator) {
	if s.Backend != "" {
		checkEnum(v, "secrets.backend", s.Backend, SecretsFile, SecretsEnv, SecretsVault)
	}
	switch {
	case s.Backend == SecretsVault && s.Vault == nil:
		v.addf("secrets.vault", "is required with backend: vault (address, and token_file, role_id with secret_id_file, or jwt_role with jwt_file)")
	case s.Backend != SecretsVault && s.Vault != nil:
		v.addf("secrets.vault", "only used with backend: vault")
	case s.Vault != nil:
		s.Vault.validate(v)
	}
	for key, p := range map[string]string{"secrets.file": s.File, "secrets.key_file": s.KeyFile} {
		if strings.ContainsRune(p, 0) {
			v.addf(key, "contains a NUL byte")
		}
	}
	if s.File != "" && s.File == s.KeyFile {
		v.addf("secrets.key_file", "must not be the store file itself")
	}
	if (s.Backend == SecretsEnv || s.Backend == SecretsVault) && (s.File != "" || s.KeyFile != "" || s.KeyFromEnv) {
		v.addf("secrets.backend", "%q does not use the local store: file, key_file and key_from_env do not apply", s.Backend)
	}
}

var vaultSegRe = lazyre.New(`^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$`)

func (vc *Vault) validate(v *validator) {
	p := func(k string) string { return joinKey("secrets.vault", k) }
	validateVaultLogin(v, "secrets.vault", vc.VaultLogin)
	for k, val := range map[string]string{"mount": vc.Mount, "field": vc.Field} {
		if !vaultSegRe.MatchString(val) {
			v.addf(p(k), "must be a Vault path such as secret, got %q", val)
		}
	}
	if vc.Prefix != "" && !vaultSegRe.MatchString(vc.Prefix) {
		v.addf(p("prefix"), "must be a Vault path such as mcpwarden/prod, got %q", vc.Prefix)
	}
}

// validateVaultLogin checks a Vault address and login (secrets.vault and
// credentials.vault share them).
func validateVaultLogin(v *validator, path string, l VaultLogin) {
	address, tokenFile, roleID, secretIDFile := l.Address, l.TokenFile, l.RoleID, l.SecretIDFile
	p := func(k string) string { return joinKey(path, k) }
	u, err := url.Parse(address)
	switch {
	case address == "":
		v.addf(p("address"), "is required, e.g. https://vault.example.com:8200")
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil:
		v.addf(p("address"), "must be an https:// URL with a host, got %q", address)
	case u.Scheme == "http" && !isLoopbackHost(u.Hostname()):
		v.addf(p("address"), "plain http sends the Vault token in clear: use https (http only to a loopback address such as a local Vault Agent)")
	}
	methods := 0
	for _, set := range []bool{tokenFile != "", roleID != "", l.JWTRole != ""} {
		if set {
			methods++
		}
	}
	switch {
	case methods == 0:
		v.addf(path, "needs token_file, role_id with secret_id_file (AppRole), or jwt_role with jwt_file (JWT/OIDC)")
	case methods > 1:
		v.addf(path, "token_file, role_id and jwt_role exclude each other: one login method")
	case roleID != "" && secretIDFile == "":
		v.addf(p("secret_id_file"), "is required with role_id")
	case roleID == "" && secretIDFile != "":
		v.addf(p("role_id"), "is required with secret_id_file")
	case l.JWTRole != "" && l.JWTFile == "":
		v.addf(p("jwt_file"), "is required with jwt_role: the file holding the JWT (e.g. a projected service account token), read at each login")
	case l.JWTRole == "" && (l.JWTFile != "" || l.JWTMount != ""):
		v.addf(p("jwt_role"), "is required with jwt_file and jwt_mount")
	}
	if l.JWTRole != "" && (strings.TrimSpace(l.JWTRole) != l.JWTRole || strings.ContainsAny(l.JWTRole, "/\x00")) {
		v.addf(p("jwt_role"), "must be a Vault role name such as mcpwarden, got %q", l.JWTRole)
	}
	if l.JWTMount != "" && !vaultSegRe.MatchString(l.JWTMount) {
		v.addf(p("jwt_mount"), "must be a Vault auth mount path such as jwt or kubernetes-oidc, got %q", l.JWTMount)
	}
}

func (vc *VaultCredentials) validate(v *validator, path string, isHTTP bool) {
	p := func(k string) string { return joinKey(path, k) }
	validateVaultLogin(v, path, vc.VaultLogin)
	if !vaultSegRe.MatchString(vc.Mount) {
		v.addf(p("mount"), "must be a Vault path such as database, got %q", vc.Mount)
	}
	switch {
	case vc.Role == "":
		v.addf(p("role"), "is required: the role of the secrets engine to read MOUNT/creds/ROLE from")
	case !vaultSegRe.MatchString(vc.Role) || strings.Contains(vc.Role, "/"):
		v.addf(p("role"), "must be a Vault role name such as readonly, got %q", vc.Role)
	}
	switch {
	case isHTTP && len(vc.Env) > 0:
		v.addf(p("env"), "only with command (a url server has no environment): use headers")
	case isHTTP && len(vc.Headers) == 0:
		v.addf(p("headers"), "is required with url: map headers of the connection to username, password or a template such as 'Bearer {{password}}'")
	case !isHTTP && len(vc.Headers) > 0:
		v.addf(p("headers"), "only with url (a stdio child gets env)")
	case !isHTTP && len(vc.Env) == 0:
		v.addf(p("env"), "is required: map variables of the child to username, password or a template such as postgres://{{username}}:{{password}}@db:5432/app")
	}
	for _, k := range sortedKeys(vc.Headers) {
		kp := joinKey(p("headers"), k)
		switch lk := strings.ToLower(k); {
		case !validHeaderName(k):
			v.addf(kp, "invalid header name %q", k)
		case slices.Contains(managedHeaders, lk) || strings.HasPrefix(lk, "mcp-"):
			v.addf(kp, "header is set by the gateway and cannot be configured")
		}
		if why := VaultEnvTemplateError(vc.Headers[k]); why != "" {
			v.addf(kp, "%s", why)
		}
	}
	for _, k := range sortedKeys(vc.Env) {
		kp := joinKey(p("env"), k)
		if !envKeyRe.MatchString(k) {
			v.addf(kp, "invalid environment variable name %q", k)
		}
		if why := VaultEnvTemplateError(vc.Env[k]); why != "" {
			v.addf(kp, "%s", why)
		}
	}
	if vc.TTL < MinCredentialTTL || vc.TTL > MaxCredentialTTL {
		v.addf(p("ttl"), "must be between %v and %v, got %v", MinCredentialTTL, MaxCredentialTTL, vc.TTL)
	}
}

// VaultEnvTemplateError says what is wrong with a credentials.vault env
// value, or "".
func VaultEnvTemplateError(t string) string {
	if t == "username" || t == "password" {
		return ""
	}
	ms := vaultFieldRe.FindAllStringSubmatch(t, -1)
	if len(ms) == 0 {
		return fmt.Sprintf("must be username, password, or a template using {{username}} and {{password}}, got %q", t)
	}
	for _, m := range ms {
		if m[1] != "username" && m[1] != "password" {
			return fmt.Sprintf("unknown field {{%s}}: only {{username}} and {{password}}", m[1])
		}
	}
	// The text around the fields is literal and must hold no secret.
	for _, lit := range vaultFieldRe.Split(t, -1) {
		if why := plaintextValue(lit); why != "" {
			return why
		}
	}
	return ""
}

// VaultHeaderValue fills a credentials.vault header value from the
// secret's data: the fields as they are. A field holding a line break
// (which would forge another header) is an error.
func VaultHeaderValue(t string, data map[string]string) (string, error) {
	for _, f := range []string{"username", "password"} {
		if strings.ContainsAny(data[f], "\r\n\x00") {
			return "", fmt.Errorf("the secret's %s holds a line break or NUL: not usable in a header", f)
		}
	}
	if t == "username" || t == "password" {
		return data[t], nil
	}
	return vaultFieldRe.ReplaceAllStringFunc(t, func(m string) string {
		return data[vaultFieldRe.FindStringSubmatch(m)[1]]
	}), nil
}

// VaultEnvValue fills a credentials.vault env value from the secret's
// data: the field itself, or the template with the fields URL-escaped.
func VaultEnvValue(t string, data map[string]string) string {
	if t == "username" || t == "password" {
		return data[t]
	}
	return vaultFieldRe.ReplaceAllStringFunc(t, func(m string) string {
		f := vaultFieldRe.FindStringSubmatch(m)[1]
		return strings.ReplaceAll(url.QueryEscape(data[f]), "+", "%20")
	})
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func (c *Credentials) validate(v *validator, path string, isHTTP bool) {
	if c.Postgres != nil && c.Vault != nil {
		v.addf(path, "set one broker, postgres or vault, not both")
		return
	}
	if c.Vault != nil {
		c.Vault.validate(v, joinKey(path, "vault"), isHTTP)
		return
	}
	pg := c.Postgres
	if pg == nil {
		return
	}
	p := joinKey(path, "postgres")
	if isHTTP {
		v.addf(p, "only allowed with command: the credential is put in the stdio child's environment")
		return
	}
	f := func(k string) string { return joinKey(p, k) }
	switch {
	case pg.AdminDSN == "":
		v.addf(f("admin_dsn"), "is required: a secret://NAME holding the DSN of a role that may CREATE ROLE")
	default:
		if _, isRef := secretstore.Ref(pg.AdminDSN); !isRef {
			if why := plaintextSecret("admin_dsn", pg.AdminDSN); why != "" {
				v.addf(f("admin_dsn"), "%s", why)
			}
		}
	}
	switch {
	case pg.Template == "":
		v.addf(f("template"), "is required: the role whose privileges each minted role inherits")
	case !pgIdentRe.MatchString(pg.Template):
		v.addf(f("template"), "invalid role name %q: letters, digits, _, $ and -, starting with a letter or _", pg.Template)
	case strings.EqualFold(pg.Template, "postgres") || strings.HasPrefix(strings.ToLower(pg.Template), "pg_"):
		v.addf(f("template"), "%q is a superuser or built-in role: grant what the server needs to a role of its own", pg.Template)
	}
	if pg.Database != "" && (strings.ContainsRune(pg.Database, 0) || len(pg.Database) > 63) {
		v.addf(f("database"), "invalid database name")
	}
	if !envKeyRe.MatchString(pg.Env) {
		v.addf(f("env"), "invalid environment variable name %q", pg.Env)
	}
	if pg.TTL < MinCredentialTTL || pg.TTL > MaxCredentialTTL {
		v.addf(f("ttl"), "must be between %v and %v, got %v", MinCredentialTTL, MaxCredentialTTL, pg.TTL)
	}
	if pg.ConnectionLimit < 1 || pg.ConnectionLimit > MaxConnectionLimit {
		v.addf(f("connection_limit"), "must be between 1 and %d, got %d", MaxConnectionLimit, pg.ConnectionLimit)
	}
}

// validateSecrets checks a server's secret:// references and refuses
// secrets written in clear in its env, headers and command.
func (s *Server) validateSecrets(v *validator, path string) {
	check := func(kind string, m map[string]string) {
		for _, k := range sortedKeys(m) {
			val := m[k]
			kp := joinKey(joinKey(path, kind), k)
			if name, ok := secretstore.Ref(val); ok {
				if err := secretstore.CheckName(name); err != nil {
					v.addf(kp, "%v", err)
				}
				continue
			}
			if why := plaintextSecret(k, val); why != "" {
				v.addf(kp, "%s", why)
			}
		}
	}
	check("env", s.Env)
	check("headers", s.Headers)
	for i, a := range s.Command {
		if why := plaintextValue(a); why != "" {
			v.addf(joinIndex(joinKey(path, "command"), i), "%s; pass it in env as secret://NAME instead (command lines are visible to every local user)", why)
		}
	}
	if s.Credentials.Vault != nil {
		for _, k := range sortedKeys(s.Credentials.Vault.Env) {
			if _, clash := s.Env[k]; clash {
				v.addf(joinKey(joinKey(path, "env"), k), "is set by credentials.vault: remove it here")
			}
		}
		for _, k := range sortedKeys(s.Headers) {
			for h := range s.Credentials.Vault.Headers {
				if strings.EqualFold(h, k) {
					v.addf(joinKey(joinKey(path, "headers"), k), "is set by credentials.vault: remove it here")
				}
			}
		}
	}
	if s.Credentials.Postgres != nil && s.Env != nil {
		if _, clash := s.Env[s.Credentials.Postgres.Env]; clash {
			v.addf(joinKey(joinKey(path, "env"), s.Credentials.Postgres.Env), "is set by credentials.postgres (the minted DSN): remove it here")
		}
	}
}

const howToStore = `store it with "mcpwarden secret set NAME" (the value is read from stdin) and write secret://NAME here`

// plaintextSecret says why a literal value under key must not be in the
// config, or "".
func plaintextSecret(key, val string) string {
	if why := plaintextValue(val); why != "" {
		return why + "; " + howToStore
	}
	if secretNamed(key) && !harmlessLiteral(val) {
		return "is named like a secret but holds a literal value; " + howToStore
	}
	return ""
}

var dsnPasswordRe = lazyre.New(`(?i)(^|\s)password\s*=\s*\S`)

// plaintextValue says why val looks like a secret whatever its key, or "".
// It never quotes the value.
func plaintextValue(val string) string {
	if val == "" {
		return ""
	}
	// A URL's password first: said so, it tells the operator more than
	// the rule that also finds it.
	if u, err := url.Parse(val); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			return "holds a URL with a password in clear"
		}
	}
	if !secrets.MayContain(val) {
		// Nothing the rules could find: skip building the engine (tens
		// of milliseconds at every start of run).
	} else if fs := secrets.Scan(val); len(fs) > 0 {
		return fmt.Sprintf("holds a secret in clear (%s)", fs[0].RuleID)
	}
	if dsnPasswordRe.MatchString(val) {
		return "holds a connection string with a password in clear"
	}
	return ""
}

// secretNamed reports whether an env or header name says its value is a
// credential: *TOKEN, *PASSWORD*, *SECRET*, *API_KEY, Authorization...
// Names of references to secrets (PASSWORD_FILE, TOKEN_URL, SECRET_NAME)
// and counts (MAX_TOKENS) are not.
func secretNamed(key string) bool {
	k := strings.ToUpper(key)
	switch k {
	case "AUTHORIZATION", "PROXY-AUTHORIZATION", "COOKIE":
		return true
	}
	parts := strings.FieldsFunc(k, func(r rune) bool { return r == '_' || r == '-' || r == '.' })
	if len(parts) == 0 {
		return false
	}
	switch parts[len(parts)-1] {
	case "FILE", "PATH", "DIR", "NAME", "ID", "ARN", "URL", "URI", "ENDPOINT", "HOST", "PORT",
		"TYPE", "LENGTH", "TTL", "EXPIRY", "HEADER", "ENABLED", "DISABLED", "REQUIRED":
		return false
	}
	for i, p := range parts {
		switch {
		case strings.Contains(p, "PASSWORD"), strings.Contains(p, "PASSWD"), strings.Contains(p, "PASSPHRASE"),
			strings.Contains(p, "SECRET"), strings.Contains(p, "APIKEY"), strings.Contains(p, "PRIVATEKEY"),
			strings.HasSuffix(p, "TOKEN"), p == "PAT", p == "PWD" && len(parts) > 1:
			return true
		case p == "KEY" && i == len(parts)-1 && i > 0:
			switch parts[i-1] {
			case "API", "ACCESS", "PRIVATE", "AUTH", "CLIENT", "SIGNING", "ENCRYPTION", "MASTER", "SERVICE", "LICENSE":
				return true
			}
		}
	}
	return false
}

// harmlessLiteral: values that cannot be a credential under a secret
// name (DISABLE_PASSWORD: true).
func harmlessLiteral(val string) bool {
	switch strings.ToLower(val) {
	case "", "true", "false", "yes", "no", "on", "off", "0", "1":
		return true
	}
	return false
}
