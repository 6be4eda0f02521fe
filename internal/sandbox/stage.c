// Stage 0 of the sandbox helper: runs before the Go runtime starts.
//
// The gateway starts a server as "/proc/self/exe __sandbox-exec EXE --
// ARGV..." in fresh namespaces, with a program (stage.h; written by
// program.go) in MCPWARDEN_SANDBOX_SPEC. This constructor, which glibc
// calls with argc, argv and envp before main, recognises that command
// line, checks the whole program, then runs it operation by operation and
// ends in execve of the server: the Go runtime and the package inits of
// the 76 MB binary never start in the helper (≈ 20 ms of CPU saved per
// server start). The Go side plans, this file only applies; it knows no
// policy (paths, sizes, access rights, the seccomp list all come from the
// program).
//
// Any failure prints "mcpwarden sandbox: ..." on stderr and exits 126:
// the server is never executed with a requested protection missing.
// "__sandbox-exec --forward SOCK" (the egress relay) is left to Go.
#define _GNU_SOURCE
#include "stage.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

// Signatures of the operations (see stage.h).
static const char *const mw_sig[MW_NOPS] = {
	[MW_CGROUP] = "S", [MW_MOUNT] = "SSSNS", [MW_MKDIR] = "S", [MW_MKFILE] = "S",
	[MW_BIND] = "SSN", [MW_SYMLINK] = "SS", [MW_HIDE] = "SS", [MW_PIVOT] = "SS",
	[MW_CHDIR] = "S", [MW_UMOUNT] = "SN", [MW_SETATTR] = "SNN", [MW_LOOPBACK] = "",
	[MW_HOSTNAME] = "S", [MW_WRITE] = "SS", [MW_CHDIR_TRY] = "SS", [MW_RLIMIT] = "NN",
	[MW_CAPS] = "", [MW_NNP] = "", [MW_FORWARD] = "SS*", [MW_LL_RULESET] = "NNN",
	[MW_LL_PATH] = "NS", [MW_LL_PORT] = "NN", [MW_LL_RESTRICT] = "", [MW_SECCOMP] = "B",
	[MW_PDEATHSIG] = "N", [MW_EXEC] = "",
};

static uint32_t le32(const uint8_t *p) {
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t mw_num(const uint8_t *f) {
	return (uint64_t)le32(f) | (uint64_t)le32(f + 4) << 32;
}

int mw_open(struct mw_reader *r, const uint8_t *buf, size_t len, const char **err) {
	if (len > MW_MAX_PROGRAM || len < 4 || memcmp(buf, MW_MAGIC, 4) != 0) {
		*err = "not a sandbox program (bad magic or size)";
		return -1;
	}
	r->p = buf + 4;
	r->end = buf + len;
	return 0;
}

// Field kind i of a signature, or 0 if the signature has no field i.
static char kind(const char *sig, int i) {
	size_t n = strlen(sig);
	if (n > 0 && sig[n - 1] == '*')
		return i < (int)n - 1 ? sig[i] : sig[n - 2];
	return i < (int)n ? sig[i] : 0;
}

int mw_next(struct mw_reader *r, struct mw_op *op, const char **err) {
	if (r->p == r->end)
		return 0;
	if (r->end - r->p < 2) {
		*err = "truncated operation";
		return -1;
	}
	op->code = r->p[0];
	op->n = r->p[1];
	r->p += 2;
	if (op->code == 0 || op->code >= MW_NOPS) {
		*err = "unknown operation";
		return -1;
	}
	const char *sig = mw_sig[op->code];
	size_t fixed = strcspn(sig, "*");
	// A '*' signature takes its fixed fields and more of the last kind.
	if (op->n > MW_MAX_FIELDS || op->n < fixed || (sig[fixed] != '*' && op->n != fixed)) {
		*err = "wrong field count";
		return -1;
	}
	for (int i = 0; i < op->n; i++) {
		if (r->end - r->p < 4) {
			*err = "truncated field length";
			return -1;
		}
		uint32_t l = le32(r->p);
		r->p += 4;
		if ((uint64_t)(r->end - r->p) < l) {
			*err = "truncated field";
			return -1;
		}
		const uint8_t *f = r->p;
		r->p += l;
		switch (kind(sig, i)) {
		case 'S': // one NUL, the last byte
			if (l < 1 || l > MW_MAX_STR || f[l - 1] != 0 || memchr(f, 0, l - 1)) {
				*err = "bad string field";
				return -1;
			}
			break;
		case 'N':
			if (l != 8) {
				*err = "bad number field";
				return -1;
			}
			break;
		case 'B':
			if (l == 0 || l % 8 != 0 || l > MW_MAX_BLOB) {
				*err = "bad blob field";
				return -1;
			}
			break;
		default:
			*err = "bad signature";
			return -1;
		}
		op->f[i] = f;
		op->len[i] = l;
	}
	return 1;
}

int mw_check(const uint8_t *buf, size_t len, const char **err) {
	struct mw_reader r;
	struct mw_op op;
	int n = 0, rc, execs = 0, last = 0;
	if (mw_open(&r, buf, len, err) < 0)
		return -1;
	while ((rc = mw_next(&r, &op, err)) == 1) {
		if (++n > MW_MAX_OPS) {
			*err = "too many operations";
			return -1;
		}
		execs += op.code == MW_EXEC;
		last = op.code;
	}
	if (rc < 0)
		return -1;
	if (execs != 1 || last != MW_EXEC) {
		*err = "the program must end in its one exec";
		return -1;
	}
	return 0;
}

static int unhex1(char c) {
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

long mw_unhex(const char *hex, uint8_t *out, size_t cap) {
	size_t n = strlen(hex);
	if (n % 2 != 0 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = unhex1(hex[2 * i]), lo = unhex1(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (long)(n / 2);
}

// ---- applying a program ----

static void fail(const char *what, const char *arg) {
	int e = errno;
	dprintf(2, "mcpwarden sandbox: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "", strerror(e));
	_exit(126);
}

static void failx(const char *what, const char *why) {
	dprintf(2, "mcpwarden sandbox: %s: %s\n", what, why);
	_exit(126);
}

#define S(i) ((const char *)op->f[i])
#define N(i) mw_num(op->f[i])

// mkdir -p with mode 0755.
static int mkdirs(const char *path) {
	char buf[MW_MAX_STR];
	size_t n = strlen(path);
	if (n >= sizeof buf)
		return errno = ENAMETOOLONG, -1;
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != 0)
			continue;
		char c = buf[i];
		buf[i] = 0;
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		buf[i] = c;
	}
	return 0;
}

// An empty file at path to bind a file on, and its parents.
static int mkfile(const char *path) {
	char dir[MW_MAX_STR];
	const char *slash = strrchr(path, '/');
	if (slash && slash != path) {
		size_t n = (size_t)(slash - path);
		if (n >= sizeof dir)
			return errno = ENAMETOOLONG, -1;
		memcpy(dir, path, n);
		dir[n] = 0;
		if (mkdirs(dir) < 0)
			return -1;
	}
	int fd = open(path, O_CREAT | O_RDONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

struct mw_mount_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

static int setattr(const char *path, uint64_t attr, unsigned flags) {
	struct mw_mount_attr a = {.attr_set = attr};
	return (int)syscall(SYS_mount_setattr, -1, path, flags, &a, sizeof a);
}

static void loopback_up(void) {
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fail("loopback", NULL);
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		fail("loopback", NULL);
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		fail("loopback", NULL);
	close(fd);
}

// No capability left, and none regained by executing anything as root in
// the namespace: securebits NOROOT and NO_SETUID_FIXUP locked, ambient,
// bounding, inheritable, permitted and effective sets emptied.
static void drop_caps(void) {
	prctl(PR_SET_SECUREBITS, 0xef, 0, 0, 0); // NOROOT, NO_SETUID_FIXUP, NO_CAP_AMBIENT_RAISE + locks, KEEP_CAPS lock
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	for (int c = 0; c < 64; c++) {
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == 0)
			continue;
		if (errno == EINVAL || errno == EPERM)
			break; // past the last capability; or, degraded without namespaces, none of ours to drop
		fail("capabilities: bounding set", NULL);
	}
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof data);
	if (syscall(SYS_capset, &hdr, data) < 0)
		fail("capabilities: capset", NULL);
}

// The egress relay (Go: __sandbox-exec --forward SOCK) starts now, with
// what the server has so far, and confines itself further; Landlock
// would not let it execute the binary later. Its stdin is /dev/null, its
// stdout a pipe on which it says "ready\n" once it listens.
static void forward(const struct mw_op *op) {
	char *argv[MW_MAX_FIELDS + 1], *envp[] = {NULL}, buf[16];
	int p[2], n = 0;
	for (int i = 1; i < op->n; i++)
		argv[i - 1] = (char *)op->f[i];
	argv[op->n - 1] = NULL;
	if (pipe2(p, O_CLOEXEC) < 0)
		fail("egress forwarder: pipe", NULL);
	pid_t pid = fork();
	if (pid < 0)
		fail("egress forwarder: fork", NULL);
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null < 0 || dup2(null, 0) < 0 || dup2(p[1], 1) < 0)
			fail("egress forwarder: stdio", NULL);
		execve(S(0), argv, envp);
		fail("egress forwarder: exec", S(0));
	}
	close(p[1]);
	for (ssize_t r; n < (int)sizeof buf - 1 && (n == 0 || buf[n - 1] != '\n'); n += (int)r) {
		r = read(p[0], buf + n, sizeof buf - 1 - (size_t)n);
		if (r < 0 && errno == EINTR) {
			r = 0;
			continue;
		}
		if (r <= 0)
			break;
	}
	close(p[0]);
	buf[n] = 0;
	if (strcmp(buf, "ready\n") != 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		failx("egress forwarder", "did not start");
	}
}

struct ll_ruleset_attr {
	uint64_t fs, net, scoped;
};
struct ll_path_beneath {
	uint64_t access;
	int32_t fd;
} __attribute__((packed));
struct ll_net_port {
	uint64_t access, port;
};

static void ll_rule(int ruleset, const struct mw_op *op) {
	if (ruleset < 0)
		failx("landlock", "rule before ruleset");
	if (op->code == MW_LL_PORT) {
		struct ll_net_port a = {N(0), N(1)};
		if (syscall(SYS_landlock_add_rule, ruleset, 2 /* NET_PORT */, &a, 0) < 0)
			fail("landlock: port rule", NULL);
		return;
	}
	int fd = open(S(1), O_PATH | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return; // not in this root: nothing to allow
		fail("landlock: open", S(1));
	}
	struct ll_path_beneath a = {N(0), fd};
	if (syscall(SYS_landlock_add_rule, ruleset, 1 /* PATH_BENEATH */, &a, 0) < 0)
		fail("landlock: rule for", S(1));
	close(fd);
}

static void load_seccomp(const struct mw_op *op) {
	// The blob may be unaligned in the program: copy it.
	struct sock_filter *f = malloc(op->len[0]);
	if (!f)
		fail("seccomp", NULL);
	memcpy(f, op->f[0], op->len[0]);
	struct sock_fprog prog = {.len = (unsigned short)(op->len[0] / 8), .filter = f};
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		fail("seccomp", NULL);
	free(f);
}

static void run(const uint8_t *prog, size_t len, char *exe, char **argv, char **envp) {
	struct mw_reader r;
	struct mw_op o, *op = &o;
	const char *err;
	int ruleset = -1;
	mw_open(&r, prog, len, &err);
	while (mw_next(&r, op, &err) == 1) {
		switch (op->code) {
		case MW_CGROUP: {
			int fd = open(S(0), O_WRONLY | O_CLOEXEC);
			if (fd < 0 || write(fd, "0", 1) != 1)
				fail("cgroup: join", S(0));
			close(fd);
			break;
		}
		case MW_MOUNT:
			if (mount(S(0), S(1), S(2), N(3), S(4)) < 0)
				fail("mount", S(1));
			break;
		case MW_MKDIR:
			if (mkdirs(S(0)) < 0)
				fail("mkdir", S(0));
			break;
		case MW_MKFILE:
			if (mkfile(S(0)) < 0)
				fail("create", S(0));
			break;
		case MW_BIND: {
			struct stat st;
			if (stat(S(0), &st) < 0) {
				if (errno == ENOENT || errno == ENOTDIR)
					break; // vanished since the gateway looked
				fail("bind: stat", S(0));
			}
			if ((S_ISDIR(st.st_mode) ? mkdirs(S(1)) : mkfile(S(1))) < 0)
				fail("bind: mount point", S(1));
			if (mount(S(0), S(1), NULL, MS_BIND | MS_REC, NULL) < 0)
				fail("bind", S(1));
			if (setattr(S(1), N(2), AT_RECURSIVE) < 0)
				fail("bind: restrict", S(1));
			break;
		}
		case MW_SYMLINK: {
			// Best effort, as a link under a read-only bind is there already.
			struct stat st;
			char dir[MW_MAX_STR];
			if (lstat(S(1), &st) == 0)
				break;
			snprintf(dir, sizeof dir, "%s", S(1));
			char *slash = strrchr(dir, '/');
			if (slash && slash != dir) {
				*slash = 0;
				if (mkdirs(dir) < 0)
					break;
			}
			(void)!symlink(S(0), S(1));
			break;
		}
		case MW_HIDE: {
			struct stat st;
			if (stat(S(0), &st) < 0) {
				if (errno == ENOENT || errno == ENOTDIR)
					break; // not visible: nothing to mask
				fail("hide: stat", S(0));
			}
			if (S_ISDIR(st.st_mode) ? mount("tmpfs", S(0), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k")
			                        : mount(S(1), S(0), NULL, MS_BIND, NULL))
				fail("hide", S(0));
			break;
		}
		case MW_PIVOT:
			if (syscall(SYS_pivot_root, S(0), S(1)) < 0)
				fail("pivot_root", S(0));
			break;
		case MW_CHDIR:
			if (chdir(S(0)) < 0)
				fail("chdir", S(0));
			break;
		case MW_UMOUNT:
			if (umount2(S(0), (int)N(1)) < 0)
				fail("umount", S(0));
			break;
		case MW_SETATTR:
			if (setattr(S(0), N(1), (unsigned)N(2)) < 0)
				fail("mount_setattr", S(0));
			break;
		case MW_LOOPBACK:
			loopback_up();
			break;
		case MW_HOSTNAME:
			if (sethostname(S(0), strlen(S(0))) < 0)
				fail("sethostname", NULL);
			break;
		case MW_WRITE: {
			int fd = open(S(0), O_WRONLY | O_CLOEXEC);
			size_t n = strlen(S(1));
			if (fd < 0 || write(fd, S(1), n) != (ssize_t)n)
				fail("write", S(0));
			close(fd);
			break;
		}
		case MW_CHDIR_TRY:
			if (chdir(S(0)) < 0 && chdir(S(1)) < 0)
				fail("chdir", S(1));
			break;
		case MW_RLIMIT: {
			struct rlimit rl;
			int res = (int)N(0);
			if (getrlimit(res, &rl) < 0)
				fail("getrlimit", NULL);
			rlim_t v = N(1) < rl.rlim_max ? N(1) : rl.rlim_max;
			rl.rlim_cur = rl.rlim_max = v;
			if (setrlimit(res, &rl) < 0)
				fail("setrlimit", NULL);
			break;
		}
		case MW_CAPS:
			drop_caps();
			break;
		case MW_NNP:
			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
				fail("no_new_privs", NULL);
			break;
		case MW_FORWARD:
			forward(op);
			break;
		case MW_LL_RULESET: {
			struct ll_ruleset_attr a = {N(0), N(1), N(2)};
			ruleset = (int)syscall(SYS_landlock_create_ruleset, &a, sizeof a, 0);
			if (ruleset < 0)
				fail("landlock: create ruleset", NULL);
			break;
		}
		case MW_LL_PATH:
		case MW_LL_PORT:
			ll_rule(ruleset, op);
			break;
		case MW_LL_RESTRICT:
			if (ruleset < 0)
				failx("landlock", "restrict before ruleset");
			if (syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
				fail("landlock: restrict", NULL);
			close(ruleset);
			ruleset = -1;
			break;
		case MW_SECCOMP:
			load_seccomp(op);
			break;
		case MW_PDEATHSIG:
			if (prctl(PR_SET_PDEATHSIG, (unsigned long)N(0), 0, 0, 0) < 0)
				fail("pdeathsig", NULL);
			break;
		case MW_EXEC: {
			// The server's environment: the helper's, without the program.
			size_t n = 0, k = 0;
			while (envp[n])
				n++;
			char **env = calloc(n + 1, sizeof *env);
			if (!env)
				fail("exec", NULL);
			for (size_t i = 0; i < n; i++)
				if (strncmp(envp[i], MW_SPEC_ENV "=", sizeof MW_SPEC_ENV) != 0)
					env[k++] = envp[i];
			execve(exe, argv, env);
			fail("exec", exe);
		}
		}
	}
	failx("program", "ended without exec"); // mw_check makes this unreachable
}

// glibc passes argc, argv and envp to constructors of the executable.
#if MW_STAGE_ACTIVE
__attribute__((constructor))
#else
__attribute__((unused))
#endif
static void mw_stage0(int argc, char **argv, char **envp) {
	static uint8_t prog[MW_MAX_PROGRAM];
	const char *err = NULL, *hex = NULL;
	if (argc < 2 || strcmp(argv[1], MW_HELPER_ARG) != 0)
		return; // the gateway itself, or any other command
	if (argc == 3 && strcmp(argv[2], "--probe") == 0)
		_exit(0); // the namespace probe: starting was the test
	if (argc >= 3 && strcmp(argv[2], "--forward") == 0)
		return; // the egress relay is Go
	if (argc < 5 || strcmp(argv[3], "--") != 0)
		failx("usage", MW_HELPER_ARG " EXE -- ARGV...");
	for (char **e = envp; *e; e++)
		if (strncmp(*e, MW_SPEC_ENV "=", sizeof MW_SPEC_ENV) == 0)
			hex = *e + sizeof MW_SPEC_ENV;
	if (!hex)
		failx("program", "no " MW_SPEC_ENV);
	long n = mw_unhex(hex, prog, sizeof prog);
	if (n < 0)
		failx("program", "bad hex encoding or too long");
	if (mw_check(prog, (size_t)n, &err) < 0)
		failx("program", err);
	run(prog, (size_t)n, argv[2], argv + 4, envp);
}
