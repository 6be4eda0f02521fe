// The sandbox helper's program format, shared by stage.c (which runs it)
// and stage.go (which exposes the decoder to Go tests). The Go side
// (program.go) writes it; see there for what each operation means.
//
// Wire format: the magic "MWS1", then operations, each
//   u8 code, u8 field count, then per field: u32 length (little endian)
//   and that many bytes.
// Field kinds, per operation (mw_sig): S a string, stored with its
// terminating NUL and no other NUL; N a little-endian u64 (8 bytes); B a
// non-empty blob (a seccomp program: a multiple of 8 bytes). A trailing
// '*' repeats the last kind. The program travels hex-encoded in the
// helper's environment variable MW_SPEC_ENV.
#ifndef MW_STAGE_H
#define MW_STAGE_H

#include <stddef.h>
#include <stdint.h>

// The constructor reads argc, argv and envp from its arguments, which
// glibc passes and other C libraries (musl) do not: elsewhere the stage
// is left out, and Go refuses to start sandboxed servers.
#ifdef __GLIBC__
#define MW_STAGE_ACTIVE 1
#else
#define MW_STAGE_ACTIVE 0
#endif

#define MW_HELPER_ARG "__sandbox-exec"
#define MW_SPEC_ENV "MCPWARDEN_SANDBOX_SPEC"
#define MW_MAGIC "MWS1"
#define MW_MAX_FIELDS 8
#define MW_MAX_OPS 4096
#define MW_MAX_STR 4096     // PATH_MAX, with the NUL
#define MW_MAX_BLOB 32768   // 4096 BPF instructions, the kernel's limit
#define MW_MAX_PROGRAM 65536

enum {
	MW_CGROUP = 1,  // S cgroup.procs file to join
	MW_MOUNT,       // S src, S dst, S fstype, N flags, S data
	MW_MKDIR,       // S path (and parents)
	MW_MKFILE,      // S path: an empty file (and parents)
	MW_BIND,        // S src, S dst, N mount_setattr attr: recursive bind, skipped if src is missing
	MW_SYMLINK,     // S target, S path: best effort, kept if path exists
	MW_HIDE,        // S path, S empty file: mask path if it exists
	MW_PIVOT,       // S new root, S put old
	MW_CHDIR,       // S path
	MW_UMOUNT,      // S path, N flags
	MW_SETATTR,     // S path, N attr, N flags: mount_setattr
	MW_LOOPBACK,    // bring lo up
	MW_HOSTNAME,    // S name
	MW_WRITE,       // S path, S content
	MW_CHDIR_TRY,   // S path, S fallback
	MW_RLIMIT,      // N resource, N value (clamped to the hard limit)
	MW_CAPS,        // drop every capability, lock securebits
	MW_NNP,         // no_new_privs
	MW_FORWARD,     // S path, S argv...: start the egress relay, wait for "ready\n"
	MW_LL_RULESET,  // N handled fs, N handled net, N scoped
	MW_LL_PATH,     // N access, S path (skipped if missing)
	MW_LL_PORT,     // N access, N port
	MW_LL_RESTRICT, // landlock_restrict_self
	MW_SECCOMP,     // B sock_filter program
	MW_PDEATHSIG,   // N signal
	MW_EXEC,        // execve the server named on the command line; must be last
	MW_NOPS
};

struct mw_op {
	uint8_t code, n;
	const uint8_t *f[MW_MAX_FIELDS];
	uint32_t len[MW_MAX_FIELDS];
};

struct mw_reader {
	const uint8_t *p, *end;
};

// mw_open checks the magic; mw_next reads and checks one operation
// (1: read, 0: end, -1: malformed, *err says why).
int mw_open(struct mw_reader *r, const uint8_t *buf, size_t len, const char **err);
int mw_next(struct mw_reader *r, struct mw_op *op, const char **err);
// mw_check validates a whole program: every operation well formed, and
// exactly one MW_EXEC, at the end. 0 or -1.
int mw_check(const uint8_t *buf, size_t len, const char **err);
// mw_unhex decodes hex into out (cap bytes); the length, or -1.
long mw_unhex(const char *hex, uint8_t *out, size_t cap);
uint64_t mw_num(const uint8_t *f);

#endif
