package sqlguard

import "strings"

// deniedFunctions are functions a read-only query must not call, by
// unqualified lower-case name (a schema does not make them safe: the
// check errs towards denial for a user function of the same name). The
// reason completes "calls NAME, which …".
var deniedFunctions = map[string]string{
	// time and locks
	"pg_sleep": "sleeps", "pg_sleep_for": "sleeps", "pg_sleep_until": "sleeps",
	// MySQL's timers and file reader by their MySQL names, which
	// injection lists send to every database: PostgreSQL has no such
	// built-ins, so a function of that name is a compatibility shim
	// that does the same (probe set 43)
	"sleep": "sleeps", "benchmark": "repeats an expression to take time", "load_file": "reads server files",
	// writes
	"nextval": "advances a sequence", "setval": "sets a sequence",
	"set_config":                     "changes a setting",
	"txid_current":                   "assigns a transaction id",
	"txid_current_if_assigned":       "reads the transaction id",
	"pg_current_xact_id":             "assigns a transaction id",
	"pg_current_xact_id_if_assigned": "reads the transaction id",
	"pg_notify":                      "sends a notification",
	"pg_export_snapshot":             "exports a snapshot",
	"pg_import_system_collations":    "creates collations",
	"pg_truncate_visibility_map":     "changes a visibility map",
	// other sessions and the server
	"pg_terminate_backend": "ends another session", "pg_cancel_backend": "cancels another session's query",
	"pg_reload_conf": "reloads the server configuration", "pg_rotate_logfile": "rotates the server log",
	"pg_promote": "promotes a standby", "pg_switch_wal": "switches the WAL file", "pg_switch_xlog": "switches the WAL file",
	"pg_create_restore_point": "writes a restore point", "pg_log_backend_memory_contexts": "writes to the server log",
	"pg_start_backup": "starts a backup", "pg_stop_backup": "stops a backup",
	"pg_prewarm": "loads relations into memory",
	// files
	"pg_stat_file": "reads server files", "pg_logdir_ls": "lists server files",
	"get_raw_page": "reads raw table pages, around row-level security",
	// SQL given as text
	"query_to_xml": "runs SQL given as text", "query_to_xmlschema": "runs SQL given as text",
	"query_to_xml_and_xmlschema": "runs SQL given as text", "cursor_to_xml": "reads a cursor",
	"cursor_to_xmlschema": "reads a cursor", "ts_stat": "runs SQL given as text",
	"loread": "reads a large object", "lowrite": "writes a large object",
	// network and shell
	"http": "makes HTTP requests", "sys_exec": "runs shell commands", "sys_eval": "runs shell commands",
	"query_export_to_s3": "runs SQL given as text and writes to S3", "table_import_from_s3": "writes a table from S3",
	// more writes and server files
	"gin_clean_pending_list": "writes an index", "set_limit": "changes a setting",
	"pg_show_all_file_settings": "reads the server's configuration files",
	"pg_hba_file_rules":         "reads the server's configuration files", "pg_ident_file_mappings": "reads the server's configuration files",
}

// deniedSchemas are extension schemas whose functions reach the network.
var deniedSchemas = map[string]string{
	"aws_s3": "reaches AWS", "aws_lambda": "reaches AWS", "aws_commons": "reaches AWS", "net": "makes HTTP requests (pg_net)",
}

// deniedPrefixes extend deniedFunctions to families.
var deniedPrefixes = []struct{ prefix, why string }{
	{"pg_sleep", "sleeps"},
	{"pg_advisory", "takes an advisory lock"},
	{"pg_try_advisory", "takes an advisory lock"},
	{"txid_", "reads or assigns transaction ids"},
	{"pg_read_", "reads server files"},
	{"pg_ls_", "lists server directories"},
	{"pg_file_", "writes server files"},
	{"lo_", "works on large objects (server files)"},
	{"dblink", "connects to another database"},
	{"http_", "makes HTTP requests"},
	{"pg_background", "runs SQL in another session"},
	{"table_to_xml", "reads a table named as text"},
	{"schema_to_xml", "reads a schema named as text"},
	{"database_to_xml", "reads the database"},
	{"pg_stat_reset", "resets statistics"},
	{"pg_stat_statements_reset", "resets statistics"},
	{"pg_replication_origin_", "changes replication state"},
	{"pg_logical_", "reads or writes logical replication data"},
	{"pg_wal_replay_", "controls WAL replay"},
	{"pg_backup_", "controls backups"},
	{"pg_create_", "creates server objects"},
	{"pg_drop_", "drops server objects"},
	{"pg_copy_", "copies replication slots"},
	{"pg_replication_slot_", "changes a replication slot"},
	{"binary_upgrade_", "is for pg_upgrade only"},
	{"brin_", "writes or reads BRIN index pages"},
	{"pg_log_", "writes to the server log or WAL"},
}

func deniedFunction(name string) (string, bool) {
	if why, ok := deniedFunctions[name]; ok {
		return why, true
	}
	for _, p := range deniedPrefixes {
		if strings.HasPrefix(name, p.prefix) {
			return p.why, true
		}
	}
	return "", false
}

// sensitiveSetting reports a setting whose value may name server files,
// commands, connection strings or secrets. Substrings err towards denial.
func sensitiveSetting(name string) bool {
	for _, s := range []string{"file", "dir", "path", "command", "conninfo", "password", "passphrase",
		"key", "secret", "token", "librar", "krb", "ssl"} {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}

// sensitiveCatalogs hold password hashes, user mapping options (foreign
// server passwords), large objects, raw column statistics (values that
// row-level security would hide) and the server's configuration files.
// They are refused even without a tables list.
var sensitiveCatalogs = map[string]bool{
	"pg_authid": true, "pg_shadow": true, "pg_user_mapping": true, "pg_user_mappings": true,
	"pg_largeobject": true, "pg_statistic": true, "pg_statistic_ext_data": true,
	"pg_hba_file_rules": true, "pg_ident_file_mappings": true, "pg_file_settings": true,
}
